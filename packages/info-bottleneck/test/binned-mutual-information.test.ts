import { expect, it } from 'vitest';
import fc from 'fast-check';
import { expectArrayClose } from '@prep/test-utils';
import { describeBackends, disposeArgs, numTensors, seededValues, tf } from '@prep/test-utils/tensor';
import { binnedMutualInformation } from '../src/index.js';
import { expectBadInputsAsync, fixture, tensor2d } from './helpers.js';

// Both sides bin the same float32 values against the same float32 edges and count in float64: the only
// difference is the order of floating-point sums, so values agree to a few ulps.
const exact = { atol: 1e-12, rtol: 1e-12 };

describeBackends('binnedMutualInformation', (backend) => {
  it('matches numpy (IDNNs binning) on tanh- and ReLU-like activations', async () => {
    for (const c of fixture.binned) {
      const t = tensor2d(c.activations, c.shape);
      const got = await binnedMutualInformation(t, c.labels, { bins: c.bins, range: c.range });
      expectArrayClose([got.iXT, got.iTY], [c.expected.iXT, c.expected.iTY], exact, c.name);
      t.dispose();
    }
  });

  it("the range problem: ReLU activations above 1 collapse into one bin unless range is 'auto'", async () => {
    // Four inputs whose ReLU activity differs only above 1: with IDNNs' fixed [-1, 1] range they share the
    // catch-all top bin and the estimate says the layer forgot everything.
    const relu = tf.tensor2d([[1.5], [2.5], [3.5], [4.5]]);
    const labels = [0, 0, 1, 1];
    const fixed = await binnedMutualInformation(relu, labels);
    const adaptive = await binnedMutualInformation(relu, labels, { range: 'auto' });
    expect(fixed).toEqual({ iXT: 0, iTY: 0 });
    expectArrayClose([adaptive.iXT, adaptive.iTY], [2, 1], exact, 'auto range');
    relu.dispose();

    // A seeded ReLU layer: fixed [-1, 1] loses most of the information that 'auto' still sees.
    const pre = seededValues(256 * 4, 11, -2, 6);
    const layer = tf.relu(tf.tensor2d(pre, [256, 4]));
    const ids = Array.from({ length: 256 }, (_, i) => i % 2);
    const lost = await binnedMutualInformation(layer, ids);
    const kept = await binnedMutualInformation(layer, ids, { range: 'auto' });
    expect(kept.iXT).toBeGreaterThan(lost.iXT + 2);
    expect(kept.iXT).toBeLessThanOrEqual(8);
    // For tanh-like activations inside [-1, 1] the two ranges differ only by the bin width.
    const tanh = tf.tanh<tf.Tensor2D>(tf.tensor2d(seededValues(256 * 4, 12, -2, 2), [256, 4]));
    const a = await binnedMutualInformation(tanh, ids);
    const b = await binnedMutualInformation(tanh, ids, { range: 'auto' });
    expect(Math.abs(a.iXT - b.iXT)).toBeLessThan(0.5);
    tf.dispose([layer, tanh]);
  });

  it('I(X;T) ≤ log2(number of distinct inputs), I(T;Y) ≤ min(I(X;T), H(Y)) for any layer (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 12 }), // distinct inputs
        fc.integer({ min: 1, max: 40 }), // rows
        fc.integer({ min: 1, max: 3 }), // units
        fc.integer({ min: 2, max: 40 }), // bins
        fc.integer({ min: 1, max: 1e6 }), // seed
        fc.boolean(),
        async (inputs, rows, units, bins, seed, auto) => {
          // T is a function of the input: rows that repeat an input repeat its activations.
          const table = seededValues(inputs * units, seed, -1.5, 1.5);
          const inputOf = Array.from(seededValues(rows, seed + 1, 0, inputs), (u) => Math.min(inputs - 1, Math.floor(u)));
          const values = inputOf.flatMap((x) => Array.from(table.subarray(x * units, (x + 1) * units)));
          const labels = inputOf.map((x) => x % 2); // Y a function of X too
          const distinct = new Set(inputOf).size;
          const t = tf.tensor2d(values, [rows, units]);
          const got = await binnedMutualInformation(t, labels, { bins, range: auto ? 'auto' : [-1, 1] });
          t.dispose();
          const ones = labels.filter((y) => y === 1).length / rows;
          const hY = ones === 0 || ones === 1 ? 0 : -(ones * Math.log2(ones) + (1 - ones) * Math.log2(1 - ones));
          expect(got.iXT).toBeGreaterThanOrEqual(0);
          expect(got.iXT).toBeLessThanOrEqual(Math.log2(distinct) + 1e-12);
          expect(got.iTY).toBeGreaterThanOrEqual(0);
          expect(got.iTY).toBeLessThanOrEqual(Math.min(got.iXT, hY) + 1e-12);
        },
      ),
      { numRuns: 40, seed: 5 },
    );
  });

  it('edge cases: one row, identical rows, one class, int32 activations, nats', async () => {
    const one = tf.tensor2d([[0.3, 0.2]]);
    expect(await binnedMutualInformation(one, [4])).toEqual({ iXT: 0, iTY: 0 });
    const same = tf.tensor2d([[0.3], [0.3], [0.3]]);
    expect(await binnedMutualInformation(same, [0, 1, 2])).toEqual({ iXT: 0, iTY: 0 });
    const distinct = tf.tensor2d([[-0.9], [-0.3], [0.3], [0.9]]);
    expect(await binnedMutualInformation(distinct, new Int32Array([7, 7, 7, 7]))).toEqual({ iXT: 2, iTY: 0 });
    const nats = await binnedMutualInformation(distinct, [0, 0, 1, 1], { units: 'nats' });
    expectArrayClose([nats.iXT, nats.iTY], [2 * Math.LN2, Math.LN2], exact, 'nats');
    // Labels are only compared: negative and sparse ids work.
    const sparse = await binnedMutualInformation(distinct, [-5, -5, 100, 100]);
    expectArrayClose([sparse.iXT, sparse.iTY], [2, 1], exact, 'sparse labels');
    const ints = tf.tensor2d([[0], [1], [2], [3]], [4, 1], 'int32');
    expect(await binnedMutualInformation(ints, [0, 1, 0, 1], { range: [0, 3], bins: 4 })).toEqual({ iXT: 2, iTY: 1 });
    // Below the range: clamped into the first bin (IDNNs would wrap it to the last one).
    const below = tf.tensor2d([[-5], [-1], [0.99], [1]]);
    const wrapped = await binnedMutualInformation(below, [0, 0, 1, 1], { bins: 3 });
    expectArrayClose([wrapped.iXT, wrapped.iTY], [1.5, 1], exact, 'below range');
    tf.dispose([one, same, distinct, ints, below]);
  });

  it('creates no tensors and leaves its input alone', async () => {
    const t = tf.tensor2d([[0.1, 0.2], [0.3, 0.4]]);
    const before = numTensors();
    await binnedMutualInformation(t, [0, 1]);
    expect(numTensors()).toBe(before);
    expect(t.isDisposed).toBe(false);
    t.dispose();
  });

  it('rejects bad inputs naming the argument, leaking nothing', async () => {
    const attempts = await expectBadInputsAsync({
      fn: binnedMutualInformation,
      fnName: 'binnedMutualInformation',
      validArgs: () => [tf.tensor2d([[0.1], [0.2], [0.3]]), [0, 1, 0]],
      argNames: ['activations', 'labels', 'options'],
      cases: {
        activations: [null, undefined, [[0.1], [0.2], [0.3]], 'a', tf.zeros([3]), tf.zeros([3, 0]), tf.tensor2d([[true], [false], [true]], [3, 1], 'bool'), tf.tensor2d([[0.1], [NaN], [0.3]]), tf.tensor2d([[Infinity], [0], [0]])],
        labels: [null, 'abc', new Float32Array(3), [0, 1], [0, 1, 0, 1], [0, 0.5, 1], [0, '1', 0], [0, NaN, 1], new Int32Array(2)],
        options: [3, 'bits', null, [1], { bins: 1 }, { bins: 2.5 }, { bins: '30' }, { bins: 70000 }, { range: [1, -1] }, { range: [0] }, { range: 'fixed' }, { range: 5 }, { range: [0, NaN] }, { units: 'bytes' }, { units: 2 }],
      },
      cleanup: disposeArgs,
    });
    expect(attempts).toBeGreaterThan(30);
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});
