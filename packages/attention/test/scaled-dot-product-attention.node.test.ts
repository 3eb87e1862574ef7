import { expect, it } from 'vitest';
import { expectBadInputs, expectThrowsNaming } from '@prep/test-utils';
import {
  describeBackends,
  disposeArgs,
  expectMatchesCpu,
  expectNoLeak,
  expectTensorClose,
  numTensors,
  seededTensor,
  tf,
} from '@prep/test-utils/tensor';
import { scaledDotProductAttention } from '../src/index.js';
import fixture from './fixtures/attention.json';

interface Case {
  name: string;
  causal: boolean;
  scale: number | null;
  maskShape: number[] | null;
  mask: number[] | null;
  qShape: number[];
  kShape: number[];
  vShape: number[];
  q: number[];
  k: number[];
  v: number[];
  upstream: number[];
  out: number[];
  dq: number[];
  dk: number[];
  dv: number[];
}
const cases = (fixture as { cases: Case[] }).cases;

// float32 inputs, float64 reference: outputs agree to ~1e-6; gradients pass through two products more.
const forwardTol = { atol: 2e-5, rtol: 2e-5 };
const gradTol = { atol: 1e-4, rtol: 1e-4 };

function inputs(c: Case) {
  const q = tf.tensor4d(c.q, c.qShape as [number, number, number, number]);
  const k = tf.tensor4d(c.k, c.kShape as [number, number, number, number]);
  const v = tf.tensor4d(c.v, c.vShape as [number, number, number, number]);
  const mask = c.mask && c.maskShape ? tf.tensor(c.mask, c.maskShape, 'int32') : undefined;
  const options = { causal: c.causal, ...(c.scale === null ? {} : { scale: c.scale }), ...(mask ? { mask } : {}) };
  return { q, k, v, mask, options };
}

describeBackends('scaledDotProductAttention', (backend) => {
  for (const c of cases) {
    it(`matches numpy: ${c.name}`, async () => {
      const { q, k, v, mask, options } = inputs(c);
      const before = numTensors();
      const out = scaledDotProductAttention(q, k, v, options);
      expect(numTensors()).toBe(before + 1);
      await expectTensorClose(out, tf.tensor(c.out, out.shape), forwardTol, 'output');
      tf.dispose([out, q, k, v, mask]);
    });

    it(`gradients match numpy: ${c.name}`, async () => {
      const { q, k, v, mask, options } = inputs(c);
      const upstream = tf.tensor(c.upstream, [c.qShape[0]!, c.qShape[1]!, c.qShape[2]!, c.vShape[3]!]);
      const before = numTensors();
      const grads = tf.grads((qq: tf.Tensor, kk: tf.Tensor, vv: tf.Tensor) =>
        tf.sum(tf.mul(scaledDotProductAttention(qq, kk, vv, options), upstream)),
      )([q, k, v]);
      expect(numTensors()).toBe(before + 3);
      await expectTensorClose(grads[0]!, tf.tensor(c.dq, c.qShape), gradTol, 'dq');
      await expectTensorClose(grads[1]!, tf.tensor(c.dk, c.kShape), gradTol, 'dk');
      await expectTensorClose(grads[2]!, tf.tensor(c.dv, c.vShape), gradTol, 'dv');
      tf.dispose([...grads, q, k, v, mask, upstream]);
    });
  }

  it('agrees with the cpu backend on a larger grouped-query case', async () => {
    await expectMatchesCpu(() => {
      const q = seededTensor([2, 8, 33, 16], 1);
      const k = seededTensor([2, 2, 40, 16], 2);
      const v = seededTensor([2, 2, 40, 16], 3);
      return [scaledDotProductAttention(q, k, v), scaledDotProductAttention(q, k, v, { causal: true })];
    });
  });

  it('leaks no tensor, with and without mask', async () => {
    const q = seededTensor([1, 2, 4, 8], 4);
    const mask = tf.tensor([1, 0, 1, 1], [4], 'bool');
    await expectNoLeak(() => scaledDotProductAttention(q, q, q));
    await expectNoLeak(() => scaledDotProductAttention(q, q, q, { causal: true, mask }));
    tf.dispose([q, mask]);
  });

  it('each output row is a convex combination of the value rows', async () => {
    // With v = one-hot rows, the output equals the probability matrix: each row sums to 1, entries ≥ 0.
    const q = seededTensor([1, 1, 6, 4], 5);
    const k = seededTensor([1, 1, 6, 4], 6);
    const v = tf.reshape(tf.eye(6), [1, 1, 6, 6]);
    const p = scaledDotProductAttention(q, k, v, { causal: true });
    const rows = await p.sum(-1).data();
    for (const r of rows) expect(r).toBeCloseTo(1, 5);
    expect(Math.min(...(await p.data()))).toBeGreaterThanOrEqual(0);
    // causal: row i puts no weight on keys after i
    const probs = await p.array();
    expect(probs[0]![0]![0]!.slice(1).every((x) => x === 0)).toBe(true);
    tf.dispose([q, k, v, p]);
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});

describeBackends('scaledDotProductAttention bad input', () => {
  it('names the argument for each wrong kind or shape, and leaks nothing', () => {
    const attempts = expectBadInputs({
      fn: scaledDotProductAttention,
      fnName: 'scaledDotProductAttention',
      validArgs: () => [seededTensor([1, 4, 3, 4], 1), seededTensor([1, 2, 3, 4], 2), seededTensor([1, 2, 3, 4], 3)],
      argNames: ['q', 'k', 'v', 'options'],
      cases: {
        q: ['q', null, undefined, NaN, [], tf.zeros([2, 3]), tf.zeros([1, 4, 0, 4]), tf.zeros([1, 4, 3, 5]), tf.zeros([1, 3, 3, 4])],
        k: ['k', null, 7, tf.zeros([1, 2, 3]), tf.zeros([2, 2, 3, 4]), tf.zeros([1, 2, 3, 5])],
        v: [null, tf.zeros([1, 2, 4, 4]), tf.zeros([1, 1, 3, 4]), tf.tensor([['a']])],
        options: ['causal', 3, null, { causal: 'yes' }, { scale: NaN }, { scale: '1' }, { mask: [1, 0] }, { mask: tf.ones([2, 3, 3]) }],
      },
      cleanup: disposeArgs,
      liveCount: numTensors,
    });
    expect(attempts).toBeGreaterThan(20);
  });
  it('options errors name the option', () => {
    const q = seededTensor([1, 1, 2, 2], 1);
    expectThrowsNaming(() => scaledDotProductAttention(q, q, q, { scale: Infinity }), 'scaledDotProductAttention', 'scale');
    expectThrowsNaming(() => scaledDotProductAttention(q, q, q, { mask: tf.ones([3, 2]) }), 'scaledDotProductAttention', 'mask');
    q.dispose();
  });
});
