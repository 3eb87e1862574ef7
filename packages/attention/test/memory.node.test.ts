/**
 * The rule of issue 5: the sub-quadratic ops never build an nQ×nK tensor, in the forward pass or in the
 * gradient. Measured with tf.profile (peak bytes, and the largest tensor any kernel produced) at two
 * sizes; exact attention is the control that must fail both checks. Node lane, wasm (the measurement is
 * the engine's, the same on every backend).
 */
import { expect, it } from 'vitest';
import { describeBackends, seededTensor, tf, type TensorProfile } from '@prep/test-utils/tensor';
import {
  bigBirdAttention,
  chunkedAttention,
  linearAttention,
  scaledDotProductAttention,
  slidingWindowAttention,
} from '../src/index.js';
import { profileOp } from './helpers.js';

type Op = (q: tf.Tensor, k: tf.Tensor, v: tf.Tensor) => tf.Tensor;

const HEAD_DIM = 16;
const SMALL = 512;
const LARGE = 1024;

async function measure(op: Op, n: number, gradient: boolean): Promise<TensorProfile> {
  const q = seededTensor([1, 1, n, HEAD_DIM], 1);
  const k = seededTensor([1, 1, n, HEAD_DIM], 2);
  const v = seededTensor([1, 1, n, HEAD_DIM], 3);
  try {
    return await profileOp(() =>
      gradient ? tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => tf.sum(op(a, b, c)))([q, k, v]) : op(q, k, v),
    );
  } finally {
    tf.dispose([q, k, v]);
  }
}

/** Peak growth when n doubles, and whether any kernel produced ≥ n² elements at either size. */
async function growth(op: Op, gradient: boolean): Promise<{ ratio: number; sawSquare: boolean; small: TensorProfile; large: TensorProfile }> {
  const small = await measure(op, SMALL, gradient);
  const large = await measure(op, LARGE, gradient);
  return {
    ratio: large.peakBytes / small.peakBytes,
    sawSquare: small.largestOutputElements >= SMALL * SMALL || large.largestOutputElements >= LARGE * LARGE,
    small,
    large,
  };
}

const subQuadratic: [string, Op][] = [
  ['chunkedAttention', (q, k, v) => chunkedAttention(q, k, v, { chunkSize: 128 })],
  ['chunkedAttention causal', (q, k, v) => chunkedAttention(q, k, v, { chunkSize: 100, causal: true })],
  ['linearAttention elu', (q, k, v) => linearAttention(q, k, v)],
  ['linearAttention favor+ causal', (q, k, v) => linearAttention(q, k, v, { featureMap: 'favor+', numFeatures: 32, causal: true })],
  ['linearAttention relu', (q, k, v) => linearAttention(q, k, v, { featureMap: 'relu', numFeatures: 32 })],
  ['slidingWindowAttention', (q, k, v) => slidingWindowAttention(q, k, v, { window: 64, globalTokens: [0, 100] })],
  ['slidingWindowAttention causal', (q, k, v) => slidingWindowAttention(q, k, v, { window: 32, causal: true })],
  ['bigBirdAttention', (q, k, v) => bigBirdAttention(q, k, v, { blockSize: 32, numRandomBlocks: 2, seed: 1 })],
];

describeBackends(
  'no n×n tensor, forward or gradient',
  () => {
    for (const [name, op] of subQuadratic) {
      it(`${name}: peak memory grows linearly and no kernel output reaches n² (forward and gradient)`, async () => {
        for (const gradient of [false, true]) {
          const { ratio, sawSquare, small, large } = await growth(op, gradient);
          const label = `${name} ${gradient ? 'gradient' : 'forward'}: peak ${small.peakBytes} → ${large.peakBytes} B, largest ${large.largestOutputShape.join('×')}`;
          // Linear growth doubles the peak; quadratic would quadruple it. 2.6 leaves room for fixed costs.
          expect(ratio, label).toBeLessThan(2.6);
          expect(sawSquare, label).toBe(false);
        }
      });
    }

    it('the checks fail for exact attention (the control)', async () => {
      for (const gradient of [false, true]) {
        const { ratio, sawSquare } = await growth((q, k, v) => scaledDotProductAttention(q, k, v), gradient);
        expect(ratio).toBeGreaterThan(3.2);
        expect(sawSquare).toBe(true);
      }
    });

    it('chunked attention at n = 1024 needs under 10% of exact attention\'s peak, forward and gradient', async () => {
      const n = 1024;
      for (const gradient of [false, true]) {
        const exact = await measure((q, k, v) => scaledDotProductAttention(q, k, v), n, gradient);
        const chunked = await measure((q, k, v) => chunkedAttention(q, k, v, { chunkSize: 128 }), n, gradient);
        expect(chunked.peakBytes / exact.peakBytes, gradient ? 'gradient' : 'forward').toBeLessThan(0.1);
      }
    });
  },
  ['wasm'],
);
