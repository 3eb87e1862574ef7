/**
 * Every op on every backend: cpu and wasm in the Node lane, webgl and webgpu in the browser lane. One small
 * numpy fixture per op, forward and gradients, plus one comparison of all ops with the cpu backend. The
 * exhaustive suites (all fixtures, properties, memory) are the `*.node.test.ts` files: in the browser lane
 * SwiftShader compiles a shader for each new op and shape, so this file keeps shapes few and small.
 */
import { expect, it } from 'vitest';
import { describeBackends, expectMatchesCpu, expectNoLeak, expectTensorClose, numTensors, seededTensor, tf } from '@prep/test-utils/tensor';
import {
  bigBirdAttention,
  chunkedAttention,
  linearAttention,
  LinearAttentionState,
  MultiHeadAttention,
  scaledDotProductAttention,
  slidingWindowAttention,
  type LinearAttentionOptions,
} from '../src/index.js';
import exactFixture from './fixtures/attention.json';
import variantFixture from './fixtures/variants.json';
import { forwardAndGrads, tensorsOf, type GradCase, type Op } from './helpers.js';

type Named = GradCase & Record<string, unknown>;
const exact = (exactFixture as unknown as { cases: Named[] }).cases;
const variants = variantFixture as unknown as Record<'linear' | 'sliding' | 'bigbird', Named[]>;
const pick = (list: Named[], name: string): Named => {
  const found = list.find((c) => c.name === name);
  if (!found) throw new Error(`no fixture case '${name}'`);
  return found;
};

const decode = pick(exact, 'causal nQ < nK (decode with cache)');
const masked = pick(exact, 'mask [b,1,nq,nk] + scale 0.3');
const favor = pick(variants.linear, 'favor+ causal gqa');
const elu = pick(variants.linear, 'elu causal nQ < nK');
const relu = pick(variants.linear, 'relu orthogonal');
const sliding = pick(variants.sliding, 'nQ < nK window 2 + global');
const bigbird = pick(variants.bigbird, 'padded (n 22, block 4), r 2');
const linearOptions = (c: Named): LinearAttentionOptions => ({
  featureMap: c.featureMap as 'elu' | 'relu' | 'favor+',
  causal: c.causal as boolean,
  orthogonal: c.orthogonal as boolean,
  seed: c.seed as number,
  ...(c.numFeatures === null ? {} : { numFeatures: c.numFeatures as number }),
});

const cases: [string, Named, Op, { atol: number; rtol: number }][] = [
  [
    'scaledDotProductAttention (mask, scale, grouped-query)',
    masked,
    (q, k, v) => scaledDotProductAttention(q, k, v, { scale: 0.3, mask: tf.tensor(masked.mask as number[], masked.maskShape as number[], 'int32') }),
    { atol: 1e-4, rtol: 1e-4 },
  ],
  ['chunkedAttention (causal, nQ < nK, chunk 3)', decode, (q, k, v) => chunkedAttention(q, k, v, { causal: true, chunkSize: 3 }), { atol: 1e-4, rtol: 1e-4 }],
  ['linearAttention favor+ (causal, grouped-query)', favor, (q, k, v) => linearAttention(q, k, v, linearOptions(favor)), { atol: 5e-4, rtol: 5e-4 }],
  ['linearAttention elu (causal, nQ < nK)', elu, (q, k, v) => linearAttention(q, k, v, linearOptions(elu)), { atol: 5e-4, rtol: 5e-4 }],
  ['linearAttention relu (orthogonal features)', relu, (q, k, v) => linearAttention(q, k, v, linearOptions(relu)), { atol: 5e-4, rtol: 5e-4 }],
  [
    'slidingWindowAttention (window 2, global tokens, nQ < nK)',
    sliding,
    (q, k, v) => slidingWindowAttention(q, k, v, { window: sliding.window as number, globalTokens: sliding.globalTokens as number[] }),
    { atol: 1e-4, rtol: 1e-4 },
  ],
  [
    'bigBirdAttention (padded, random blocks)',
    bigbird,
    (q, k, v) =>
      bigBirdAttention(q, k, v, {
        blockSize: bigbird.blockSize as number,
        numRandomBlocks: bigbird.numRandomBlocks as number,
        numGlobalBlocks: bigbird.numGlobalBlocks as number,
        seed: bigbird.seed as number,
      }),
    { atol: 1e-4, rtol: 1e-4 },
  ],
];

describeBackends('every op against numpy, forward and gradients', (backend) => {
  for (const [name, c, op, tolerance] of cases) {
    it(name, async () => {
      // float32 on the backend against float64 numpy (linear: finite-difference gradients): tolerances above.
      const { q, k, v, upstream } = tensorsOf(c);
      const before = numTensors();
      const [out, dq, dk, dv] = forwardAndGrads(op, q, k, v, upstream);
      expect(numTensors() - before, 'the op leaves only its results (and the mask it was given)').toBeLessThanOrEqual(5);
      await expectTensorClose(out!, tf.tensor(c.out, out!.shape), tolerance, `${name}: output`);
      await expectTensorClose(dq!, tf.tensor(c.dq, c.qShape), tolerance, `${name}: dq`);
      await expectTensorClose(dk!, tf.tensor(c.dk, c.kShape), tolerance, `${name}: dk`);
      await expectTensorClose(dv!, tf.tensor(c.dv, c.vShape), tolerance, `${name}: dv`);
      tf.dispose([out, dq, dk, dv, q, k, v, upstream]);
    });
  }

  it('every op agrees with the cpu backend, and leaks nothing', async () => {
    const build = (): tf.Tensor[] => {
      const q = seededTensor([1, 2, 8, 4], 1);
      const kv = seededTensor([1, 1, 8, 4], 2);
      const state = new LinearAttentionState({ featureMap: 'favor+', numFeatures: 8 });
      const step = state.step(tf.slice(q, [0, 0, 0, 0], [1, 2, 1, 4]), tf.slice(kv, [0, 0, 0, 0], [1, 1, 1, 4]), tf.slice(kv, [0, 0, 0, 0], [1, 1, 1, 4]));
      state.dispose();
      const block = new MultiHeadAttention({ modelDim: 8, numHeads: 2, seed: 1 });
      const mixed = block.apply(tf.reshape(q, [1, 8, 8]));
      block.dispose();
      return [
        scaledDotProductAttention(q, kv, kv, { causal: true }),
        chunkedAttention(q, kv, kv, { chunkSize: 3 }),
        linearAttention(q, kv, kv, { featureMap: 'favor+', numFeatures: 8, causal: true }),
        slidingWindowAttention(q, kv, kv, { window: 2, globalTokens: [0] }),
        bigBirdAttention(q, kv, kv, { blockSize: 2, numRandomBlocks: 1, seed: 0 }),
        step,
        mixed,
      ];
    };
    await expectMatchesCpu(build, { atol: 1e-4, rtol: 1e-4 });
    await expectNoLeak(() => tf.tidy(build));
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});
