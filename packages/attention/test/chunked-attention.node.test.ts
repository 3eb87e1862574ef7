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
import { chunkedAttention, scaledDotProductAttention } from '../src/index.js';
import fixture from './fixtures/attention.json';
import { forwardAndGrads, tensorsOf, type GradCase } from './helpers.js';

interface Case extends GradCase {
  causal: boolean;
  scale: number | null;
  maskShape: number[] | null;
}
// The exact-attention fixtures without a mask (chunkedAttention takes none): numpy, float64.
const cases = (fixture as { cases: Case[] }).cases.filter((c) => c.maskShape === null);

// float32 inputs against float64 references; tiles merge through exp/log of row maxima, so a little
// more rounding than the one-shot softmax: forward 3e-5, gradients 1e-4 (abs and rel).
const forwardTol = { atol: 3e-5, rtol: 3e-5 };
const gradTol = { atol: 1e-4, rtol: 1e-4 };

describeBackends('chunkedAttention', (backend) => {
  // Chunk sizes that divide none of the lengths (2, 3) and a single tile (64); the property test in
  // chunked-attention.node.test.ts covers random sizes, 1 included.
  for (const chunkSize of [2, 3, 64]) {
    it(`matches numpy, forward and gradients, chunkSize ${chunkSize}`, async () => {
      expect(cases.length).toBeGreaterThanOrEqual(6);
      for (const c of cases) {
        const { q, k, v, upstream } = tensorsOf(c);
        const options = { causal: c.causal, chunkSize, ...(c.scale === null ? {} : { scale: c.scale }) };
        const before = numTensors();
        const [out, dq, dk, dv] = forwardAndGrads((a, b, d) => chunkedAttention(a, b, d, options), q, k, v, upstream);
        expect(numTensors()).toBe(before + 4);
        await expectTensorClose(out!, tf.tensor(c.out, out!.shape), forwardTol, `${c.name}: output`);
        await expectTensorClose(dq!, tf.tensor(c.dq, c.qShape), gradTol, `${c.name}: dq`);
        await expectTensorClose(dk!, tf.tensor(c.dk, c.kShape), gradTol, `${c.name}: dk`);
        await expectTensorClose(dv!, tf.tensor(c.dv, c.vShape), gradTol, `${c.name}: dv`);
        tf.dispose([out, dq, dk, dv, q, k, v, upstream]);
      }
    });
  }

  it('equals scaledDotProductAttention on a grouped-query case, and agrees with cpu', async () => {
    const q = seededTensor([1, 4, 9, 8], 11);
    const k = seededTensor([1, 2, 11, 8], 12);
    const v = seededTensor([1, 2, 11, 6], 13);
    for (const causal of [false, true]) {
      const a = chunkedAttention(q, k, v, { causal, chunkSize: 4 });
      const b = scaledDotProductAttention(q, k, v, { causal });
      await expectTensorClose(a, b, { atol: 1e-5, rtol: 1e-5 }, `causal ${causal}`);
      tf.dispose([a, b]);
    }
    tf.dispose([q, k, v]);
    await expectMatchesCpu(() => {
      const x = seededTensor([1, 2, 13, 8], 14);
      return chunkedAttention(x, x, x, { causal: true, chunkSize: 4 });
    });
  });

  it('leaks no tensor, forward and gradient', async () => {
    const q = seededTensor([1, 2, 7, 4], 15);
    await expectNoLeak(() => chunkedAttention(q, q, q, { chunkSize: 3 }));
    await expectNoLeak(() => tf.grad((x: tf.Tensor) => tf.sum(chunkedAttention(x, q, q, { causal: true, chunkSize: 3 })))(q));
    q.dispose();
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});

describeBackends('chunkedAttention bad input', () => {
  it('names the argument for each wrong kind, shape or option, and leaks nothing', () => {
    const attempts = expectBadInputs({
      fn: chunkedAttention,
      fnName: 'chunkedAttention',
      validArgs: () => [seededTensor([1, 4, 3, 4], 1), seededTensor([1, 2, 3, 4], 2), seededTensor([1, 2, 3, 4], 3)],
      argNames: ['q', 'k', 'v', 'options'],
      cases: {
        q: ['q', null, undefined, [], tf.zeros([2, 3]), tf.zeros([1, 4, 0, 4]), tf.zeros([1, 4, 3, 5]), tf.zeros([1, 3, 3, 4])],
        k: [null, 7, tf.zeros([1, 2, 3]), tf.zeros([2, 2, 3, 4])],
        v: [null, tf.zeros([1, 2, 4, 4]), tf.tensor([['a']])],
        options: ['causal', 3, null, { causal: 1 }, { scale: NaN }, { chunkSize: 0 }, { chunkSize: 2.5 }, { chunkSize: '4' }, { chunkSize: -3 }],
      },
      cleanup: disposeArgs,
      liveCount: numTensors,
    });
    expect(attempts).toBeGreaterThan(20);
    const q = seededTensor([1, 1, 2, 2], 1);
    expectThrowsNaming(() => chunkedAttention(q, q, q, { chunkSize: Infinity }), 'chunkedAttention', 'options.chunkSize');
    q.dispose();
  });
});
