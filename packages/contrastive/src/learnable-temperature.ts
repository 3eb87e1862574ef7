import * as tf from '@tensorflow/tfjs-core';
import { booleanOption, numberOption, optionsObject } from './internal/validate.js';

/** Options of {@link LearnableTemperature}. */
export interface LearnableTemperatureOptions {
  /** Initial scale s = 1/τ (default 1/0.07 ≈ 14.29, CLIP's init; SigLIP starts at 10). Within [1, max]. */
  init?: number;
  /** Largest scale {@link LearnableTemperature.clamp} allows (default 100, as open_clip). At least 1. */
  max?: number;
  /** Whether optimizers update the variable (default true). */
  trainable?: boolean;
}

const FN = 'LearnableTemperature';

/**
 * CLIP's learnable temperature: a scalar `Variable` holding log s (s = 1/τ), trained with the encoders and
 * clamped after each optimizer step, as open_clip does (`logit_scale.clamp_(0, ln 100)`).
 *
 * Learning log s rather than s keeps s positive and makes its steps multiplicative. The clamp's lower bound
 * is log s = 0 (s = 1), open_clip's; the upper bound is ln `max`. Without the clamp, s grows during training
 * until the logits saturate (CLIP's paper reports clipping at 100 to prevent that).
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { LearnableTemperature, clipLoss } from '@prep/contrastive';
 * const temperature = new LearnableTemperature();          // s = 1/0.07
 * const optimizer = tf.train.adam(1e-3);
 * optimizer.minimize(() => clipLoss(imageEmb, textEmb, temperature.scale()), false, [temperature.logScale]);
 * temperature.clamp();                                      // keep s in [1, 100]
 * ```
 */
export class LearnableTemperature {
  /** log s, a trainable scalar variable; pass it to optimizers in `varList`. */
  readonly logScale: tf.Variable<tf.Rank.R0>;
  /** The largest scale the clamp allows. */
  readonly max: number;

  /**
   * @param options - `init`, `max`, `trainable` (see {@link LearnableTemperatureOptions})
   * @throws TypeError when an option has the wrong kind; RangeError when `max` < 1 or `init` is not within
   *   [1, max]
   */
  constructor(options?: LearnableTemperatureOptions) {
    const opts = optionsObject<LearnableTemperatureOptions>(options, FN);
    const max = opts.max === undefined ? 100 : numberOption(opts.max, FN, 'options.max', { min: 1 });
    const init = opts.init === undefined ? 1 / 0.07 : numberOption(opts.init, FN, 'options.init', { min: 1, max });
    const trainable = booleanOption(opts.trainable, FN, 'options.trainable', true);
    this.max = max;
    const initial = tf.scalar(Math.log(init));
    this.logScale = tf.variable(initial, trainable);
    initial.dispose();
  }

  /**
   * The scale s = exp(logScale), differentiable with respect to {@link logScale}.
   *
   * @returns a new scalar owned by the caller (call it inside the loss function so gradients reach the
   *   variable)
   */
  scale(): tf.Scalar {
    return tf.exp(this.logScale);
  }

  /**
   * Clamps log s to [0, ln max] in place (s to [1, max]). Call it after each optimizer step.
   */
  clamp(): void {
    tf.tidy(() => {
      this.logScale.assign(tf.clipByValue(this.logScale, 0, Math.log(this.max)));
    });
  }

  /** Releases the variable. */
  dispose(): void {
    this.logScale.dispose();
  }
}
