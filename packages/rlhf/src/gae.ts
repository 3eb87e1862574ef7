import * as tf from '@tensorflow/tfjs-core';
import { expectShape, floatTensor, maskTensor, numberArg, requiredOptions } from './internal/validate.js';

/** Options of {@link gae}. */
export interface GAEOptions {
  /** Per-token rewards `[batch, T]` (e.g. from {@link klPenalizedRewards}). */
  rewards: tf.Tensor2D;
  /** Value estimates V_t `[batch, T]` from the value head, at the policy's old parameters. */
  values: tf.Tensor2D;
  /** 0/1 `[batch, T]`, 1 = real token. Default: every token is real. */
  mask?: tf.Tensor2D;
  /** Discount γ in [0, 1] (TRL's default 1). */
  gamma: number;
  /** GAE λ in [0, 1] (TRL's default 0.95). */
  lambda: number;
}

/** Result of {@link gae}. */
export interface GAEResult {
  /** Â_t = Σ_{s≥t} (γλ)^{s−t} δ_s, `[batch, T]`; 0 at masked positions. Not whitened (see {@link whiten}). */
  advantages: tf.Tensor2D;
  /** Value targets Â_t + V_t, `[batch, T]`; 0 at masked positions. */
  returns: tf.Tensor2D;
}

const FN = 'gae';
/** Time steps per block of the scan: a [CHUNK, CHUNK] discount matrix per block keeps memory O(T·CHUNK). */
const CHUNK = 128;

/**
 * Generalized advantage estimation (Schulman et al. 2016) as TRL v0.8.6's `compute_advantages`:
 * δ_t = r_t + γV_{t+1} − V_t, Â_t = δ_t + γλÂ_{t+1}, with the rewards and values multiplied by the mask
 * first, so the value after the last real token is 0; returns = Â + V.
 *
 * The backward recursion runs as matrix products with a discount matrix (γλ)^{s−t} over blocks of 128
 * steps, carrying Â from block to block, so it costs O(T·128) memory and ⌈T/128⌉ sequential steps instead of
 * T tiny kernels. Convention where TRL leaves it open: advantages and returns are 0 at masked positions
 * (TRL leaves unused values there). Masks are meant to be contiguous (a masked prompt prefix and right
 * padding); a masked hole inside a sequence is treated as TRL does (reward and value 0 there, the recursion
 * runs through it). Differentiable, though PPO treats the result as constants.
 *
 * @param options - `rewards`, `values`, optional `mask`, all `[batch, T]`; `gamma`; `lambda`
 * @returns `{ advantages, returns }`, each `[batch, T]` and owned by the caller
 * @throws TypeError when an option has the wrong kind; RangeError for mismatched shapes, empty tensors, or
 *   γ, λ outside [0, 1]
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { gae } from '@prep/rlhf';
 * const { advantages, returns } = gae({
 *   rewards: tf.tensor2d([[0, 0, 1]]),
 *   values: tf.tensor2d([[0.5, 0.5, 0.5]]),
 *   gamma: 1,
 *   lambda: 1,
 * });
 * advantages.arraySync(); // [[0.5, 0.5, 0.5]]: Monte-Carlo return 1 minus the value 0.5
 * returns.arraySync();    // [[1, 1, 1]]
 * ```
 */
export function gae(options: GAEOptions): GAEResult {
  const opts = requiredOptions<GAEOptions>(options, FN);
  const gamma = numberArg(opts.gamma, FN, 'options.gamma', { min: 0, max: 1 });
  const lambda = numberArg(opts.lambda, FN, 'options.lambda', { min: 0, max: 1 });
  const [advantages, returns] = tf.tidy(() => {
    const rewardsIn = floatTensor<tf.Rank.R2>(opts.rewards, FN, 'options.rewards', 2);
    const valuesIn = floatTensor<tf.Rank.R2>(opts.values, FN, 'options.values', 2);
    expectShape(valuesIn, rewardsIn.shape, FN, 'options.values', 'options.rewards');
    const mask = opts.mask === undefined ? null : maskTensor(opts.mask, rewardsIn.shape, FN, 'options.rewards');
    const [batch, steps] = rewardsIn.shape;
    const rewards = mask ? tf.mul(rewardsIn, mask) : rewardsIn;
    const values = mask ? tf.mul(valuesIn, mask) : valuesIn;
    const nextValues = steps === 1 ? tf.zeros([batch, 1]) : tf.concat([tf.slice(values, [0, 1], [batch, steps - 1]), tf.zeros([batch, 1])], 1);
    const deltas = tf.sub(tf.add(rewards, tf.mul(nextValues, gamma)), values);
    let adv = discountedSuffixSums(deltas as tf.Tensor2D, gamma * lambda);
    let ret: tf.Tensor = tf.add(adv, values);
    if (mask) {
      adv = tf.mul(adv, mask);
      ret = tf.mul(ret, mask);
    }
    return [adv, ret] as [tf.Tensor2D, tf.Tensor2D];
  });
  return { advantages, returns };
}

/** `[len, len]` matrix D[s, t] = decay^(s−t) for s ≥ t, else 0, so (x @ D)[t] = Σ_{s≥t} decay^(s−t) x[s]. */
function discountMatrix(len: number, decay: number): tf.Tensor2D {
  const values = new Float32Array(len * len);
  for (let s = 0; s < len; s++) {
    for (let t = 0; t <= s; t++) values[s * len + t] = decay ** (s - t);
  }
  return tf.tensor2d(values, [len, len]);
}

/** out[:, t] = Σ_{s≥t} decay^(s−t) x[:, s], blockwise from the end (internal; call inside `tf.tidy`). */
export function discountedSuffixSums(x: tf.Tensor2D, decay: number): tf.Tensor2D {
  const [batch, steps] = x.shape;
  if (steps <= CHUNK) return tf.matMul(x, discountMatrix(steps, decay));
  const blocks: tf.Tensor2D[] = [];
  let carry: tf.Tensor2D | null = null; // Â at the first step of the block after this one, [batch, 1]
  const matrices = new Map<number, tf.Tensor2D>();
  for (let end = steps; end > 0; end -= CHUNK) {
    const start = Math.max(0, end - CHUNK);
    const len = end - start;
    let matrix = matrices.get(len);
    if (!matrix) {
      matrix = discountMatrix(len, decay);
      matrices.set(len, matrix);
    }
    let block: tf.Tensor2D = tf.matMul(tf.slice(x, [0, start], [batch, len]), matrix);
    if (carry) {
      const factors = new Float32Array(len);
      for (let i = 0; i < len; i++) factors[i] = decay ** (len - i);
      block = tf.add(block, tf.mul(carry, tf.tensor2d(factors, [1, len])));
    }
    carry = tf.slice(block, [0, 0], [batch, 1]);
    blocks.unshift(block);
  }
  return tf.concat(blocks, 1);
}
