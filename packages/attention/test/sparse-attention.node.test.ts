import { expect, it } from 'vitest';
import { expectArrayClose, expectBadInputs, expectThrowsNaming } from '@prep/test-utils';
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
import { bigBirdAttention, bigBirdLayout, scaledDotProductAttention, slidingWindowAttention, type BigBirdLayout } from '../src/index.js';
import fixture from './fixtures/variants.json';
import { forwardAndGrads, identityValues, tensorsOf, type GradCase } from './helpers.js';

interface SlidingCase extends GradCase {
  window: number;
  globalTokens: number[];
  causal: boolean;
}
interface BigBirdCase extends GradCase {
  blockSize: number;
  numRandomBlocks: number;
  numGlobalBlocks: number;
  seed: number;
  layout: BigBirdLayout;
}
const data = fixture as unknown as { sliding: SlidingCase[]; bigbird: BigBirdCase[] };
const slidingCases = data.sliding;
const bigBirdCases = data.bigbird;

// float64 numpy references restricted to the allowed pairs; float32 ops: forward 2e-5, gradients 1e-4.
const forwardTol = { atol: 2e-5, rtol: 2e-5 };
const gradTol = { atol: 1e-4, rtol: 1e-4 };

async function expectCase(c: GradCase, op: (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.Tensor): Promise<void> {
  const { q, k, v, upstream } = tensorsOf(c);
  const before = numTensors();
  const [out, dq, dk, dv] = forwardAndGrads(op, q, k, v, upstream);
  expect(numTensors(), c.name).toBe(before + 4);
  await expectTensorClose(out!, tf.tensor(c.out, out!.shape), forwardTol, `${c.name}: output`);
  await expectTensorClose(dq!, tf.tensor(c.dq, c.qShape), gradTol, `${c.name}: dq`);
  await expectTensorClose(dk!, tf.tensor(c.dk, c.kShape), gradTol, `${c.name}: dk`);
  await expectTensorClose(dv!, tf.tensor(c.dv, c.vShape), gradTol, `${c.name}: dv`);
  tf.dispose([out, dq, dk, dv, q, k, v, upstream]);
}

describeBackends('slidingWindowAttention', (backend) => {
  it('matches numpy (Longformer window, global tokens, causal, nQ < nK), forward and gradients', async () => {
    expect(slidingCases.length).toBeGreaterThanOrEqual(2);
    for (const c of slidingCases) {
      await expectCase(c, (q, k, v) => slidingWindowAttention(q, k, v, { window: c.window, globalTokens: c.globalTokens, causal: c.causal }));
    }
  });

  it('a window covering the whole sequence is full attention; Longformer global tokens; rows sum to 1', async () => {
    const n = 24;
    const q = seededTensor([1, 2, n, 8], 61);
    const k = seededTensor([1, 2, n, 8], 62);
    for (const causal of [false, true]) {
      const eye = identityValues(1, 2, n);
      const full = scaledDotProductAttention(q, k, eye, { causal });
      const covering = slidingWindowAttention(q, k, eye, { window: 2 * (n - 1), causal });
      await expectTensorClose(covering, full, { atol: 1e-6, rtol: 1e-6 }, `covering window, causal ${causal}`);
      tf.dispose([full, covering, eye]);
    }
    // With v = identity rows the output is the attention matrix itself.
    const eye = identityValues(1, 2, n);
    const probs = (await slidingWindowAttention(q, k, eye, { window: 4, globalTokens: [0, 13] }).array());
    for (const head of probs[0]!) {
      head.forEach((row, i) => {
        expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        row.forEach((p, j) => {
          const global = i === 0 || i === 13 || j === 0 || j === 13;
          // Attends exactly the window and the global tokens; global tokens attend and are attended by all.
          if (Math.abs(i - j) <= 2 || global) expect(p, `row ${i} key ${j}`).toBeGreaterThan(0);
          else expect(p, `row ${i} key ${j}`).toBe(0);
        });
      });
    }
    tf.dispose([q, k, eye]);
  });

  it('agrees with cpu and leaks nothing, forward and gradient', async () => {
    await expectMatchesCpu(() => {
      const x = seededTensor([1, 2, 40, 8], 63);
      return [slidingWindowAttention(x, x, x, { window: 8, globalTokens: [5] }), slidingWindowAttention(x, x, x, { window: 6, causal: true })];
    });
    const q = seededTensor([1, 2, 10, 4], 64);
    await expectNoLeak(() => slidingWindowAttention(q, q, q, { window: 2, globalTokens: [3] }));
    await expectNoLeak(() => tf.grad((x: tf.Tensor) => tf.sum(slidingWindowAttention(x, q, q, { window: 4, causal: true, globalTokens: [1] })))(q));
    q.dispose();
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});

describeBackends('bigBirdAttention', (backend) => {
  it('matches numpy (window of 3 blocks, global blocks, seeded random blocks, padding), forward and gradients', async () => {
    expect(bigBirdCases.length).toBeGreaterThanOrEqual(1);
    for (const c of bigBirdCases) {
      const options = { blockSize: c.blockSize, numRandomBlocks: c.numRandomBlocks, numGlobalBlocks: c.numGlobalBlocks, seed: c.seed };
      // The layout drawn by the package equals the one drawn by the independent Python port.
      expect(bigBirdLayout({ sequenceLength: c.qShape[2]!, ...options }), c.name).toEqual(c.layout);
      await expectCase(c, (q, k, v) => bigBirdAttention(q, k, v, options));
    }
  });

  it('layout: window, symmetric globals, r distinct random blocks outside both, seeded', () => {
    const options = { sequenceLength: 1000, blockSize: 32, numRandomBlocks: 3, numGlobalBlocks: 2, seed: 5 };
    const layout = bigBirdLayout(options);
    expect(layout.numBlocks).toBe(32);
    expect(layout.paddedLength).toBe(1024);
    expect(layout.globalBlocks).toEqual([0, 31]);
    layout.attendedBlocks.forEach((blocks, i) => {
      if (layout.globalBlocks.includes(i)) {
        expect(blocks.length).toBe(32);
        return;
      }
      for (const j of [i - 1, i, i + 1, 0, 31]) expect(blocks).toContain(j);
      const random = layout.randomBlocks[i]!;
      expect(new Set(random).size).toBe(3);
      for (const j of random) expect(Math.abs(j - i) > 1 && j !== 0 && j !== 31).toBe(true);
      expect(blocks.length).toBe(new Set([i - 1, i, i + 1, 0, 31]).size + 3);
    });
    expect(bigBirdLayout(options)).toEqual(layout);
    expect(bigBirdLayout({ ...options, seed: 6 }).randomBlocks).not.toEqual(layout.randomBlocks);
    // Odd global count: ⌈g/2⌉ at the start, ⌊g/2⌋ at the end. Too few candidates: take what is left.
    expect(bigBirdLayout({ ...options, numGlobalBlocks: 3 }).globalBlocks).toEqual([0, 1, 31]);
    expect(bigBirdLayout({ sequenceLength: 20, blockSize: 4, numRandomBlocks: 9, numGlobalBlocks: 0, seed: 1 }).randomBlocks[2]).toHaveLength(2);
  });

  it('rows sum to 1, padded keys get no weight, and results agree with cpu', async () => {
    const n = 21;
    const q = seededTensor([1, 1, n, 4], 71);
    const eye = identityValues(1, 1, n);
    const probs = bigBirdAttention(q, q, eye, { blockSize: 4, numRandomBlocks: 1, seed: 3 });
    expectArrayClose(await tf.sum(probs, -1).data(), new Array<number>(n).fill(1), { atol: 1e-5, rtol: 0 }, 'row sums');
    tf.dispose([q, eye, probs]);
    await expectMatchesCpu(() => {
      const x = seededTensor([1, 2, 45, 8], 72);
      return bigBirdAttention(x, x, x, { blockSize: 8, numRandomBlocks: 2, seed: 4 });
    });
    const x = seededTensor([1, 2, 10, 4], 73);
    await expectNoLeak(() => bigBirdAttention(x, x, x, { blockSize: 3, numRandomBlocks: 1, seed: 0 }));
    await expectNoLeak(() => tf.grad((y: tf.Tensor) => tf.sum(bigBirdAttention(y, x, x, { blockSize: 3, numRandomBlocks: 1, seed: 0 })))(x));
    x.dispose();
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});

describeBackends('sparse attention bad input', () => {
  it('slidingWindowAttention names the argument and leaks nothing', () => {
    const attempts = expectBadInputs({
      fn: slidingWindowAttention,
      fnName: 'slidingWindowAttention',
      validArgs: () => [seededTensor([1, 2, 4, 4], 1), seededTensor([1, 1, 6, 4], 2), seededTensor([1, 1, 6, 4], 3), { window: 2 }],
      argNames: ['q', 'k', 'v', 'options'],
      cases: {
        q: [null, tf.zeros([1, 2, 7, 4]), tf.zeros([1, 2, 4, 3])],
        k: ['k', tf.zeros([1, 1, 6])],
        v: [undefined, tf.zeros([1, 1, 5, 4])],
        options: [
          undefined,
          {},
          { window: 3 },
          { window: 0 },
          { window: -2 },
          { window: '4' },
          { window: 4, globalTokens: 0 },
          { window: 4, globalTokens: [6] },
          { window: 4, globalTokens: [-1] },
          { window: 4, globalTokens: [1.5] },
          { window: 4, globalTokens: ['1'] },
          { window: 4, causal: 'no' },
        ],
      },
      cleanup: disposeArgs,
      liveCount: numTensors,
    });
    expect(attempts).toBeGreaterThan(15);
  });

  it('bigBirdAttention and bigBirdLayout name the argument and leak nothing', () => {
    const attempts = expectBadInputs({
      fn: bigBirdAttention,
      fnName: 'bigBirdAttention',
      validArgs: () => [seededTensor([1, 2, 8, 4], 1), seededTensor([1, 1, 8, 4], 2), seededTensor([1, 1, 8, 4], 3), { blockSize: 2, numRandomBlocks: 1, seed: 0 }],
      argNames: ['q', 'k', 'v', 'options'],
      cases: {
        q: [null, tf.zeros([1, 2, 6, 4])],
        k: [7, tf.zeros([1, 1, 8, 5])],
        v: [null],
        options: [
          undefined,
          { numRandomBlocks: 1, seed: 0 },
          { blockSize: 2, seed: 0 },
          { blockSize: 2, numRandomBlocks: 1 },
          { blockSize: 0, numRandomBlocks: 1, seed: 0 },
          { blockSize: 2, numRandomBlocks: -1, seed: 0 },
          { blockSize: 2, numRandomBlocks: 1, seed: 0.5 },
          { blockSize: 2, numRandomBlocks: 1, seed: 0, numGlobalBlocks: 1.5 },
          { blockSize: '2', numRandomBlocks: 1, seed: 0 },
        ],
      },
      cleanup: disposeArgs,
      liveCount: numTensors,
    });
    expect(attempts).toBeGreaterThan(12);
    expectThrowsNaming(() => bigBirdLayout({ blockSize: 4, numRandomBlocks: 1, seed: 0 } as never), 'bigBirdLayout', 'options.sequenceLength');
    expectThrowsNaming(() => bigBirdLayout({ sequenceLength: 0, blockSize: 4, numRandomBlocks: 1, seed: 0 }), 'bigBirdLayout', 'options.sequenceLength');
  });
});
