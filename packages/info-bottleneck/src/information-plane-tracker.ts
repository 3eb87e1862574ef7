import * as tf from '@tensorflow/tfjs-core';
import { binnedFromValues, binnedSettings, type BinnedMutualInformationOptions, type BinSettings, type MutualInformationPair } from './binned-mutual-information.js';
import { kdeFromTensor, kdeSettings } from './kde-mutual-information.js';
import { asTensor, got, labelsArray, numberOption, optionsObject, unitsOption, type InformationUnits, type Labels } from './internal/validate.js';

/** One estimator of the tracker: binning (see `binnedMutualInformation`) or the KDE bounds (see `kdeMutualInformation`). */
export type TrackerEstimator =
  | ({ kind: 'binned' } & Pick<BinnedMutualInformationOptions, 'bins' | 'range'>)
  | { kind: 'kde'; noiseVariance: number };

/** Options of {@link InformationPlaneTracker}. */
export interface InformationPlaneTrackerOptions {
  /**
   * Named estimators to run on every layer of every record. A `'binned'` estimator adds one series under its
   * name; a `'kde'` estimator adds two, `<name>.upper` and `<name>.lower`. Default:
   * `{ binned: { kind: 'binned' }, kde: { kind: 'kde', noiseVariance: 1e-3 } }` (30 bins over [−1, 1] as
   * IDNNs; σ² = 1e-3 as Saxe et al. for the small networks).
   */
  estimators?: Record<string, TrackerEstimator>;
  /** `'bits'` (default) or `'nats'`. */
  units?: InformationUnits;
}

/** The estimates of one record: per layer, per series name, I(X;T) and I(T;Y). */
export interface InformationPlaneRecord {
  epoch: number;
  layers: Record<string, MutualInformationPair>[];
}

/** One series (estimator) for one layer, as plot-ready columns. */
export interface InformationPlaneSeries {
  epochs: number[];
  iXT: number[];
  iTY: number[];
}

/** What {@link InformationPlaneTracker.toJSON} returns: plain data, ready for `JSON.stringify` and plotting. */
export interface InformationPlaneJSON {
  units: InformationUnits;
  /** Series names, e.g. `['binned', 'kde.upper', 'kde.lower']`. */
  series: string[];
  /** Number of layers per record (0 before the first record). */
  layers: number;
  /** Recorded epochs, ascending. */
  epochs: number[];
  /** Every completed record, in epoch order. */
  records: InformationPlaneRecord[];
  /** `bySeries[name][layer]`: that layer's trajectory through the information plane. */
  bySeries: Record<string, InformationPlaneSeries[]>;
  /** Records accepted but not yet estimated (0 after `await flush()`). */
  pending: number;
}

type ResolvedEstimator = { name: string; kind: 'binned'; settings: BinSettings } | { name: string; kind: 'kde'; noiseVariance: number };

const FN = 'InformationPlaneTracker';

/**
 * Records where each layer of a network sits in the information plane, (I(X;T), I(T;Y)), epoch after epoch,
 * with every configured estimator (binning and the KDE upper/lower bounds by default), as Shwartz-Ziv &
 * Tishby and Saxe et al. plot it.
 *
 * `record()` checks its arguments synchronously (a refused record changes nothing), keeps its own
 * references to the activations (the caller may dispose them at once) and estimates in the background, one
 * record after another: estimators read tensors asynchronously. `await flush()` before `toJSON()` to see
 * every record; `flush()` rejects with the error of a record that failed (for example non-finite
 * activations), which is then dropped.
 *
 * @example
 * ```ts
 * import * as tf from '@tensorflow/tfjs';
 * import { InformationPlaneTracker } from '@prep/info-bottleneck';
 * const tracker = new InformationPlaneTracker({ estimators: { bins: { kind: 'binned', range: 'auto' } } });
 * const labels = [0, 1, 0, 1];
 * tracker.record(0, [tf.tensor2d([[0.1], [0.2], [0.3], [0.4]])], labels);
 * tracker.record(1, [tf.tensor2d([[0.1], [0.9], [0.1], [0.9]])], labels);
 * await tracker.flush();
 * tracker.toJSON().bySeries.bins[0].iXT; // [2, 1]: the layer compressed four values into two
 * ```
 */
export class InformationPlaneTracker {
  readonly #units: InformationUnits;
  readonly #estimators: ResolvedEstimator[];
  readonly #records: InformationPlaneRecord[] = [];
  #layerCount = 0;
  #lastEpoch = -Infinity;
  #pending = 0;
  #queue: Promise<void> = Promise.resolve();
  #errors: unknown[] = [];

  /**
   * @param options - `estimators` (named binned/KDE estimators) and `units`; see {@link InformationPlaneTrackerOptions}
   * @throws TypeError when an option has the wrong kind; RangeError for an unknown estimator kind, an
   *   invalid estimator setting or an empty estimator list
   */
  constructor(options?: InformationPlaneTrackerOptions) {
    const opts = optionsObject<InformationPlaneTrackerOptions>(options, FN);
    this.#units = unitsOption(opts.units, FN);
    const given: unknown = opts.estimators ?? { binned: { kind: 'binned' }, kde: { kind: 'kde', noiseVariance: 1e-3 } };
    if (given === null || typeof given !== 'object' || Array.isArray(given)) {
      throw new TypeError(`${FN}: 'options.estimators' must be an object of named estimators; got ${got(given)}`);
    }
    const entries = Object.entries(given as Record<string, unknown>);
    if (entries.length === 0) throw new RangeError(`${FN}: 'options.estimators' must name at least one estimator`);
    this.#estimators = entries.map(([name, spec]): ResolvedEstimator => {
      const where = `options.estimators.${name}`;
      const { kind, ...rest } = optionsObject<{ kind: unknown }>(spec, FN, where);
      if (kind === 'binned') return { name, kind, settings: binnedSettings({ ...rest, units: this.#units }, FN, where) };
      if (kind === 'kde') return { name, kind, noiseVariance: kdeSettings(rest, FN, where).noiseVariance };
      throw new RangeError(`${FN}: '${where}.kind' must be 'binned' or 'kde'; got ${got(kind)}`);
    });
  }

  /** The series names, in order: a binned estimator's name, or `<name>.upper` and `<name>.lower` for a KDE one. */
  get seriesNames(): string[] {
    return this.#estimators.flatMap((e) => (e.kind === 'binned' ? [e.name] : [`${e.name}.upper`, `${e.name}.lower`]));
  }

  /**
   * Accepts one epoch's activations for estimation in the background.
   *
   * @param epoch - the epoch (or step), a finite number greater than every epoch recorded before
   * @param layerActivations - one tensor `[samples, units_l]` per layer (the same number of layers every
   *   time); the tracker keeps its own references, so the caller may dispose these right away
   * @param labels - the class of each of the `samples` rows (Int32Array or integer array)
   * @throws TypeError for arguments of the wrong kind; RangeError for an epoch that does not increase, a
   *   layer count that differs from the first record, rows that differ from `labels.length`
   */
  record(epoch: number, layerActivations: tf.Tensor2D[], labels: Int32Array | number[]): void {
    const e = numberOption(epoch, FN, 'epoch');
    if (!(e > this.#lastEpoch)) throw new RangeError(`${FN}: 'epoch' must be greater than the last recorded epoch (${this.#lastEpoch}); got ${e}`);
    if (!Array.isArray(layerActivations)) throw new TypeError(`${FN}: 'layerActivations' must be an array of 2-D tensors; got ${got(layerActivations)}`);
    if (layerActivations.length === 0) throw new RangeError(`${FN}: 'layerActivations' must hold at least one layer`);
    if (this.#layerCount !== 0 && layerActivations.length !== this.#layerCount) {
      throw new RangeError(`${FN}: 'layerActivations' must hold ${this.#layerCount} layers like the first record; got ${layerActivations.length}`);
    }
    const tensors = layerActivations.map((value, l) => {
      const t = asTensor(value);
      const arg = `layerActivations[${l}]`;
      if (!t) throw new TypeError(`${FN}: '${arg}' must be a 2-D tensor; got ${got(value)}`);
      if (t.isDisposed) throw new TypeError(`${FN}: '${arg}' is a disposed tensor`);
      if (t.dtype !== 'float32' && t.dtype !== 'int32') throw new TypeError(`${FN}: '${arg}' must have dtype float32 or int32; got ${t.dtype}`);
      if (t.rank !== 2 || t.size === 0) throw new RangeError(`${FN}: '${arg}' must be a non-empty 2-D tensor; got shape [${t.shape.join(', ')}]`);
      return t as tf.Tensor2D;
    });
    const rows = tensors[0]!.shape[0];
    tensors.forEach((t, l) => {
      if (t.shape[0] !== rows) throw new RangeError(`${FN}: 'layerActivations[${l}]' must have ${rows} rows like layer 0; got shape [${t.shape.join(', ')}]`);
    });
    const classes = labelsArray(labels, rows, FN);

    // Accepted: from here on state changes.
    this.#lastEpoch = e;
    this.#layerCount = tensors.length;
    const owned = tensors.map((t) => tf.keep(tf.clone(t)));
    this.#pending++;
    this.#queue = this.#queue.then(async () => {
      try {
        const layers: Record<string, MutualInformationPair>[] = [];
        for (const t of owned) layers.push(await this.#estimate(t, classes));
        this.#records.push({ epoch: e, layers });
      } catch (err) {
        this.#errors.push(err);
      } finally {
        tf.dispose(owned);
        this.#pending--;
      }
    });
  }

  async #estimate(t: tf.Tensor2D, classes: Labels): Promise<Record<string, MutualInformationPair>> {
    const out: Record<string, MutualInformationPair> = {};
    let values: ArrayLike<number> | null = null;
    const [rows, cols] = t.shape;
    for (const est of this.#estimators) {
      if (est.kind === 'binned') {
        values ??= await t.data();
        out[est.name] = binnedFromValues(values, rows, cols, classes.ids, classes.counts, est.settings, FN);
      } else {
        const { upper, lower } = await kdeFromTensor(t, classes, est.noiseVariance, this.#units, FN);
        out[`${est.name}.upper`] = upper;
        out[`${est.name}.lower`] = lower;
      }
    }
    return out;
  }

  /**
   * Waits until every accepted record is estimated.
   *
   * @returns a Promise that resolves when nothing is pending
   * @throws the first error of a record that failed since the last `flush()` (as a rejected Promise)
   */
  async flush(): Promise<void> {
    await this.#queue;
    if (this.#errors.length) {
      const [first] = this.#errors;
      this.#errors = [];
      throw first;
    }
  }

  /**
   * The completed records as plain data: per record and per layer, and per series and layer as columns for
   * plotting. Records still pending are counted in `pending`, not included.
   *
   * @returns an {@link InformationPlaneJSON}
   */
  toJSON(): InformationPlaneJSON {
    const series = this.seriesNames;
    const bySeries: Record<string, InformationPlaneSeries[]> = {};
    for (const name of series) {
      bySeries[name] = Array.from({ length: this.#layerCount }, () => ({ epochs: [], iXT: [], iTY: [] }));
    }
    for (const record of this.#records) {
      record.layers.forEach((estimates, l) => {
        for (const name of series) {
          const column = bySeries[name]![l]!;
          const pair = estimates[name]!;
          column.epochs.push(record.epoch);
          column.iXT.push(pair.iXT);
          column.iTY.push(pair.iTY);
        }
      });
    }
    return {
      units: this.#units,
      series,
      layers: this.#layerCount,
      epochs: this.#records.map((r) => r.epoch),
      records: this.#records.map((r) => ({ epoch: r.epoch, layers: r.layers.map((l) => ({ ...l })) })),
      bySeries,
      pending: this.#pending,
    };
  }
}
