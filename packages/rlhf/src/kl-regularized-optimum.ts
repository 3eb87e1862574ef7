import * as tf from '@tensorflow/tfjs-core';
import { expectShape, floatTensor, numberArg } from './internal/validate.js';

const FN = 'klRegularizedOptimum';
/** Logit of a response outside the reference's support: exp underflows to exactly 0 (finite, unlike −∞, on every backend). */
const OUTSIDE_SUPPORT = -1e30;

/**
 * The closed-form maximizer of the KL-regularized RLHF objective E_π[r] − β·KL(π ‖ π_ref) over a discrete
 * set of responses: π*(y) = π_ref(y)·exp(r(y)/β) / Z with Z = Σ_y π_ref(y)·exp(r(y)/β), along the last axis.
 * It is also the posterior of the variational view (prior π_ref, likelihood ∝ exp(r/β)); the objective's
 * maximum is β·log Z, and β·log(π* ÷ π_ref) = r − β·log Z, which is why DPO can read a reward off a policy.
 *
 * Computed as a softmax of log π_ref + r/β, so a large r/β does not overflow. Responses with π_ref = 0 get
 * π* = 0 (and no NaN gradient). Differentiable in `rewards` (and in `refProbs` where positive).
 *
 * @param refProbs - reference probabilities ≥ 0, `[..., actions]` (normalized or not: only ratios matter)
 * @param rewards - rewards r(y), the same shape
 * @param beta - KL strength β > 0
 * @returns π*, the shape of `refProbs`, each row summing to 1; owned by the caller
 * @throws TypeError when an input is not a tensor/array or beta not a number; RangeError for mismatched
 *   shapes, empty tensors, or β ≤ 0 / not finite
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { klRegularizedOptimum } from '@prep/rlhf';
 * const ref = tf.tensor1d([0.5, 0.5]);
 * const r = tf.tensor1d([1, 0]);
 * klRegularizedOptimum(ref, r, 1).arraySync(); // [e/(e+1), 1/(e+1)] ≈ [0.731, 0.269]
 * ```
 */
export function klRegularizedOptimum(refProbs: tf.Tensor | tf.TensorLike, rewards: tf.Tensor | tf.TensorLike, beta: number): tf.Tensor {
  const b = numberArg(beta, FN, 'beta', { above: 0 });
  return tf.tidy(() => {
    const ref = floatTensor(refProbs, FN, 'refProbs', null);
    const r = floatTensor(rewards, FN, 'rewards', null);
    expectShape(r, ref.shape, FN, 'rewards', 'refProbs');
    const support = tf.greater(ref, 0);
    // log of 1 where π_ref = 0 keeps the gradient finite; those logits are then replaced by OUTSIDE_SUPPORT.
    const logRef = tf.log(tf.where(support, ref, tf.onesLike(ref)));
    const logits = tf.where(support, tf.add(logRef, tf.div(r, b)), tf.fill(ref.shape, OUTSIDE_SUPPORT));
    return tf.softmax(logits);
  });
}
