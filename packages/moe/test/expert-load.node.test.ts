import { expect, it } from 'vitest';
import { expectRejectsNaming } from '@prep/test-utils';
import { describeBackends, expectTensorClose, numTensors, tf } from '@prep/test-utils/tensor';
import { expertLoad, squaredDeviationLoss, summarizeCounts } from '../src/index.js';

describeBackends('expertLoad', (backend) => {
  it(`counts, shares, entropy, CV and dead experts; the TSDoc example [${backend}]`, async () => {
    expect(tf.getBackend()).toBe(backend);
    const indices = tf.tensor2d([[0], [0], [0], [1]], [4, 1], 'int32');
    const before = numTensors();
    const load = await expertLoad(indices, 4);
    expect(numTensors()).toBe(before);
    expect(load.counts).toEqual([3, 1, 0, 0]);
    expect(load.fractions).toEqual([0.75, 0.25, 0, 0]);
    expect(load.deadExperts).toBe(2);
    expect(load.topExpert).toBe(0);
    expect(load.maxFraction).toBe(0.75);
    expect(load.entropy).toBeCloseTo(-(0.75 * Math.log(0.75) + 0.25 * Math.log(0.25)), 14);
    // counts [3, 1, 0, 0]: mean 1, population variance (4 + 0 + 1 + 1)/4 = 1.5
    expect(load.coefficientOfVariation).toBeCloseTo(Math.sqrt(1.5), 14);
    // top-2 over all slots, with a padding mask
    const top2 = tf.tensor2d([[0, 1], [2, 3], [1, 0], [3, 3]], [4, 2], 'int32');
    const mask = tf.tensor1d([1, 1, 1, 0], 'bool');
    const masked = await expertLoad(top2, 4, { mask });
    expect(masked.counts).toEqual([2, 2, 1, 1]);
    const even = await expertLoad(tf.tensor2d([[0, 1], [2, 3]], [2, 2], 'int32'), 4);
    expect(even.coefficientOfVariation).toBe(0);
    expect(even.entropy).toBeCloseTo(Math.log(4), 14);
    tf.dispose([indices, top2, mask]);
  });

  it('ties the question\'s squared deviation to the coefficient of variation: Σ(f − 1/E)² = CV²/E', async () => {
    const cases: number[][][] = [
      [[0], [0], [1], [2], [2], [2]],
      [[0, 1], [0, 2], [0, 3], [1, 2], [4, 0]],
      [[3], [3], [3], [3]],
    ];
    for (const rows of cases) {
      const experts = 5;
      const indices = tf.tensor2d(rows, [rows.length, rows[0]!.length], 'int32');
      const load = await expertLoad(indices, experts);
      const loss = squaredDeviationLoss(indices, experts);
      await expectTensorClose(loss, load.coefficientOfVariation ** 2 / experts, { atol: 1e-7, rtol: 1e-6 }, JSON.stringify(rows));
      tf.dispose([indices, loss]);
    }
  });

  it('rejects bad input with a TypeError/RangeError naming the argument, and leaks nothing', async () => {
    const good = tf.tensor2d([[0], [1]], [2, 1], 'int32');
    const vector = tf.zeros([2]);
    const wrongMask = tf.ones([3]);
    const before = numTensors();
    await expectRejectsNaming(() => expertLoad(null as never, 2), 'expertLoad', 'indices');
    await expectRejectsNaming(() => expertLoad(vector, 2), 'expertLoad', 'indices');
    await expectRejectsNaming(() => expertLoad(good, 0), 'expertLoad', 'numExperts');
    await expectRejectsNaming(() => expertLoad(good, 1.5), 'expertLoad', 'numExperts');
    await expectRejectsNaming(() => expertLoad(good, '2' as never), 'expertLoad', 'numExperts');
    await expectRejectsNaming(() => expertLoad(good, 1), 'expertLoad', 'indices', [RangeError]);
    await expectRejectsNaming(() => expertLoad(good, 2, { mask: wrongMask }), 'expertLoad', 'mask');
    await expectRejectsNaming(() => expertLoad(good, 2, 'x' as never), 'expertLoad', 'options');
    expect(numTensors()).toBe(before);
    tf.dispose([good, vector, wrongMask]);
  });
});

it('summarizeCounts handles no assignments and ties', () => {
  const empty = summarizeCounts([0, 0, 0]);
  expect(empty.fractions).toEqual([0, 0, 0]);
  expect(empty.entropy).toBe(0);
  expect(Number.isNaN(empty.coefficientOfVariation)).toBe(true);
  expect(empty.deadExperts).toBe(3);
  expect(summarizeCounts([2, 5, 5]).topExpert).toBe(1);
});
