import { expect, it } from 'vitest';
import { expectBadInputs } from '@prep/test-utils';
import { describeBackends, disposeArgs, expectMatchesCpu, expectTensorClose, numTensors, seededTensor, tf } from '@prep/test-utils/tensor';
import { topKRouting, type TopKRoutingResult } from '../src/index.js';
import { fixture } from './helpers.js';

// Softmax of float32 logits against float64: ~1e-7 relative; the gradient passes one more product.
const probTol = { atol: 1e-6, rtol: 1e-5 };
const gradTol = { atol: 1e-6, rtol: 1e-4 };

function dispose(r: TopKRoutingResult): void {
  tf.dispose([r.indices, r.weights, r.probs, r.keep]);
}

describeBackends('topKRouting', (backend) => {
  it(`matches numpy: indices, gates, probabilities, capacity keep mask and d gates / d logits [${backend}]`, async () => {
    expect(tf.getBackend()).toBe(backend);
    for (const c of fixture.routing) {
      const logits = tf.tensor2d(c.logits, [c.tokens, c.numExperts]);
      const mask = c.mask ? tf.tensor1d(c.mask, 'int32') : undefined;
      const options = {
        normalize: c.normalize,
        ...(c.capacityFactor === null ? {} : { capacityFactor: c.capacityFactor }),
        ...(mask ? { mask } : {}),
      };
      const before = numTensors();
      const r = topKRouting(logits, c.k, options);
      expect(numTensors()).toBe(before + 4);
      expect(r.capacity, `${c.name}: capacity`).toBe(c.capacity);
      expect(r.indices.dtype).toBe('int32');
      expect(r.keep.dtype).toBe('int32');
      expect(Array.from(await r.indices.data()), `${c.name}: indices`).toEqual(c.indices);
      expect(Array.from(await r.keep.data()), `${c.name}: keep`).toEqual(c.keep);
      await expectTensorClose(r.probs, tf.tensor2d(c.probs, [c.tokens, c.numExperts]), probTol, `${c.name}: probs`);
      await expectTensorClose(r.weights, tf.tensor2d(c.weights, [c.tokens, c.k]), probTol, `${c.name}: weights`);
      const upstream = tf.tensor2d(c.upstream, [c.tokens, c.k]);
      const dLogits = tf.grad((z: tf.Tensor) => {
        const routed = topKRouting(z, c.k, options);
        return tf.sum(tf.mul(routed.weights, upstream));
      })(logits);
      await expectTensorClose(dLogits, tf.tensor2d(c.dLogits, [c.tokens, c.numExperts]), gradTol, `${c.name}: d gates / d logits`);
      dispose(r);
      tf.dispose([logits, mask, upstream, dLogits]);
    }
  });

  it('drops in token order, first choices before second choices; padding takes no capacity; eval drops nothing', async () => {
    // TSDoc example: capacity ceil(1·1·3/4) = 1, expert 0 keeps the first token only.
    const example = tf.tensor2d([[2, 1, 0, 0], [2, 0, 1, 0], [2, 0, 0, 1]]);
    const r1 = topKRouting(example, 1, { capacityFactor: 1 });
    expect(await r1.indices.array()).toEqual([[0], [0], [0]]);
    expect(await r1.keep.array()).toEqual([[1], [0], [0]]);
    expect(r1.weights.shape).toEqual([3, 1]);
    // Eval mode: nothing dropped unless an eval capacity factor is given.
    const evalRun = topKRouting(example, 1, { capacityFactor: 1, training: false });
    expect(await evalRun.keep.array()).toEqual([[1], [1], [1]]);
    expect(evalRun.capacity).toBe(3);
    const evalCapped = topKRouting(example, 1, { capacityFactor: 1, evalCapacityFactor: 2, training: false });
    expect(evalCapped.capacity).toBe(2);
    expect(await evalCapped.keep.array()).toEqual([[1], [1], [0]]);
    // Rank-major priority (Mesh-TF/GShard): token 2's first choice (expert 1) outranks token 0's second.
    // 3 tokens, E = 2, k = 2, c = 0.5: capacity ceil(0.5·2·3/2) = 2.
    const ranked = tf.tensor2d([[5, 1], [5, 1], [1, 5]]);
    const r2 = topKRouting(ranked, 2, { capacityFactor: 0.5 });
    expect(r2.capacity).toBe(2);
    expect(await r2.indices.array()).toEqual([[0, 1], [0, 1], [1, 0]]);
    // expert 0: firsts of tokens 0, 1 fill it; token 2's second choice is dropped.
    // expert 1: token 2's first choice, then token 0's second; token 1's second is dropped.
    expect(await r2.keep.array()).toEqual([[1, 1], [1, 0], [1, 0]]);
    // A padding token is never kept and does not take a place in the queue.
    const mask = tf.tensor1d([0, 1, 1], 'bool');
    const r3 = topKRouting(example, 1, { capacityFactor: 1, mask });
    expect(await r3.keep.array()).toEqual([[0], [1], [0]]);
    [r1, evalRun, evalCapped, r2, r3].forEach(dispose);
    tf.dispose([example, ranked, mask]);
  });

  it('ports HF test_max_routing_capacity: no expert keeps more than its capacity, and the kept are the first', async () => {
    // 4 groups of 128 tokens, 8 features, 2 experts, expert_capacity 4 = ceil(c·1·128/2) with c = 1/16.
    const router = seededTensor([8, 2], 11);
    for (let group = 0; group < 4; group++) {
      const hidden = seededTensor([128, 8], 100 + group, 0, 1);
      const logits = tf.matMul(hidden, router);
      const r = topKRouting(logits, 1, { capacityFactor: 1 / 16 });
      expect(r.capacity).toBe(4);
      const indices = (await r.indices.data()) as Int32Array;
      const keep = (await r.keep.data()) as Int32Array;
      const kept = [0, 0];
      const seen = [0, 0];
      for (let t = 0; t < 128; t++) {
        const e = indices[t]!;
        expect(keep[t], `token ${t} of expert ${e}`).toBe(seen[e]! < 4 ? 1 : 0);
        seen[e]!++;
        kept[e]! += keep[t]!;
      }
      expect(kept.every((n, e) => n === Math.min(4, seen[e]!))).toBe(true);
      expect(kept[0]! + kept[1]!).toBeLessThanOrEqual(2 * 4);
      dispose(r);
      tf.dispose([hidden, logits]);
    }
    router.dispose();
  });

  it('noise is seeded, applies only in training, and ties go to the lower expert index', async () => {
    const logits = seededTensor([6, 5], 3);
    const a = topKRouting(logits, 2, { noiseStd: 1, seed: 7 });
    const b = topKRouting(logits, 2, { noiseStd: 1, seed: 7 });
    const c = topKRouting(logits, 2, { noiseStd: 1, seed: 8 });
    const clean = topKRouting(logits, 2, { noiseStd: 1, seed: 7, training: false });
    await expectTensorClose(a.probs, b.probs, { atol: 0, rtol: 0 }, 'same seed');
    // Seed 0 (the default) is a seed too: tfjs alone would treat it as "unseeded".
    const zeroA = topKRouting(logits, 2, { noiseStd: 1 });
    const zeroB = topKRouting(logits, 2, { noiseStd: 1, seed: 0 });
    await expectTensorClose(zeroA.probs, zeroB.probs, { atol: 0, rtol: 0 }, 'seed 0 reproduces');
    [zeroA, zeroB].forEach(dispose);
    expect(Array.from(await a.probs.data())).not.toEqual(Array.from(await c.probs.data()));
    await expectTensorClose(clean.probs, tf.softmax(logits), probTol, 'no noise at evaluation');
    const tied = topKRouting(tf.zeros([3, 4]), 2);
    expect(await tied.indices.array()).toEqual([[0, 1], [0, 1], [0, 1]]);
    await expectTensorClose(tied.weights, tf.fill([3, 2], 0.5), probTol, 'normalised ties');
    const raw = topKRouting(tf.zeros([3, 4]), 2, { normalize: false });
    await expectTensorClose(raw.weights, tf.fill([3, 2], 0.25), probTol, 'raw ties');
    [a, b, c, clean, tied, raw].forEach(dispose);
    logits.dispose();
  });

  it('agrees with the cpu backend on a larger case and leaks nothing', async () => {
    await expectMatchesCpu(() => {
      const logits = seededTensor([96, 16], 21, -3, 3);
      const r = topKRouting(logits, 2, { capacityFactor: 1.25 });
      return [r.weights, r.probs, tf.cast(r.indices, 'float32'), tf.cast(r.keep, 'float32')];
    });
    const logits = seededTensor([10, 4], 5);
    const mask = tf.ones([10]);
    const before = numTensors();
    dispose(topKRouting(logits, 3, { capacityFactor: 0.5, mask, noiseStd: 0.1 }));
    dispose(topKRouting(logits, 1));
    expect(numTensors()).toBe(before);
    tf.dispose([logits, mask]);
  });
});

describeBackends('topKRouting bad input', () => {
  it('names the argument for each wrong kind or value, and leaks nothing', () => {
    const attempts = expectBadInputs({
      fn: topKRouting,
      fnName: 'topKRouting',
      validArgs: () => [seededTensor([5, 4], 1), 2],
      argNames: ['logits', 'k', 'options'],
      cases: {
        logits: [null, undefined, 'logits', 5, tf.zeros([5]), tf.zeros([2, 3, 4]), tf.zeros([0, 4]), tf.tensor([['a']])],
        k: [0, 5, -1, 1.5, NaN, '2', null, undefined],
        options: [
          'train',
          7,
          null,
          { capacityFactor: 0 },
          { capacityFactor: -1 },
          { capacityFactor: '1' },
          { evalCapacityFactor: NaN },
          { normalize: 1 },
          { noiseStd: -0.1 },
          { noiseStd: Infinity },
          { seed: 'x' },
          { training: 'yes' },
          { mask: [1, 1] },
          { mask: tf.ones([4]) },
        ],
      },
      cleanup: disposeArgs,
      liveCount: numTensors,
    });
    expect(attempts).toBeGreaterThan(25);
  });
});
