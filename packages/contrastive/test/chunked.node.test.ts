/**
 * The chunked losses against the dense ones: a port of open_clip's tests/test_siglip_chunked_loss.py
 * (the same scenarios for CLIP), fast-check properties over shapes and chunk sizes, and the memory test
 * (peak tensor bytes grow linearly in N; no kernel ever makes an N×N tensor).
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeBackends, expectTensorClose, profileTensors, seededTensor, tf } from '@prep/test-utils/tensor';
import { chunkedClipLoss, chunkedSiglipLoss, clipLoss, siglipLoss } from '../src/index.js';
import { openClipInputs, valueAndGrads } from './helpers.js';

type Loss = (i: tf.Tensor, t: tf.Tensor, s: tf.Tensor, b: tf.Tensor) => tf.Scalar;

const dense: Record<'clip' | 'siglip', Loss> = {
  clip: (i, t, s, b) => clipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, { logitBias: b as tf.Scalar }),
  siglip: (i, t, s, b) => siglipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, b as tf.Scalar),
};
const chunked = (chunkSize: number): Record<'clip' | 'siglip', Loss> => ({
  clip: (i, t, s, b) => chunkedClipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, { logitBias: b as tf.Scalar, chunkSize }),
  siglip: (i, t, s, b) => chunkedSiglipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, b as tf.Scalar, { chunkSize }),
});

// open_clip: torch.allclose(ref, chunked, atol=1e-5) forward, and 1e-5 for the gradients.
const openClipTol = { atol: 1e-5, rtol: 0 };

async function expectSameValueAndGrads(kind: 'clip' | 'siglip', inputs: tf.Tensor[], chunkSize: number, tol = openClipTol, label = ''): Promise<void> {
  const ref = valueAndGrads(dense[kind], inputs);
  const got = valueAndGrads(chunked(chunkSize)[kind], inputs);
  const what = `${kind} chunk ${chunkSize}${label}`;
  await expectTensorClose(got.value, ref.value, tol, `${what}: value`);
  const names = ['dImage', 'dText', 'dScale', 'dBias'];
  for (let k = 0; k < 4; k++) await expectTensorClose(got.grads[k]!, ref.grads[k]!, tol, `${what}: ${names[k]}`);
  tf.dispose([ref.value, got.value, ...ref.grads, ...got.grads]);
}

describeBackends('chunked losses = dense losses (open_clip test_siglip_chunked_loss.py, and the same for CLIP)', (backend) => {
  for (const kind of ['siglip', 'clip'] as const) {
    it(`${kind}: B=64, D=32, scale 10, bias −10, chunk sizes 64, 32, 8, 1: forward atol 1e-5 [${backend}]`, async () => {
      const inputs = openClipInputs(64);
      for (const chunkSize of [64, 32, 8, 1]) {
        const ref = dense[kind](...inputs);
        const got = chunked(chunkSize)[kind](...inputs);
        await expectTensorClose(got, ref, openClipTol, `${kind} chunk ${chunkSize}`);
        tf.dispose([ref, got]);
      }
      tf.dispose(inputs);
    });

    it(`${kind}: B=64 backward at chunks 32 and 8, uneven B=70 with chunk 8 (last strip 6 rows) [${backend}]`, async () => {
      const inputs = openClipInputs(64);
      for (const chunkSize of [32, 8]) await expectSameValueAndGrads(kind, inputs, chunkSize);
      const uneven = openClipInputs(70, 32, 1);
      await expectSameValueAndGrads(kind, uneven, 8);
      tf.dispose([...inputs, ...uneven]);
    });

    it(`${kind}: all gradients with frozen towers (test_chunked_all_gradients), B=19, chunks 1, 7, 32 [${backend}]`, async () => {
      const inputs = openClipInputs(19, 32, 2);
      // which of (image, text, scale, bias) are trained, as open_clip's `trainable` patterns
      const patterns = [[true, true, true, true], [false, true, true, true], [true, false, true, true], [false, false, true, true]];
      for (const chunkSize of [1, 7, 32]) {
        for (const pattern of patterns) {
          const trained = inputs.filter((_, k) => pattern[k]);
          const fix = (f: Loss) => (...xs: tf.Tensor[]) => {
            let next = 0;
            const all = inputs.map((x, k) => (pattern[k] ? xs[next++]! : x));
            return f(all[0]!, all[1]!, all[2]!, all[3]!);
          };
          const ref = tf.grads(fix(dense[kind]))(trained);
          const got = tf.grads(fix(chunked(chunkSize)[kind]))(trained);
          for (let k = 0; k < ref.length; k++) await expectTensorClose(got[k]!, ref[k]!, { atol: 1e-5, rtol: 1e-5 }, `${kind} chunk ${chunkSize} ${pattern.join('/')} grad ${k}`);
          tf.dispose([...ref, ...got]);
        }
      }
      tf.dispose(inputs);
    });
  }

  it(`optional bias (test_chunked_autocast_and_optional_bias, float32 part): B=35, chunk 8, with and without a bias [${backend}]`, async () => {
    const [image, text, scale, bias] = openClipInputs(35, 32, 3);
    for (const withBias of [false, true]) {
      const f = (chunkSize: number | null) => (i: tf.Tensor, t: tf.Tensor, s: tf.Tensor) => {
        const options = withBias ? { logitBias: bias } : {};
        return chunkSize === null
          ? clipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, options)
          : chunkedClipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, { ...options, chunkSize });
      };
      const ref = tf.valueAndGrads(f(null))([image, text, scale]);
      const got = tf.valueAndGrads(f(8))([image, text, scale]);
      await expectTensorClose(got.value, ref.value, { atol: 1e-5, rtol: 1e-5 }, `bias ${withBias}: value`);
      for (let k = 0; k < 3; k++) await expectTensorClose(got.grads[k]!, ref.grads[k]!, { atol: 1e-5, rtol: 1e-5 }, `bias ${withBias}: grad ${k}`);
      tf.dispose([ref.value, got.value, ...ref.grads, ...got.grads]);
    }
    tf.dispose([image, text, scale, bias]);
  });

  it(`property: for any N, dim, chunk size, scale, bias and normalize, chunked = dense in value and all gradients [${backend}]`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          n: fc.integer({ min: 1, max: 24 }),
          dim: fc.integer({ min: 1, max: 6 }),
          chunkSize: fc.integer({ min: 1, max: 30 }),
          scale: fc.double({ min: 0.5, max: 40, noNaN: true }),
          bias: fc.double({ min: -12, max: 12, noNaN: true }),
          normalize: fc.boolean(),
          seed: fc.integer({ min: 1, max: 1_000_000 }),
        }),
        async ({ n, dim, chunkSize, scale, bias, normalize, seed }) => {
          const image = seededTensor([n, dim], seed);
          const text = seededTensor([n, dim], seed + 1);
          const inputs = [image, text, tf.scalar(scale), tf.scalar(bias)];
          for (const kind of ['clip', 'siglip'] as const) {
            const d: Loss = kind === 'clip'
              ? (i, t, s, b) => clipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, { logitBias: b as tf.Scalar, normalize })
              : (i, t, s, b) => siglipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, b as tf.Scalar, { normalize });
            const c: Loss = kind === 'clip'
              ? (i, t, s, b) => chunkedClipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, { logitBias: b as tf.Scalar, normalize, chunkSize })
              : (i, t, s, b) => chunkedSiglipLoss(i as tf.Tensor2D, t as tf.Tensor2D, s as tf.Scalar, b as tf.Scalar, { normalize, chunkSize });
            const ref = valueAndGrads(d, inputs);
            const got = valueAndGrads(c, inputs);
            // relative to the size of the loss: logits reach |scale| + |bias| ≈ 50 here
            const tol = { atol: 2e-5 * (1 + Math.abs(scale) + Math.abs(bias)), rtol: 1e-4 };
            await expectTensorClose(got.value, ref.value, tol, `${kind} value`);
            for (let k = 0; k < 4; k++) await expectTensorClose(got.grads[k]!, ref.grads[k]!, tol, `${kind} grad ${k}`);
            tf.dispose([ref.value, got.value, ...ref.grads, ...got.grads]);
          }
          tf.dispose(inputs);
        },
      ),
      { numRuns: 12, seed: 8 },
    );
  });
});

// Tensor bytes are counted by the engine, the same on every backend: measured once, on wasm (the cpu
// backend's broadcasting kernels make the dense N = 512 gradient slow).
describeBackends('chunked losses: memory', (backend) => {
  it(`memory: peak tensor bytes of value + all gradients grow linearly in N, no N×N tensor (dense grows as N²) [${backend}]`, async () => {
    const dim = 8;
    const chunkSize = 16;
    const [smallN, largeN] = [256, 512];
    const profile = async (n: number, f: Loss) => {
      const inputs = [seededTensor([n, dim], 1), seededTensor([n, dim], 2), tf.scalar(10), tf.scalar(-10)];
      // tf.profile would otherwise read every kernel's output back to check it for NaN
      const check = tf.env().getBool('CHECK_COMPUTATION_FOR_ERRORS');
      tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', false);
      try {
        return await profileTensors(() => tf.grads(f)(inputs));
      } finally {
        tf.env().set('CHECK_COMPUTATION_FOR_ERRORS', check);
        tf.dispose(inputs);
      }
    };
    for (const kind of ['clip', 'siglip'] as const) {
      const small = await profile(smallN, chunked(chunkSize)[kind]);
      const large = await profile(largeN, chunked(chunkSize)[kind]);
      const ratio = large.peakBytes / small.peakBytes;
      expect(ratio, `${kind} chunked: peak ${small.peakBytes} → ${large.peakBytes} bytes`).toBeLessThan(2.3);
      expect(ratio).toBeGreaterThan(1.7);
      // the largest tensor any kernel produced is a [chunkSize, N] strip or an [N, dim] matrix
      expect(large.largestOutputElements).toBeLessThanOrEqual(Math.max(chunkSize * largeN, dim * largeN));
      // the dense loss on the same inputs: quadratic, and its largest tensor is N×N
      const denseSmall = await profile(smallN, dense[kind]);
      const denseLarge = await profile(largeN, dense[kind]);
      expect(denseLarge.peakBytes / denseSmall.peakBytes, `${kind} dense`).toBeGreaterThan(3.5);
      expect(denseLarge.largestOutputElements).toBe(largeN * largeN);
      expect(large.peakBytes).toBeLessThan(denseLarge.peakBytes / 4);
    }
  });
}, ['wasm']);
