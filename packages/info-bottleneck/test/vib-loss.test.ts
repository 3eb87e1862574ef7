import { expect, it } from 'vitest';
import { expectArrayClose, expectBadInputs, expectThrowsNaming } from '@prep/test-utils';
import { describeBackends, disposeArgs, expectMatchesCpu, expectNoLeak, expectTensorClose, isBrowser, numTensors, seededTensor, tf } from '@prep/test-utils/tensor';
import { reparameterize, vibLoss, type VibLossOptions } from '../src/index.js';
import { fixture, type VibCase } from './helpers.js';

// float32 softmax/exp against float64: forward ~1e-6 relative, gradients one product more.
const forwardTol = { atol: 1e-5, rtol: 1e-5 };
const gradTol = { atol: 2e-6, rtol: 2e-5 };

function inputs(c: VibCase): VibLossOptions {
  return {
    mean: tf.tensor2d(c.mean, [c.batch, c.latent]),
    logVariance: tf.tensor2d(c.logVariance, [c.batch, c.latent]),
    logits: tf.tensor2d(c.logits, [c.batch, c.classes]),
    labels: tf.tensor1d(c.labels, 'int32'),
    beta: c.beta,
  };
}
const disposeInputs = (o: VibLossOptions) => tf.dispose([o.mean, o.logVariance, o.logits, o.labels]);

describeBackends('vibLoss', (backend) => {
  it('matches numpy: loss, cross-entropy, KL and the gradients (tf.grads)', async () => {
    // Browser lane: one case (each new shape compiles shaders on SwiftShader); Node: all.
    for (const c of isBrowser ? fixture.vib.slice(0, 1) : fixture.vib) {
      const o = inputs(c);
      const before = numTensors();
      const { loss, crossEntropy, kl } = vibLoss(o);
      expect(numTensors()).toBe(before + 3);
      await expectTensorClose(loss, c.loss, forwardTol, `${c.name} loss`);
      await expectTensorClose(crossEntropy, c.crossEntropy, forwardTol, `${c.name} crossEntropy`);
      await expectTensorClose(kl, c.kl, forwardTol, `${c.name} kl`);
      const grads = tf.grads((m: tf.Tensor, lv: tf.Tensor, lg: tf.Tensor) =>
        vibLoss({ ...o, mean: m as tf.Tensor2D, logVariance: lv as tf.Tensor2D, logits: lg as tf.Tensor2D }).loss,
      )([o.mean, o.logVariance, o.logits]);
      await expectTensorClose(grads[0]!, tf.tensor(c.dMean, o.mean.shape), gradTol, `${c.name} d mean`);
      await expectTensorClose(grads[1]!, tf.tensor(c.dLogVariance, o.mean.shape), gradTol, `${c.name} d logVariance`);
      await expectTensorClose(grads[2]!, tf.tensor(c.dLogits, o.logits.shape), gradTol, `${c.name} d logits`);
      tf.dispose([loss, crossEntropy, kl, ...grads]);
      disposeInputs(o);
    }
  });

  it('KL is exactly 0 at μ = 0, σ = 1 and positive elsewhere; β = 0 leaves the cross-entropy', async () => {
    const labels = tf.tensor1d([0, 2, 1], 'int32');
    const logits = seededTensor([3, 3], 1) as tf.Tensor2D;
    const prior = vibLoss({ mean: tf.zeros([3, 4]), logVariance: tf.zeros([3, 4]), logits, labels, beta: 10 });
    expect((await prior.kl.data())[0]).toBe(0);
    await expectTensorClose(prior.loss, prior.crossEntropy, { atol: 0, rtol: 0 });
    // one unit with μ = 1: KL = ½·1 per example; σ² = e: ½(e − 1 − 1)
    const shifted = vibLoss({ mean: tf.tensor2d([[1, 0], [1, 0], [1, 0]]), logVariance: tf.tensor2d([[0, 1], [0, 1], [0, 1]]), logits, labels, beta: 0 });
    await expectTensorClose(shifted.kl, 0.5 + 0.5 * (Math.E - 2), { atol: 1e-6, rtol: 1e-6 });
    await expectTensorClose(shifted.loss, shifted.crossEntropy, { atol: 0, rtol: 0 });
    // float labels are cast
    const floatLabels = vibLoss({ mean: tf.zeros([3, 1]), logVariance: tf.zeros([3, 1]), logits, labels: tf.tensor1d([0, 2, 1]), beta: 1 });
    await expectTensorClose(floatLabels.crossEntropy, prior.crossEntropy, { atol: 0, rtol: 0 });
    tf.dispose([labels, logits, prior, shifted, floatLabels]);
  });

  it('gradients reach the encoder through reparameterize (tf.grad), and training lowers the loss', async () => {
    const x = seededTensor([6, 3], 2);
    const labels = tf.tensor1d([0, 1, 0, 1, 1, 0], 'int32');
    const w = seededTensor([3, 4], 3); // encoder: μ, log σ² = x·W split in two
    const v = seededTensor([2, 2], 4); // decoder
    const lossOf = (wt: tf.Tensor) => {
      const h = tf.matMul(x, wt);
      const mean = tf.slice(h, [0, 0], [6, 2]) as tf.Tensor2D;
      const logVariance = tf.slice(h, [0, 2], [6, 2]) as tf.Tensor2D;
      const z = reparameterize(mean, logVariance, 17);
      return vibLoss({ mean, logVariance, logits: tf.matMul(z, v), labels, beta: 0.1 }).loss;
    };
    const g = tf.grad(lossOf)(w);
    const gv = await g.data();
    expect(Array.from(gv).every(Number.isFinite)).toBe(true);
    expect(Math.max(...Array.from(gv, Math.abs))).toBeGreaterThan(1e-4);
    const before = (await lossOf(w).data())[0]!;
    const stepped = tf.sub(w, tf.mul(g, 0.5));
    const after = (await lossOf(stepped).data())[0]!;
    expect(after).toBeLessThan(before);
    tf.dispose([x, labels, w, v, g, stepped]);
  });

  it('reparameterize: seeded, σ from log σ², same ε on every backend', async () => {
    const mean = tf.tensor2d([[1, -1], [0, 2]]);
    const a = await reparameterize(mean, tf.fill<tf.Rank.R2>([2, 2], -40), 3).data();
    expectArrayClose(a, [1, -1, 0, 2], { atol: 1e-6, rtol: 0 }, 'σ = e^-20');
    const b1 = await reparameterize(mean, tf.zeros([2, 2]), 5).data();
    const b2 = await reparameterize(mean, tf.zeros([2, 2]), 5).data();
    expect(Array.from(b1)).toEqual(Array.from(b2));
    await expectMatchesCpu(() => reparameterize(tf.tensor2d([[1, -1], [0, 2]]), tf.tensor2d([[0, 1], [-1, 0.5]]), 11), { atol: 1e-6, rtol: 1e-6 });
    mean.dispose();
  });

  it('agrees with the cpu backend and leaks nothing', async () => {
    const make = () => ({
      mean: seededTensor([16, 8], 5) as tf.Tensor2D,
      logVariance: seededTensor([16, 8], 6) as tf.Tensor2D,
      logits: seededTensor([16, 5], 7, -3, 3) as tf.Tensor2D,
      labels: tf.tensor1d(Array.from({ length: 16 }, (_, i) => i % 5), 'int32'),
      beta: 0.3,
    });
    await expectMatchesCpu(() => {
      const { loss, crossEntropy, kl } = vibLoss(make());
      return [loss, crossEntropy, kl];
    });
    const o = make();
    await expectNoLeak(() => vibLoss(o));
    await expectNoLeak(() => reparameterize(o.mean, o.logVariance, 1));
    disposeInputs(o);
  });

  it(`runs on ${backend}`, () => {
    expect(tf.getBackend()).toBe(backend);
  });
});

describeBackends('vibLoss bad input', () => {
  it('names the argument for each wrong kind or shape, and leaks nothing', () => {
    const valid = () => ({ mean: tf.zeros([2, 3]), logVariance: tf.zeros([2, 3]), logits: tf.zeros([2, 4]), labels: tf.tensor1d([0, 1], 'int32'), beta: 1 });
    const cases: [Record<string, unknown>, string][] = [
      [{ mean: null }, 'mean'],
      [{ mean: [[0, 0, 0]] }, 'mean'],
      [{ mean: tf.zeros([2, 3, 1]) }, 'mean'],
      [{ mean: tf.zeros([0, 3]) }, 'mean'],
      [{ logVariance: undefined }, 'logVariance'],
      [{ logVariance: tf.zeros([2, 2]) }, 'logVariance'],
      [{ logVariance: tf.zeros([3, 3]) }, 'logVariance'],
      [{ logits: 'x' }, 'logits'],
      [{ logits: tf.zeros([3, 4]) }, 'logits'],
      [{ logits: tf.zeros([2]) }, 'logits'],
      [{ labels: [0, 1] }, 'labels'],
      [{ labels: tf.tensor1d([0, 1, 1], 'int32') }, 'labels'],
      [{ labels: tf.zeros([2, 1]) }, 'labels'],
      [{ labels: tf.tensor1d([true, false], 'bool') }, 'labels'],
      [{ beta: -1 }, 'beta'],
      [{ beta: NaN }, 'beta'],
      [{ beta: '1' }, 'beta'],
      [{ beta: undefined }, 'beta'],
    ];
    for (const [patch, arg] of cases) {
      const base = valid();
      const before = numTensors();
      expectThrowsNaming(() => vibLoss({ ...base, ...patch } as unknown as VibLossOptions), 'vibLoss', arg);
      expect(numTensors()).toBe(before);
      tf.dispose([...Object.values(base), ...Object.values(patch)].filter((t): t is tf.Tensor => t instanceof tf.Tensor));
    }
    for (const bad of [null, undefined, 3, [1], tf.zeros([1])]) expectThrowsNaming(() => vibLoss(bad as never), 'vibLoss', 'options');
  });

  it('reparameterize names the argument', () => {
    const attempts = expectBadInputs({
      fn: reparameterize,
      fnName: 'reparameterize',
      validArgs: () => [tf.zeros([2, 3]), tf.zeros([2, 3]), 1],
      argNames: ['mean', 'logVariance', 'seed'],
      cases: {
        mean: [null, [[0]], tf.zeros([2]), tf.zeros([2, 4])],
        logVariance: [null, tf.zeros([3, 3]), tf.zeros([2, 3, 1])],
        seed: ['1', 1.5, NaN, null],
      },
      cleanup: disposeArgs,
      liveCount: numTensors,
    });
    expect(attempts).toBe(11);
  });
});
