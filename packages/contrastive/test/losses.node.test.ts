import { expect, it } from 'vitest';
import { describeBackends, expectTensorClose, numTensors, tf } from '@prep/test-utils/tensor';
import { caseInputs, fixture, lossFn, valueAndGrads, type LossCase } from './helpers.js';

// float32 against float64 references. Losses are sums of ≤ 64² terms of size ≤ 20: agree to ~1e-6 relative.
const lossTol = { atol: 1e-5, rtol: 1e-5 };
// Gradient entries are O(1/N); float32 products and sums over N terms keep ~1e-6 of the largest entry.
const gradTol = { atol: 2e-6, rtol: 1e-4 };
// dScale, dBias: sums over N² terms.
const scalarGradTol = { atol: 1e-5, rtol: 1e-4 };

async function expectMatchesNumpy(c: LossCase, chunkSize: number | null): Promise<void> {
  const label = `${c.name} ${chunkSize === null ? 'dense' : `chunk ${chunkSize}`}`;
  const inputs = caseInputs(c);
  const before = numTensors();
  const { value, grads } = valueAndGrads(lossFn(c, chunkSize), inputs);
  expect(numTensors(), `${label}: tensors kept`).toBe(before + 5);
  await expectTensorClose(value, c.loss, lossTol, `${label}: loss`);
  await expectTensorClose(grads[0]!, tf.tensor2d(c.dImage, [c.n, c.dim]), gradTol, `${label}: dImage`);
  await expectTensorClose(grads[1]!, tf.tensor2d(c.dText, [c.n, c.dim]), gradTol, `${label}: dText`);
  await expectTensorClose(grads[2]!, c.dScale, scalarGradTol, `${label}: dScale`);
  await expectTensorClose(grads[3]!, c.dBias, scalarGradTol, `${label}: dBias`);
  tf.dispose([value, ...grads, ...inputs]);
}

describeBackends('losses against numpy (value and gradients w.r.t. both embeddings, scale and bias)', (backend) => {
  for (const c of fixture.losses) {
    const chunkSizes = c.n > 20 ? [32, 8] : [5, c.n, c.n + 3];
    it(`${c.name}: dense and chunks ${chunkSizes.join(', ')} [${backend}]`, async () => {
      await expectMatchesNumpy(c, null);
      for (const chunkSize of chunkSizes) await expectMatchesNumpy(c, chunkSize);
    });
  }
});
