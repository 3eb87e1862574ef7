/**
 * pagedAttention on every backend (cpu and wasm in Node, webgl and webgpu in Chromium): numpy fixtures,
 * equality with exact attention over contiguous K/V (@prep/attention) on random mixed-length batches,
 * the kernel against the active backend, leaks, gradients (cpu, wasm) and bad input. Sizes stay small for
 * the browser lane; larger cases are in paged-attention.node.test.ts.
 */
import { expect, it } from 'vitest';
import { expectBadInputs, loadFixture } from '@prep/test-utils';
import { describeBackends, disposeArgs, expectMatchesCpu, expectNoLeak, expectTensorClose, numTensors, seededValues, tf } from '@prep/test-utils/tensor';
import { scaledDotProductAttention } from '@prep/attention';
import { KVCacheManager, PagedKVStore, pagedAttention, pagedAttentionReference } from '../src/index.js';
import raw from './fixtures/paged_attention.json';

interface Case {
  name: string;
  lengths: number[];
  headsQ: number;
  numKvHeads: number;
  headDim: number;
  blockSize: number;
  scale: number | null;
  q: number[];
  keys: number[][];
  values: number[][];
  upstream: number[];
  out: number[];
  dq: number[];
}
const cases = loadFixture<{ cases: Case[] }>(raw).cases;

// float32 inputs against a float64 reference: ~1e-6 on cpu/wasm; SwiftShader's webgl/webgpu exp and
// reductions add ~1e-5. Gradients pass through one product more.
const outTol = { atol: 3e-5, rtol: 3e-5 };
const gradTol = { atol: 1e-4, rtol: 1e-4 };

/**
 * Builds a manager and a 2-layer store holding `keys`/`values` in layer 1 (layer 0 gets other values).
 * Tokens are appended round-robin, with a filler sequence freed half-way, so block tables interleave
 * and reuse freed blocks: a paged layout, not a contiguous one. K/V are written one decode step at a
 * time with writeLast.
 */
function build(lengths: number[], numKvHeads: number, headDim: number, blockSize: number, keys: ArrayLike<number>[], values: ArrayLike<number>[]) {
  const kv = new KVCacheManager({ numBlocks: lengths.reduce((a, n) => a + Math.ceil(n / blockSize), 0) + 8, blockSize });
  const store = new PagedKVStore(kv, { numLayers: 2, numKvHeads, headDim });
  const ids = lengths.map((_, i) => 100 + i);
  kv.addSequence(1, new Array<number>(3 * blockSize).fill(7)); // filler, freed below
  ids.forEach((id) => kv.addSequence(id, []));
  const row = numKvHeads * headDim;
  const longest = Math.max(...lengths);
  for (let t = 0; t < longest; t++) {
    if (t === Math.floor(longest / 2)) kv.free(1);
    const active = ids.filter((_, i) => lengths[i]! > t);
    for (const id of active) kv.appendToken(id, t);
    const pick = (src: ArrayLike<number>[]) =>
      Float32Array.from(active.flatMap((id) => Array.from({ length: row }, (_, j) => src[ids.indexOf(id)]![t * row + j]!)));
    store.writeLast(1, active, pick(keys), pick(values));
    store.writeLast(0, active, new Float32Array(active.length * row).fill(3), new Float32Array(active.length * row).fill(-3));
  }
  return { kv, store, ids };
}

function randomBatch(seed: number, numSeqs: number, maxLen: number, headsQ: number, numKvHeads: number, headDim: number, blockSize: number) {
  const lengths = Array.from(seededValues(numSeqs, seed, 1, maxLen + 1), (x) => Math.floor(x));
  const keys = lengths.map((n, i) => seededValues(n * numKvHeads * headDim, seed * 31 + i));
  const values = lengths.map((n, i) => seededValues(n * numKvHeads * headDim, seed * 37 + i));
  const q = seededValues(numSeqs * headsQ * headDim, seed * 41);
  return { lengths, keys, values, q, ...build(lengths, numKvHeads, headDim, blockSize, keys, values) };
}

describeBackends('pagedAttention', (backend) => {
  const differentiable = backend === 'cpu' || backend === 'wasm';

  it('matches numpy on the fixture cases (and the gradient with respect to q on cpu and wasm)', async () => {
    // Chromium runs the grouped- and multi-query cases (each new shape compiles shaders there); Node
    // runs all four, including the JS-kernel headDim and the single-token sequence.
    for (const c of differentiable ? cases : [cases[0]!, cases[2]!]) {
      const { store, ids } = build(c.lengths, c.numKvHeads, c.headDim, c.blockSize, c.keys, c.values);
      const shape: [number, number, number] = [c.lengths.length, c.headsQ, c.headDim];
      const q = tf.tensor3d(c.q, shape);
      const options = c.scale === null ? {} : { scale: c.scale };
      const before = numTensors();
      const out = pagedAttention(q, store, 1, ids, options);
      expect(numTensors(), 'only the output is new').toBe(before + 1);
      await expectTensorClose(out, tf.tensor3d(c.out, shape), outTol, `${c.name}: output`);
      // in Chromium pagedAttention already is the reference; on cpu and wasm it is the kernel
      const ref = differentiable ? pagedAttentionReference(q, store, 1, ids, options) : null;
      if (ref) await expectTensorClose(ref, tf.tensor3d(c.out, shape), outTol, `${c.name}: reference`);
      if (differentiable) {
        const g = tf.tensor3d(c.upstream, shape);
        const dq = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(pagedAttention(x, store, 1, ids, options), g)))(q);
        await expectTensorClose(dq, tf.tensor3d(c.dq, shape), gradTol, `${c.name}: dq`);
        const dqRef = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(pagedAttentionReference(x, store, 1, ids, options), g)))(q);
        await expectTensorClose(dqRef, tf.tensor3d(c.dq, shape), gradTol, `${c.name}: reference dq`);
        tf.dispose([g, dq, dqRef]);
      }
        tf.dispose(ref ? [q, out, ref] : [q, out]);
    }
  });

  it('equals exact attention over each sequence’s contiguous K/V on random mixed-length batches', async () => {
    // one small batch in Chromium (every op of the dense reference is a draw call there), four in Node
    const batches = [
      [1, 4, 2, 8, 4, 3],
      [3, 8, 1, 12, 16, 5],
      [2, 3, 3, 4, 5, 5],
      [6, 6, 2, 16, 3, 5],
    ] as const;
    for (const [seed, headsQ, numKvHeads, headDim, blockSize, numSeqs] of batches.slice(0, differentiable ? 4 : 1)) {
      const b = randomBatch(seed, numSeqs, 40, headsQ, numKvHeads, headDim, blockSize);
      const q = tf.tensor3d(b.q, [numSeqs, headsQ, headDim]);
      const out = pagedAttention(q, b.store, 1, b.ids);
      // Exact attention over each sequence's own contiguous K/V: one batched call with the K/V of every
      // sequence laid out contiguously, zero-padded to the longest and masked (so WebGL/WebGPU compile one
      // set of shaders per batch, not one per length).
      const maxLen = Math.max(...b.lengths);
      const row = numKvHeads * headDim;
      const kPad = new Float32Array(numSeqs * maxLen * row);
      const vPad = new Float32Array(numSeqs * maxLen * row);
      const mask = new Int32Array(numSeqs * maxLen);
      b.lengths.forEach((n, i) => {
        kPad.set(b.keys[i]!, i * maxLen * row);
        vPad.set(b.values[i]!, i * maxLen * row);
        mask.fill(1, i * maxLen, i * maxLen + n);
      });
      const dense = tf.tidy(() => {
        const k = tf.transpose(tf.tensor4d(kPad, [numSeqs, maxLen, numKvHeads, headDim]), [0, 2, 1, 3]);
        const v = tf.transpose(tf.tensor4d(vPad, [numSeqs, maxLen, numKvHeads, headDim]), [0, 2, 1, 3]);
        const m = tf.tensor4d(mask, [numSeqs, 1, 1, maxLen], 'int32');
        return tf.reshape(scaledDotProductAttention(tf.reshape(q, [numSeqs, headsQ, 1, headDim]), k, v, { mask: m }), [numSeqs, headsQ, headDim]);
      });
      await expectTensorClose(out, dense, outTol, `batch ${seed} (lengths ${b.lengths.join(', ')})`);
      tf.dispose([q, out, dense]);
    }
  });

  it('the cpu-backend kernel (wasm SIMD in this JS engine) agrees with this backend', async () => {
    const b = randomBatch(4, 4, 30, 4, 2, 8, 4);
    await expectMatchesCpu(() => pagedAttention(tf.tensor3d(b.q, [4, 4, 8]), b.store, 1, b.ids), outTol);
    // the JS kernel of a store outside wasm memory too
    const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4 });
    const plain = new PagedKVStore(kv, { numLayers: 1, numKvHeads: 1, headDim: 4, useWasm: false });
    expect(plain.usesWasm).toBe(false);
    kv.addSequence(0, [1, 2, 3, 4, 5]);
    plain.write(0, 0, seededValues(20, 9), seededValues(20, 10));
    await expectMatchesCpu(() => pagedAttention(tf.tensor3d(seededValues(8, 11), [1, 2, 4]), plain, 0, [0]), outTol);
  });

  it('leaks no tensor, through the kernel and the reference', async () => {
    const b = randomBatch(5, 3, 12, 2, 1, 4, 4);
    const q = tf.tensor3d(b.q, [3, 2, 4]);
    await expectNoLeak(() => pagedAttention(q, b.store, 1, b.ids));
    const nested = await q.array();
    await expectNoLeak(() => pagedAttention(nested, b.store, 1, b.ids));
    await expectNoLeak(() => pagedAttentionReference(q, b.store, 1, b.ids));
    q.dispose();
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});

describeBackends('pagedAttention bad input', () => {
  it('names the argument for each wrong kind or shape, allocates nothing, and changes nothing', () => {
    const kv = new KVCacheManager({ numBlocks: 8, blockSize: 4 });
    const store = new PagedKVStore(kv, { numLayers: 2, numKvHeads: 2, headDim: 4 });
    kv.addSequence(0, [1, 2, 3]);
    kv.addSequence(1, [4]);
    kv.addSequence(2, []); // no tokens: nothing to attend
    kv.addSequence(3, [5]);
    kv.preempt(3, 'recompute');
    const valid = () => [tf.zeros([2, 4, 4]), store, 1, [0, 1]];
    const attempts = expectBadInputs({
      fn: pagedAttention,
      fnName: 'pagedAttention',
      validArgs: valid,
      argNames: ['q', 'store', 'layer', 'seqIds', 'options'],
      cases: {
        q: [null, 'q', 3, {}, tf.zeros([2, 4]), tf.zeros([3, 4, 4]), tf.zeros([2, 3, 4]), tf.zeros([2, 4, 5]), tf.zeros([2, 4, 4], 'bool'), [[1]]],
        store: [null, {}, kv, 'store'],
        layer: [-1, 2, 0.5, '1', null],
        seqIds: [null, 'ab', 0, [], [0, 9], [0, 2], [0, 3], [0, '1']],
        options: [5, 'fast', { scale: 'x' }, { scale: Infinity }, { implementation: 'gpu' }, { implementation: 3 }],
      },
      cleanup: disposeArgs,
      liveCount: numTensors,
    });
    expect(attempts).toBeGreaterThan(30);
    if (tf.getBackend() === 'webgl' || tf.getBackend() === 'webgpu') {
      expect(() => pagedAttention(tf.zeros([2, 4, 4]), store, 1, [0, 1], { implementation: 'kernel' })).toThrow(/implementation/);
    }
    kv.checkInvariants();
  });
});
