import * as tf from '@tensorflow/tfjs-core';
import type { MutualInformationPair } from './binned-mutual-information.js';
import { distanceScales, kdeRowSums } from './internal/kde.js';
import {
  asFloat,
  checkTensor,
  fromNats,
  labelsArray,
  numberOption,
  optionsObject,
  unitsOption,
  type InformationUnits,
  type Labels,
} from './internal/validate.js';

/** Options of {@link kdeMutualInformation}. */
export interface KdeMutualInformationOptions {
  /**
   * σ² of the isotropic Gaussian noise added to the layer (T = h(X) + ε, ε ~ N(0, σ²·I)); positive.
   * Saxe et al. used 1e-3 for the small tanh/ReLU networks and 1e-1 for MNIST. Smaller values resolve
   * finer differences between activations; as σ² → 0 the upper bound on I(X;T) tends to log N for N
   * distinct rows.
   */
  noiseVariance: number;
  /** `'bits'` (default) or `'nats'`. */
  units?: InformationUnits;
}

/** Upper and lower estimates from the pairwise-distance bounds on a Gaussian mixture's entropy. */
export interface KdeMutualInformation {
  /** From the KL-divergence (upper) bound on H(T). */
  upper: MutualInformationPair;
  /** From the Bhattacharyya (lower) bound on H(T), i.e. the upper bound's formula at 4σ² shifted by (d/2)·log(1/4). */
  lower: MutualInformationPair;
}

const FN = 'kdeMutualInformation';

/**
 * Mutual information of a noisy layer with its input and with the label, by Kolchinsky & Tracey's
 * pairwise-distance bounds on the entropy of a mixture of Gaussians, as Saxe et al. compute it (`kde.py` of
 * their ibsgd code).
 *
 * The layer is read as T = h(X) + ε with ε ~ N(0, σ²·I): given the input, T is one Gaussian, so
 * H(T|X) = (d/2)·log(2πeσ²); unconditionally it is a mixture of N Gaussians, one per row. The KL bound
 * gives H(T) ≤ d/2 + log N + (d/2)·log(2πσ²) − (1/N) Σ_i log Σ_j exp(−‖t_i − t_j‖²/(2σ²)); the
 * Bhattacharyya bound is the same expression with 4σ² in the exponent. Hence
 * I(X;T) = log N − (1/N) Σ_i log Σ_j exp(−‖t_i − t_j‖²/(2σ²)) (upper; 8σ² in the lower), always in
 * [0, log N]; I(T;Y) = H(T) − Σ_y p(y) H(T | Y = y) with each entropy from the same bound, as in ibsgd (a
 * difference of two upper bounds, so an estimate rather than a guaranteed bound; it never exceeds H(Y)).
 *
 * Computed on the active backend from the `[N, N]` squared-distance matrix, in row blocks of at most 4M
 * elements (the class-conditional sums reuse the same kernel values, masked to each row's class); rows are
 * centred first so that large offsets do not cancel. One read at the end (async).
 *
 * @param activations - layer activity `[samples, units]`, one row per input, float32 (int32 is cast)
 * @param labels - the class of each row, `samples` integers
 * @param options - `noiseVariance` (σ², required) and `units` (default `'bits'`)
 * @returns a Promise of `{ upper: { iXT, iTY }, lower: { iXT, iTY } }` in `units`
 * @throws TypeError (as a rejected Promise) for an argument of the wrong kind; RangeError when shapes or
 *   lengths disagree, `noiseVariance` is not a positive finite number, or an activation is not finite
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { kdeMutualInformation } from '@prep/info-bottleneck';
 * const t = tf.tensor2d([[0, 0], [0, 1], [5, 5], [5, 6]]);
 * const { upper, lower } = await kdeMutualInformation(t, [0, 0, 1, 1], { noiseVariance: 1e-3 });
 * // four well-separated points: upper.iXT ≈ lower.iXT ≈ 2 bits, iTY ≈ 1 bit
 * ```
 */
export async function kdeMutualInformation(
  activations: tf.Tensor2D,
  labels: Int32Array | number[],
  options: KdeMutualInformationOptions,
): Promise<KdeMutualInformation> {
  const t = checkTensor<tf.Rank.R2>(activations, FN, 'activations', 2);
  const classes = labelsArray(labels, t.shape[0], FN);
  const { noiseVariance, units } = kdeSettings(options, FN, 'options');
  return kdeFromTensor(t, classes, noiseVariance, units, FN);
}

/** Validated KDE settings (shared with the tracker). */
export function kdeSettings(options: unknown, fn: string, name: string): { noiseVariance: number; units: InformationUnits } {
  if (options === undefined) throw new TypeError(`${fn}: '${name}' must be an object with 'noiseVariance'; got undefined`);
  const opts = optionsObject<KdeMutualInformationOptions>(options, fn, name);
  const noiseVariance = numberOption(opts.noiseVariance, fn, `${name}.noiseVariance`, { positive: true });
  return { noiseVariance, units: unitsOption(opts.units, fn, `${name}.units`) };
}

/** The estimate for a validated tensor and labels. */
export async function kdeFromTensor(
  activations: tf.Tensor2D,
  classes: Labels,
  noiseVariance: number,
  units: InformationUnits,
  fn: string,
): Promise<KdeMutualInformation> {
  const [n] = activations.shape;
  const scales = distanceScales([noiseVariance, 4 * noiseVariance]);
  const packed = tf.tidy(() => {
    const x = asFloat(activations);
    const centred = tf.sub<tf.Tensor2D>(x, tf.mean(x, 0, true));
    const finite = tf.reshape<tf.Rank.R1>(tf.cast(tf.all(tf.isFinite(x)), 'float32'), [1]);
    return tf.concat([finite, kdeRowSums(centred, tf.tensor1d(classes.ids, 'int32'), classes.counts.length, scales)]);
  });
  let sums: Float32Array | Int32Array | Uint8Array;
  try {
    sums = await packed.data();
  } finally {
    packed.dispose();
  }
  if (sums[0] !== 1) throw new RangeError(`${fn}: 'activations' must be finite; found NaN or ±Infinity`);

  const logN = Math.log(n);
  // Σ_y p(y) log n_y: the class sizes' share of the conditional entropies (the other constants cancel).
  const classLogSizes = classes.counts.reduce((acc, ny) => acc + (ny / n) * Math.log(ny), 0);
  const estimate = (s: number): MutualInformationPair => {
    const iXT = Math.min(logN, Math.max(0, logN - sums[1 + 2 * s]! / n));
    // Σ_y p(y)·(log n_y − mean over class y of its in-class log-sum): H(T|Y) less the constants shared with H(T)
    const hTgivenY = classLogSizes - sums[2 + 2 * s]! / n;
    return { iXT: fromNats(iXT, units), iTY: fromNats(iXT - hTgivenY, units) };
  };
  return { upper: estimate(0), lower: estimate(1) };
}
