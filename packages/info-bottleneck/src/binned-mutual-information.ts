import type * as tf from '@tensorflow/tfjs-core';
import { entropyFromCounts } from './internal/entropy.js';
import { checkTensor, fromNats, got, labelsArray, numberOption, optionsObject, unitsOption, type InformationUnits } from './internal/validate.js';

/** I(X;T) and I(T;Y) of one layer, in the units asked for. */
export interface MutualInformationPair {
  /** I(X;T): information the layer keeps about the input. */
  iXT: number;
  /** I(T;Y): information the layer keeps about the label. */
  iTY: number;
}

/** Options of {@link binnedMutualInformation}. */
export interface BinnedMutualInformationOptions {
  /**
   * Number of equally spaced bin edges over `range` (integer 2–65536; default 30, as `num_of_bins` in
   * Shwartz-Ziv & Tishby's IDNNs code). As there, an activation a falls in bin k when edge_k ≤ a < edge_k+1,
   * and every activation ≥ the top edge shares the last bin, so `bins` edges give `bins − 1` intervals
   * plus that catch-all bin.
   */
  bins?: number;
  /**
   * The interval the edges span: `[lo, hi]` with lo < hi (default `[-1, 1]`, the range of tanh), or `'auto'`
   * to span the minimum and maximum of these activations. With a fixed `[-1, 1]` range every ReLU
   * activation above 1 lands in the catch-all bin and I(X;T) is underestimated; `'auto'` adapts the range
   * to the data (the bin width then changes from call to call with the spread of the activations).
   */
  range?: readonly [number, number] | 'auto';
  /** `'bits'` (default) or `'nats'`. */
  units?: InformationUnits;
}

const FN = 'binnedMutualInformation';

/** Validated binning settings. */
interface BinSettings {
  bins: number;
  range: readonly [number, number] | 'auto';
  units: InformationUnits;
}

function binSettings(options: unknown, fn = FN, name = 'options'): BinSettings {
  const opts = optionsObject<BinnedMutualInformationOptions>(options, fn, name);
  const bins = opts.bins === undefined ? 30 : numberOption(opts.bins, fn, `${name}.bins`, { integer: true, min: 2 });
  if (bins > 65536) throw new RangeError(`${fn}: '${name}.bins' must be at most 65536; got ${bins}`);
  let range: readonly [number, number] | 'auto' = [-1, 1];
  if (opts.range !== undefined) {
    const r: unknown = opts.range;
    if (r === 'auto') range = 'auto';
    else if (typeof r === 'string') throw new RangeError(`${fn}: '${name}.range' must be [lo, hi] or 'auto'; got ${JSON.stringify(r)}`);
    else if (!Array.isArray(r)) throw new TypeError(`${fn}: '${name}.range' must be [lo, hi] or 'auto'; got ${got(r)}`);
    else {
      if (r.length !== 2) throw new RangeError(`${fn}: '${name}.range' must have two entries [lo, hi]; got length ${r.length}`);
      const lo = numberOption(r[0], fn, `${name}.range[0]`);
      const hi = numberOption(r[1], fn, `${name}.range[1]`);
      if (!(lo < hi)) throw new RangeError(`${fn}: '${name}.range' must have lo < hi; got [${lo}, ${hi}]`);
      range = [lo, hi];
    }
  }
  return { bins, range, units: unitsOption(opts.units, fn, `${name}.units`) };
}

/**
 * Bin edges as IDNNs builds them: numpy's `linspace(lo, hi, bins)` in float64, then rounded to float32.
 */
function binEdges(lo: number, hi: number, bins: number): Float32Array {
  const edges = new Float32Array(bins);
  const step = (hi - lo) / (bins - 1);
  for (let k = 0; k < bins; k++) edges[k] = k * step + lo;
  edges[bins - 1] = hi;
  return edges;
}

/**
 * Bin index of a: (number of edges ≤ a) − 1, as `np.digitize(a, edges) - 1`, clamped at 0 below the first
 * edge. (IDNNs indexes the edge array with −1 there, which wraps around to the last bin; we keep such
 * values in the first bin instead.)
 */
function binOf(a: number, edges: Float32Array): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= a) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? 0 : lo - 1;
}

/** One UTF-16 code unit per bin index (bins ≤ 65536), so a row's key is exact and short. */
function rowKey(codes: number[]): string {
  if (codes.length <= 4096) return String.fromCharCode(...codes);
  let key = '';
  for (let c = 0; c < codes.length; c += 4096) key += String.fromCharCode(...codes.slice(c, c + 4096));
  return key;
}

/**
 * Mutual information of a layer with its input and with the label by binning, as in Shwartz-Ziv & Tishby's
 * IDNNs code (and Saxe et al.'s `simplebinmi`): each activation is put into one of equal-width bins over
 * `range`, each row of bin indices is one discrete value of T, and entropies are the plug-in entropies of
 * the empirical counts.
 *
 * Every row is taken to come from a distinct input, so T is a deterministic function of X, H(T|X) = 0 and
 * I(X;T) = H(T); I(T;Y) = H(T) − Σ_y p(y) H(T | Y = y). Both are at most log₂ N bits for N rows; I(T;Y) is
 * at most H(Y). The activations are read back from the backend (async) and binned in float64 on the CPU.
 *
 * @param activations - layer activity `[samples, units]`, one row per input, float32 (int32 is cast)
 * @param labels - the class of each row, `samples` integers (any integer values; they are only compared)
 * @param options - `bins` (default 30), `range` (default `[-1, 1]`, or `'auto'`), `units` (default `'bits'`);
 *   see {@link BinnedMutualInformationOptions}
 * @returns a Promise of `{ iXT, iTY }` in `units`
 * @throws TypeError (as a rejected Promise) when an argument has the wrong kind; RangeError when shapes or
 *   lengths disagree, an option is out of range, or an activation is NaN or infinite
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { binnedMutualInformation } from '@prep/info-bottleneck';
 * const t = tf.tensor2d([[-0.9, 0.1], [0.5, 0.5], [0.95, -0.2], [0.5, 0.51]]);
 * const { iXT, iTY } = await binnedMutualInformation(t, [0, 0, 1, 1]);
 * // rows 2 and 4 share a bin: H(T) = 1.5 bits = I(X;T); I(T;Y) = 1.5 − 0.5·1 − 0.5·1 = 0.5 bits
 * ```
 */
export async function binnedMutualInformation(
  activations: tf.Tensor2D,
  labels: Int32Array | number[],
  options?: BinnedMutualInformationOptions,
): Promise<MutualInformationPair> {
  const t = checkTensor<tf.Rank.R2>(activations, FN, 'activations', 2);
  const [rows, cols] = t.shape;
  const classes = labelsArray(labels, rows, FN);
  const settings = binSettings(options);
  const values = await t.data();
  return binnedFromValues(values, rows, cols, classes.ids, classes.counts, settings);
}

/** The estimate from activations already on the CPU (shared with the information-plane tracker). */
export function binnedFromValues(
  values: ArrayLike<number>,
  rows: number,
  cols: number,
  ids: Int32Array,
  classCounts: number[],
  settings: BinSettings,
  fn = FN,
): MutualInformationPair {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const a = values[i]!;
    if (!Number.isFinite(a)) {
      throw new RangeError(`${fn}: 'activations' must be finite; got ${a} at row ${Math.floor(i / cols)}, column ${i % cols}`);
    }
    if (a < min) min = a;
    if (a > max) max = a;
  }
  const [lo, hi] = settings.range === 'auto' ? [min, max] : settings.range;
  const edges = binEdges(lo, hi, settings.bins);

  const all = new Map<string, number>();
  const byClass = classCounts.map(() => new Map<string, number>());
  const codes = new Array<number>(cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) codes[c] = binOf(values[r * cols + c]!, edges);
    const key = rowKey(codes);
    all.set(key, (all.get(key) ?? 0) + 1);
    const perClass = byClass[ids[r]!]!;
    perClass.set(key, (perClass.get(key) ?? 0) + 1);
  }
  const hT = entropyFromCounts(all.values());
  let hTgivenY = 0;
  for (let y = 0; y < classCounts.length; y++) hTgivenY += (classCounts[y]! / rows) * entropyFromCounts(byClass[y]!.values());
  return { iXT: fromNats(hT, settings.units), iTY: fromNats(Math.max(0, hT - hTgivenY), settings.units) };
}

/** Validated options, for the tracker (which checks its settings once at construction). */
export function binnedSettings(options: unknown, fn: string, name: string): BinSettings {
  return binSettings(options, fn, name);
}
export type { BinSettings };
