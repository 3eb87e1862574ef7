import { numberArg, requiredOptions } from './internal/args.js';

/** What a KL controller exposes to a training loop: the current β and an update after each batch. */
export interface KLController {
  /** The current KL coefficient β. */
  readonly value: number;
  /** Feeds the measured KL of the last batch and the number of samples (TRL: the batch size) it covered. */
  update(currentKL: number, nSteps: number): void;
}

/**
 * A constant KL coefficient, as TRL's `FixedKLController`: `update` checks its arguments and changes nothing.
 *
 * @example
 * ```ts
 * import { FixedKLController } from '@prep/rlhf';
 * const ctl = new FixedKLController(0.05);
 * ctl.update(12.3, 64);
 * ctl.value; // 0.05
 * ```
 */
export class FixedKLController implements KLController {
  readonly #value: number;

  /**
   * @param beta - the KL coefficient β ≥ 0
   * @throws TypeError when beta is not a number; RangeError when it is negative or not finite
   */
  constructor(beta: number) {
    this.#value = numberArg(beta, 'FixedKLController', 'beta', { min: 0 });
  }

  /** The KL coefficient β. */
  get value(): number {
    return this.#value;
  }

  /**
   * Does nothing (β is fixed); validates its arguments like {@link AdaptiveKLController.update}.
   *
   * @param currentKL - measured KL of the last batch (nats)
   * @param nSteps - samples in the last batch, ≥ 0
   * @throws TypeError / RangeError for a non-finite KL or a negative nSteps
   */
  update(currentKL: number, nSteps: number): void {
    numberArg(currentKL, 'FixedKLController.update', 'currentKL');
    numberArg(nSteps, 'FixedKLController.update', 'nSteps', { min: 0 });
  }
}

/** Options of {@link AdaptiveKLController}. */
export interface AdaptiveKLControllerOptions {
  /** Initial β > 0 (TRL's `init_kl_coef`, default there 0.2). */
  initKL: number;
  /** Target KL in nats > 0 (TRL's `target`, default there 6). */
  target: number;
  /** Horizon in samples > 0 (TRL's `horizon`, default there 10000): how fast β adapts. */
  horizon: number;
}

/**
 * The adaptive KL controller of Ziegler et al. 2019 (lm-human-preferences), as TRL's
 * `AdaptiveKLController`: after each batch, e = clip(KL/target − 1, −0.2, 0.2) and β ← β·(1 + e·n/horizon).
 * β grows while the policy drifts further than the target and shrinks while it stays closer, so the KL
 * settles near the target.
 *
 * @example
 * ```ts
 * import { AdaptiveKLController } from '@prep/rlhf';
 * const ctl = new AdaptiveKLController({ initKL: 0.1, target: 6, horizon: 10000 });
 * ctl.update(12, 256);   // KL twice the target: e clips to 0.2
 * ctl.value;             // 0.1 · (1 + 0.2 · 256 / 10000) = 0.100512
 * ```
 */
export class AdaptiveKLController implements KLController {
  #value: number;
  /** Target KL (nats). */
  readonly target: number;
  /** Horizon (samples). */
  readonly horizon: number;

  /**
   * @param options - `initKL`, `target`, `horizon` (see {@link AdaptiveKLControllerOptions})
   * @throws TypeError when options or a field has the wrong kind; RangeError when a field is not a positive
   *   finite number
   */
  constructor(options: AdaptiveKLControllerOptions) {
    const fn = 'AdaptiveKLController';
    const opts = requiredOptions<AdaptiveKLControllerOptions>(options, fn);
    this.#value = numberArg(opts.initKL, fn, 'options.initKL', { above: 0 });
    this.target = numberArg(opts.target, fn, 'options.target', { above: 0 });
    this.horizon = numberArg(opts.horizon, fn, 'options.horizon', { above: 0 });
  }

  /** The current KL coefficient β. */
  get value(): number {
    return this.#value;
  }

  /**
   * One proportional step towards the target. A refused update leaves β unchanged.
   *
   * @param currentKL - measured KL of the last batch (nats), finite
   * @param nSteps - samples in the last batch, ≥ 0
   * @throws TypeError when an argument is not a number; RangeError for a non-finite KL, a negative nSteps, or
   *   an nSteps so large against the horizon that β would become ≤ 0
   */
  update(currentKL: number, nSteps: number): void {
    const fn = 'AdaptiveKLController.update';
    const kl = numberArg(currentKL, fn, 'currentKL');
    const n = numberArg(nSteps, fn, 'nSteps', { min: 0 });
    const error = Math.min(0.2, Math.max(-0.2, kl / this.target - 1));
    const multiplier = 1 + (error * n) / this.horizon;
    if (!(multiplier > 0)) {
      throw new RangeError(`${fn}: 'nSteps' (${n}) is so large against the horizon (${this.horizon}) that β would become ${multiplier * this.#value}`);
    }
    this.#value *= multiplier;
  }
}
