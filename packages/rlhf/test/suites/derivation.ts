/**
 * Question 2's derivation, executed on a discrete action space:
 * (a) RL view: gradient ascent on J(π) = E_π[r] − β·KL(π ‖ π_ref) converges to klRegularizedOptimum;
 * (b) variational view: J(π*) = β·log Z with Z = Σ π_ref·exp(r/β) (the ELBO is tight at the posterior), and
 *     J(π) ≤ β·log Z for every π;
 * (c) DPO: β·log(π* ÷ π_ref) = r − β·log Z recovers r up to a constant, and minimizing the population DPO loss
 *     on Bradley-Terry preferences under r lands on the same π*.
 */
import fc from 'fast-check';
import { expect, it } from 'vitest';
import { describeBackends, expectTensorClose, tf } from '@prep/test-utils/tensor';
import { dpoLoss, klRegularizedOptimum } from '../../src/index.js';

/** Registers the suite (called by a test file; a module of its own keeps one concept per file). */
export function derivationSuite(): void {
  const REF = [0.3, 0.25, 0.2, 0.15, 0.1];
  const REWARDS = [0.1, 0.9, -0.4, 0.5, 1.2];

  /** J(π) = Σ π r − β Σ π log(π/π_ref), float64. */
  function objective(pi: ArrayLike<number>, ref: readonly number[], r: readonly number[], beta: number): number {
    let value = 0;
    for (let i = 0; i < ref.length; i++) {
      const p = pi[i]!;
      value += p * r[i]!;
      if (p > 0) value -= beta * p * Math.log(p / ref[i]!);
    }
    return value;
  }

  function logZ(ref: readonly number[], r: readonly number[], beta: number): number {
    return Math.log(ref.reduce((s, p, i) => s + p * Math.exp(r[i]! / beta), 0));
  }

  describeBackends(
    'question 2: the KL-regularized objective',
    () => {
      it('(a) gradient ascent on E_π[r] − β·KL(π‖π_ref) over softmax logits converges to klRegularizedOptimum', async () => {
        const betas = [0.2, 0.5, 2];
        // one row of logits per β, optimized together (the rows do not interact)
        const ref = tf.tensor2d([REF, REF, REF]);
        const r = tf.tensor2d([REWARDS, REWARDS, REWARDS]);
        const beta = tf.tensor2d(betas, [3, 1]);
        const logits = tf.tidy(() => tf.variable(tf.zeros([3, REF.length])));
        const optimizer = tf.train.adam(0.3);
        for (let step = 0; step < 250; step++) {
          optimizer.minimize(() => {
            const pi = tf.softmax(logits);
            const kl = tf.sum(tf.mul(pi, tf.sub(tf.logSoftmax(logits), tf.log(ref))), 1, true);
            return tf.neg(tf.sum<tf.Scalar>(tf.sub(tf.sum(tf.mul(pi, r), 1, true), tf.mul(kl, beta))));
          });
        }
        const learned = tf.softmax(logits);
        const rows = (await learned.array()) as number[][];
        for (const [i, b] of betas.entries()) {
          const expected = klRegularizedOptimum(REF, REWARDS, b);
          // gradient ascent on logits slows down where π is small (∂J/∂θ ∝ π): ≈2e-4 left after 250 Adam steps
          await expectTensorClose(rows[i]!, expected, { atol: 3e-4, rtol: 0 }, `β = ${b}`);
          expected.dispose();
        }
        tf.dispose([ref, r, beta, logits, learned]);
        optimizer.dispose();
      });

      it('(b) the optimum attains β·log Z (the tight ELBO) and no distribution does better', async () => {
        for (const beta of [0.05, 0.3, 1, 4]) {
          const pi = klRegularizedOptimum(REF, REWARDS, beta);
          const values = await pi.data();
          pi.dispose();
          const best = beta * logZ(REF, REWARDS, beta);
          expect(Math.abs(objective(values, REF, REWARDS, beta) - best)).toBeLessThan(2e-5 * Math.max(1, Math.abs(best)));
          fc.assert(
            fc.property(fc.array(fc.double({ min: 0.001, max: 1, noNaN: true }), { minLength: 5, maxLength: 5 }), (w) => {
              const total = w.reduce((a, b) => a + b, 0);
              expect(objective(w.map((x) => x / total), REF, REWARDS, beta)).toBeLessThanOrEqual(best + 1e-9);
            }),
            { numRuns: 100, seed: 11 },
          );
        }
      });

      it("(c) DPO's implied reward β·log(π* ÷ π_ref) recovers r up to the constant −β·log Z", async () => {
        for (const beta of [0.1, 0.5, 2]) {
          const pi = klRegularizedOptimum(REF, REWARDS, beta);
          const implied = Array.from(await pi.data(), (p, i) => beta * Math.log(p / REF[i]!));
          pi.dispose();
          const offsets = implied.map((v, i) => v - REWARDS[i]!);
          const constant = -beta * logZ(REF, REWARDS, beta);
          for (const o of offsets) expect(Math.abs(o - constant)).toBeLessThan(1e-5 + 1e-5 * Math.abs(constant));
        }
      });

      it('(c) minimizing the population DPO loss on Bradley-Terry preferences under r lands on π*', async () => {
        // Rewards r = log a make every Bradley-Terry probability rational, a_i / (a_i + a_j), so the population
        // (pairs drawn from π_ref × π_ref, labels drawn from Bradley-Terry) is an exact multiset of 1 860 labeled
        // pairs: pair {i, j} labeled i ≻ j appears (10·π_i)(10·π_j)·a_i·60/(a_i + a_j) times.
        const ref = [0.5, 0.3, 0.2];
        const a = [1, 2, 3];
        const rewards = a.map(Math.log);
        const beta = 0.5;
        const chosen: number[] = [];
        const rejected: number[] = [];
        for (let i = 0; i < 3; i++) {
          for (let j = i + 1; j < 3; j++) {
            const pairWeight = Math.round(10 * ref[i]!) * Math.round(10 * ref[j]!);
            const unit = 60 / (a[i]! + a[j]!);
            for (let k = 0; k < pairWeight * a[i]! * unit; k++) {
              chosen.push(i);
              rejected.push(j);
            }
            for (let k = 0; k < pairWeight * a[j]! * unit; k++) {
              chosen.push(j);
              rejected.push(i);
            }
          }
        }
        expect(chosen.length).toBe(1_860);
        const n = chosen.length;
        const pickChosen = tf.cast(tf.oneHot(tf.tensor1d(chosen, 'int32'), 3), 'float32');
        const pickRejected = tf.cast(tf.oneHot(tf.tensor1d(rejected, 'int32'), 3), 'float32');
        const logRef = tf.reshape(tf.log(tf.tensor1d(ref)), [3, 1]);
        const refChosenLogps = tf.reshape<tf.Rank.R1>(tf.matMul(pickChosen, logRef), [n]);
        const refRejectedLogps = tf.reshape<tf.Rank.R1>(tf.matMul(pickRejected, logRef), [n]);
        const logits = tf.tidy(() => tf.variable(tf.log(tf.tensor1d(ref))));
        const optimizer = tf.train.adam(0.1);
        for (let step = 0; step < 200; step++) {
          optimizer.minimize(() => {
            const logPi = tf.reshape(tf.logSoftmax(logits), [3, 1]);
            return dpoLoss({
              policyChosenLogps: tf.reshape<tf.Rank.R1>(tf.matMul(pickChosen, logPi), [n]),
              policyRejectedLogps: tf.reshape<tf.Rank.R1>(tf.matMul(pickRejected, logPi), [n]),
              refChosenLogps,
              refRejectedLogps,
              beta,
            }).loss;
          });
        }
        const learned = tf.softmax(logits);
        const optimum = klRegularizedOptimum(ref, rewards, beta); // ∝ π_ref · a², exactly
        await expectTensorClose(learned, optimum, { atol: 1e-3, rtol: 0 }, 'DPO population optimum vs π*');
        tf.dispose([pickChosen, pickRejected, logRef, refChosenLogps, refRejectedLogps, logits, learned, optimum]);
        optimizer.dispose();
      });
    },
    // backend-independent mathematics: one backend (the op suites check cpu against wasm)
    ['wasm'],
  );
}
