// Invariants checked on random inputs (fast-check). Node lane only: many small cases.
import { expect, it } from 'vitest';
import fc from 'fast-check';
import { describeBackends, tf } from '@prep/test-utils/tensor';
import { MoELayer, expertLoad, squaredDeviationLoss, switchLoadBalancingLoss, topKRouting } from '../src/index.js';
import { gatherRows, scatterRows } from '../src/internal/row-map.js';
import { denseDispatchForward } from '../bench/dense-dispatch.js';

const runs = { numRuns: 20, seed: 42 };

/** Random [T, k] expert choices, distinct within a row. */
const choices = fc
  .record({ tokens: fc.integer({ min: 1, max: 12 }), experts: fc.integer({ min: 1, max: 6 }), k: fc.integer({ min: 1, max: 3 }), seed: fc.integer() })
  .filter(({ experts, k }) => k <= experts)
  .map(({ tokens, experts, k, seed }) => {
    let state = seed >>> 0;
    const next = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0), state / 2 ** 32);
    const rows = Array.from({ length: tokens }, () => {
      const pool = Array.from({ length: experts }, (_, e) => e);
      for (let i = pool.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      return pool.slice(0, k);
    });
    return { tokens, experts, k, rows, logits: Array.from({ length: tokens * experts }, () => 4 * next() - 2), mask: rows.map(() => (next() < 0.8 ? 1 : 0)) };
  });

describeBackends('MoE invariants', () => {
  it('uniform router probabilities give a Switch loss of exactly k, whatever the choices', async () => {
    await fc.assert(
      fc.asyncProperty(choices, async ({ tokens, experts, k, rows }) => {
        const probs = tf.fill([tokens, experts], 1 / experts);
        const indices = tf.tensor2d(rows, [tokens, k], 'int32');
        const loss = (await switchLoadBalancingLoss(probs, indices).data())[0]!;
        tf.dispose([probs, indices]);
        expect(loss).toBeCloseTo(k, 5);
      }),
      runs,
    );
  });

  it('squared deviation = CV²/E for every assignment (population variance)', async () => {
    await fc.assert(
      fc.asyncProperty(choices, async ({ tokens, experts, k, rows }) => {
        const indices = tf.tensor2d(rows, [tokens, k], 'int32');
        const load = await expertLoad(indices, experts);
        const loss = (await squaredDeviationLoss(indices, experts).data())[0]!;
        indices.dispose();
        expect(loss).toBeCloseTo(load.coefficientOfVariation ** 2 / experts, 5);
      }),
      runs,
    );
  });

  it('capacity keeps exactly the first assignments of each expert queue (rank-major, token order), never more than capacity', async () => {
    await fc.assert(
      fc.asyncProperty(choices, fc.double({ min: 0.1, max: 2, noNaN: true }), async ({ tokens, experts, k, logits, mask }, factor) => {
        const z = tf.tensor2d(logits, [tokens, experts]);
        const m = tf.tensor1d(mask, 'int32');
        const r = topKRouting(z, k, { capacityFactor: factor, mask: m });
        const indices = Array.from(await r.indices.data());
        const keep = Array.from(await r.keep.data());
        tf.dispose([z, m, r.indices, r.weights, r.probs, r.keep]);
        const capacity = Math.ceil((factor * k * tokens) / experts);
        expect(r.capacity).toBe(capacity);
        const queued = new Array<number>(experts).fill(0);
        const expected = new Array<number>(tokens * k).fill(0);
        for (let j = 0; j < k; j++) {
          for (let t = 0; t < tokens; t++) {
            if (!mask[t]) continue;
            const e = indices[t * k + j]!;
            if (queued[e]! < capacity) expected[t * k + j] = 1;
            queued[e]!++;
          }
        }
        expect(keep).toEqual(expected);
      }),
      runs,
    );
  });

  it('the sparse layer equals dense one-hot dispatch at evaluation, for any size', async () => {
    await fc.assert(
      fc.asyncProperty(choices, fc.integer({ min: 1, max: 5 }), async ({ tokens, experts, k, logits }, dHidden) => {
        const dModel = 3;
        const layer = new MoELayer({ dModel, dHidden, numExperts: experts, k, seed: tokens + experts });
        const x = tf.tensor2d(logits.slice(0, tokens).flatMap((v, i) => [v, Math.sin(i), Math.cos(v)]), [tokens, dModel]);
        const r = layer.apply(x);
        const dense = denseDispatchForward(layer, x);
        const a = await r.output.data();
        const b = await dense.data();
        tf.dispose([x, r.output, r.auxLoss, r.zLoss, r.tokensPerExpert, dense]);
        layer.dispose();
        for (let i = 0; i < b.length; i++) expect(a[i]!).toBeCloseTo(b[i]!, 5);
      }),
      runs,
    );
  });

  it('gathering rows and scatter-adding them back are adjoint, and each is the other\'s gradient', async () => {
    await fc.assert(
      fc.asyncProperty(choices, async ({ tokens, k, rows, mask }) => {
        // Slots → tokens as the layer builds them: each real token once per choice.
        const slots: number[] = [];
        rows.forEach((_, t) => {
          for (let j = 0; j < k; j++) if (mask[t]) slots.push(t);
        });
        if (slots.length === 0) return;
        const index = Int32Array.from(slots);
        const x = tf.randomNormal([tokens, 2], 0, 1, 'float32', tokens);
        const y = tf.randomNormal([index.length, 2], 0, 1, 'float32', index.length);
        const lhs = (await tf.sum(tf.mul(gatherRows(x as tf.Tensor2D, index), y)).data())[0]!;
        const scattered = scatterRows(y as tf.Tensor2D, index, tokens);
        const rhs = (await tf.sum(tf.mul(x, scattered)).data())[0]!;
        expect(lhs).toBeCloseTo(rhs, 4);
        const gx = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(gatherRows(input as tf.Tensor2D, index), y)))(x);
        const gy = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(scatterRows(input as tf.Tensor2D, index, tokens), x)))(y);
        const gathered = gatherRows(x as tf.Tensor2D, index);
        expect(Array.from(await gx.data())).toEqual(Array.from(await scattered.data()));
        expect(Array.from(await gy.data())).toEqual(Array.from(await gathered.data()));
        tf.dispose([x, y, gx, gy, scattered, gathered]);
      }),
      runs,
    );
  });
});
