import { expect, it } from 'vitest';
import { expectThrowsNaming } from '@prep/test-utils';
import { describeBackends, expectTensorClose, numTensors, tf } from '@prep/test-utils/tensor';
import { dpoLoss, type DPOLossType } from '../../src/index.js';
import { fixture, forwardTol } from '../fixture.js';
import { expectOptionErrors } from '../helpers.js';

/** Registers the suite (called by a test file; a module of its own keeps one concept per file). */
export function dpoLossSuite(): void {
  describeBackends('dpoLoss', (backend) => {
    it('matches numpy (TRL dpo_loss): sigmoid, robust, hinge, ipo; β 0.1–1; label smoothing 0, 0.1, 0.2', async () => {
      for (const c of fixture.dpoLoss) {
        const inputs = [c.policyChosen, c.policyRejected, c.refChosen, c.refRejected].map((v) => tf.tensor1d(v));
        const [policyChosenLogps, policyRejectedLogps, refChosenLogps, refRejectedLogps] = inputs as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D, tf.Tensor1D];
        const before = numTensors();
        const out = dpoLoss({
          policyChosenLogps,
          policyRejectedLogps,
          refChosenLogps,
          refRejectedLogps,
          beta: c.beta,
          lossType: c.lossType,
          labelSmoothing: c.labelSmoothing,
        });
        expect(numTensors()).toBe(before + 3);
        const label = `${c.lossType} β=${c.beta} ε=${c.labelSmoothing}`;
        // log-probabilities of −5…−60 differ by a few units: float32 keeps ≈1e-6 of them; IPO squares the margin.
        await expectTensorClose(out.loss, c.loss, { atol: 5e-5, rtol: 5e-5 }, `${label}: loss`);
        await expectTensorClose(out.chosenRewards, c.chosenRewards, forwardTol, `${label}: chosenRewards`);
        await expectTensorClose(out.rejectedRewards, c.rejectedRewards, forwardTol, `${label}: rejectedRewards`);
        tf.dispose([out.loss, out.chosenRewards, out.rejectedRewards, ...inputs]);
      }
    });

    it('is ln 2 at initialization (policy = reference) for sigmoid and robust, with or without label smoothing', async () => {
      const same = tf.tensor1d([-12.5, -7.25, -30, -1, -2, -3]);
      const other = tf.tensor1d([-3, -40, -8, -9, -10, -11]);
      for (const [lossType, labelSmoothing] of [['sigmoid', 0], ['sigmoid', 0.3], ['robust', 0], ['robust', 0.2]] as [DPOLossType, number][]) {
        const out = dpoLoss({ policyChosenLogps: same, policyRejectedLogps: other, refChosenLogps: same, refRejectedLogps: other, lossType, labelSmoothing });
        await expectTensorClose(out.loss, Math.LN2, { atol: 1e-6, rtol: 1e-6 }, `${lossType} ε=${labelSmoothing}`);
        await expectTensorClose(out.chosenRewards, [0, 0, 0, 0, 0, 0], { atol: 0, rtol: 0 }, 'rewards at init');
        tf.dispose([out.loss, out.chosenRewards, out.rejectedRewards]);
      }
      // hinge at init: max(0, 1 − 0) = 1; ipo at init: (0 − 1/(2β))² = 25 for β = 0.1
      const hinge = dpoLoss({ policyChosenLogps: same, policyRejectedLogps: other, refChosenLogps: same, refRejectedLogps: other, lossType: 'hinge' });
      const ipo = dpoLoss({ policyChosenLogps: same, policyRejectedLogps: other, refChosenLogps: same, refRejectedLogps: other, lossType: 'ipo' });
      await expectTensorClose(hinge.loss, 1, forwardTol, 'hinge at init');
      await expectTensorClose(ipo.loss, 25, forwardTol, 'ipo at init');
      tf.dispose([same, other, hinge.loss, hinge.chosenRewards, hinge.rejectedRewards, ipo.loss, ipo.chosenRewards, ipo.rejectedRewards]);
    });

    it(`runs on ${backend}`, () => {
      expect(tf.getBackend()).toBe(backend);
    });
  });

  describeBackends('dpoLoss bad input', () => {
    it('names the option for each wrong kind, shape or value, and leaks nothing', () => {
      const valid = () => ({
        policyChosenLogps: tf.zeros([3]),
        policyRejectedLogps: tf.zeros([3]),
        refChosenLogps: tf.zeros([3]),
        refRejectedLogps: tf.zeros([3]),
      });
      expect(
        expectOptionErrors(dpoLoss, 'dpoLoss', valid, [
          ['policyChosenLogps', null],
          ['policyChosenLogps', tf.zeros([3, 1])],
          ['policyRejectedLogps', tf.zeros([2])],
          ['refChosenLogps', 'x'],
          ['refChosenLogps', tf.zeros([4])],
          ['refRejectedLogps', undefined],
          ['beta', 0],
          ['beta', -1],
          ['beta', '0.1'],
          ['lossType', 'kto'],
          ['lossType', 1],
          ['labelSmoothing', 0.5],
          ['labelSmoothing', -0.1],
          ['labelSmoothing', NaN],
        ]),
      ).toBe(14);
      const z = tf.zeros<tf.Rank.R1>([2]);
      const base = { policyChosenLogps: z, policyRejectedLogps: z, refChosenLogps: z, refRejectedLogps: z };
      expectThrowsNaming(() => dpoLoss({ ...base, lossType: 'ipo', labelSmoothing: 0.1 }), 'dpoLoss', 'options.labelSmoothing', [RangeError]);
      expectThrowsNaming(() => dpoLoss({ ...base, lossType: 'hinge', labelSmoothing: 0.1 }), 'dpoLoss', 'options.labelSmoothing', [RangeError]);
      z.dispose();
    });
  });
}
