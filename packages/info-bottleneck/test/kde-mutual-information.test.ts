import { expect, it } from 'vitest';
import fc from 'fast-check';
import { expectArrayClose } from '@prep/test-utils';
import { describeBackends, disposeArgs, isBrowser, numTensors, seededValues, tf } from '@prep/test-utils/tensor';
import { kdeMutualInformation } from '../src/index.js';
import { expectBadInputsAsync, fixture, tensor2d } from './helpers.js';

// float32 distances against float64 references. A squared distance formed as ‖x‖² + ‖y‖² − 2x·y carries an
// absolute error of order ε32·‖x‖², i.e. ε32·‖x‖²/(2σ²) in an exponent: the bound is loose (errors average
// out); measured on cpu and wasm: ≤ 4e-6 bits at σ² = 1e-3, ≤ 6e-7 bits at σ² ≥ 1e-2. Tolerances in bits,
// with room for the GPU backends' exp/log.
function tolerance(noiseVariance: number) {
  return noiseVariance < 5e-3 ? { atol: 1e-4, rtol: 0 } : { atol: 2e-5, rtol: 0 };
}

describeBackends('kdeMutualInformation', (backend) => {
  it('matches numpy (ibsgd kde.py bounds) on tanh- and ReLU-like activations', async () => {
    for (const c of fixture.kde) {
      const t = tensor2d(c.activations, c.shape);
      const got = await kdeMutualInformation(t, c.labels, { noiseVariance: c.noiseVariance });
      const e = c.expected;
      expectArrayClose(
        [got.upper.iXT, got.upper.iTY, got.lower.iXT, got.lower.iTY],
        [e.upper.iXT, e.upper.iTY, e.lower.iXT, e.lower.iTY],
        tolerance(c.noiseVariance),
        c.name,
      );
      t.dispose();
    }
  });

  it('upper bound → log2 N for N distinct points as σ² → 0, → 0 for identical points', async () => {
    const n = 48; // the fixtures' shape [48, 3] (each new shape compiles shaders on SwiftShader)
    const distinct = tf.tensor2d(seededValues(n * 3, 3, -1, 1), [n, 3]);
    const labels = Array.from({ length: n }, (_, i) => i % 3);
    let previous = -Infinity;
    for (const v of [1, 1e-1, 1e-2, 1e-3, 1e-5]) {
      const { upper, lower } = await kdeMutualInformation(distinct, labels, { noiseVariance: v });
      expect(upper.iXT, `monotone in σ² (${v})`).toBeGreaterThanOrEqual(previous - 1e-6);
      expect(lower.iXT).toBeLessThanOrEqual(upper.iXT + 1e-6);
      previous = upper.iXT;
    }
    const tiny = await kdeMutualInformation(distinct, labels, { noiseVariance: 1e-6 });
    expectArrayClose([tiny.upper.iXT, tiny.lower.iXT], [Math.log2(n), Math.log2(n)], { atol: 1e-5, rtol: 0 }, 'σ² → 0');
    expectArrayClose([tiny.upper.iTY, tiny.lower.iTY], [Math.log2(3), Math.log2(3)], { atol: 1e-5, rtol: 0 }, 'I(T;Y) → H(Y)');
    // far below float32's normal range: the scale is clamped and the limit still holds
    const extreme = await kdeMutualInformation(distinct, labels, { noiseVariance: 1e-300 });
    expectArrayClose(extreme.upper.iXT, Math.log2(n), { atol: 1e-5, rtol: 0 }, 'σ² = 1e-300');

    const identical = tf.tensor2d(Array.from({ length: n }, () => [0.37, -0.81, 1e3 + 0.25]));
    for (const v of [1, 1e-3, 1e-8]) {
      const { upper, lower } = await kdeMutualInformation(identical, labels, { noiseVariance: v });
      expectArrayClose([upper.iXT, upper.iTY, lower.iXT, lower.iTY], [0, 0, 0, 0], { atol: 1e-5, rtol: 0 }, `identical, σ² = ${v}`);
    }
    tf.dispose([distinct, identical]);
  });

  it('0 ≤ lower ≤ upper ≤ log2 N and I(T;Y) ≤ H(Y) on random layers (fast-check)', async () => {
    await fc.assert(
      fc.asyncProperty(
        // Browser lane: the fixtures' shape, so no new shaders compile; Node: any shape.
        isBrowser ? fc.constant(48) : fc.integer({ min: 2, max: 24 }),
        isBrowser ? fc.constant(3) : fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.double({ min: -4, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 1e6 }),
        async (n, d, classes, logVariance, seed) => {
          const t = tf.tensor2d(seededValues(n * d, seed, -2, 2), [n, d]);
          const labels = Array.from({ length: n }, (_, i) => i % classes);
          const { upper, lower } = await kdeMutualInformation(t, labels, { noiseVariance: 10 ** logVariance });
          t.dispose();
          const used = Math.min(n, classes);
          const hY = -Array.from({ length: used }, (_, y) => labels.filter((l) => l === y).length / n).reduce((s, p) => s + p * Math.log2(p), 0);
          expect(lower.iXT).toBeGreaterThanOrEqual(0);
          expect(lower.iXT).toBeLessThanOrEqual(upper.iXT + 1e-5);
          expect(upper.iXT).toBeLessThanOrEqual(Math.log2(n) + 1e-9);
          expect(upper.iTY).toBeLessThanOrEqual(hY + 1e-5);
          expect(lower.iTY).toBeLessThanOrEqual(hY + 1e-5);
        },
      ),
      { numRuns: isBrowser ? 6 : 25, seed: 9 },
    );
  });

  it('is translation invariant, accepts int32, converts units, handles one class and singleton classes, leaks nothing', async () => {
    const base = seededValues(48 * 3, 21, -1, 1);
    const t = tf.tensor2d(base, [48, 3]);
    const shifted = tf.add<tf.Tensor2D>(t, 50);
    const labels = Array.from({ length: 48 }, (_, i) => (i < 24 ? 0 : 1));
    const before = numTensors();
    const a = await kdeMutualInformation(t, labels, { noiseVariance: 0.05 });
    expect(numTensors()).toBe(before);
    const b = await kdeMutualInformation(shifted, labels, { noiseVariance: 0.05 });
    expectArrayClose([b.upper.iXT, b.upper.iTY], [a.upper.iXT, a.upper.iTY], { atol: 2e-3, rtol: 0 }, 'shift by 50');
    const nats = await kdeMutualInformation(t, labels, { noiseVariance: 0.05, units: 'nats' });
    expectArrayClose([nats.upper.iXT, nats.lower.iTY], [a.upper.iXT * Math.LN2, a.lower.iTY * Math.LN2], { atol: 1e-9, rtol: 1e-9 }, 'nats');
    // one class: I(T;Y) = 0; every row its own class: I(T;Y) = I(X;T)
    const oneClass = await kdeMutualInformation(t, new Array<number>(48).fill(3), { noiseVariance: 0.05 });
    expectArrayClose([oneClass.upper.iTY, oneClass.lower.iTY, oneClass.upper.iXT], [0, 0, a.upper.iXT], { atol: 1e-6, rtol: 0 }, 'one class');
    const ownClass = await kdeMutualInformation(t, Array.from({ length: 48 }, (_, i) => i), { noiseVariance: 0.05 });
    expectArrayClose([ownClass.upper.iTY, ownClass.lower.iTY], [a.upper.iXT, a.lower.iXT], { atol: 1e-6, rtol: 0 }, 'one row per class');
    const ints = tf.tensor2d([[0, 0], [0, 9], [9, 0], [9, 9]], [4, 2], 'int32');
    const fromInts = await kdeMutualInformation(ints, [0, 0, 1, 1], { noiseVariance: 0.1 });
    expectArrayClose([fromInts.upper.iXT, fromInts.upper.iTY], [2, 1], { atol: 1e-6, rtol: 0 }, 'int32');
    expect(numTensors()).toBe(before + 1);
    tf.dispose([t, shifted, ints]);
  });

  it('rejects bad inputs naming the argument, leaking nothing', async () => {
    const attempts = await expectBadInputsAsync({
      fn: kdeMutualInformation,
      fnName: 'kdeMutualInformation',
      validArgs: () => [tf.tensor2d([[0.1], [0.2], [0.3]]), [0, 1, 0], { noiseVariance: 0.1 }],
      argNames: ['activations', 'labels', 'options'],
      cases: {
        activations: [null, 7, [[0.1], [0.2], [0.3]], tf.zeros([3, 1, 1]), tf.zeros([0, 2]), tf.tensor2d([[0.1], [NaN], [0.3]]), tf.tensor2d([[0.1], [-Infinity], [0.3]])],
        labels: [undefined, {}, [0, 1], [0, 1, 0.5], [0, 1, null]],
        options: [undefined, null, 0.1, {}, { noiseVariance: 0 }, { noiseVariance: -1 }, { noiseVariance: Infinity }, { noiseVariance: '0.1' }, { noiseVariance: 0.1, units: 'BITS' }],
      },
      cleanup: disposeArgs,
    });
    expect(attempts).toBeGreaterThan(18);
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});
