import * as tf from '@tensorflow/tfjs';
import { scaledDotProductAttention } from '@prep/attention';
import { pagedAttention, type PagedKVStore } from '@prep/paged-kv';
import type { CachedAttention } from './model.js';

/** `[n, heads, hd]` → `[1, heads, n, hd]` */
function toHeads(t: tf.Tensor3D): tf.Tensor4D {
  const [n, heads, hd] = t.shape;
  return tf.reshape(tf.transpose(t, [1, 0, 2]), [1, heads, n, hd]);
}

/** `[1, heads, n, hd]` → `[n, heads, hd]` */
function fromHeads(t: tf.Tensor4D): tf.Tensor3D {
  const [, heads, n, hd] = t.shape;
  return tf.transpose(tf.reshape(t, [heads, n, hd]), [1, 0, 2]);
}

/**
 * The attention of a prefill in the paged cache: writes the new tokens' K/V of sequence `seqId` at
 * positions `[start, start + n)` (the blocks before `start` came from the prefix cache), reads the whole
 * sequence back and runs `@prep/attention`'s exact attention with bottom-right causal masking, so the n
 * new queries see the cached prefix and each other causally.
 *
 * @param store - the paged K/V store
 * @param seqId - a running sequence of the store's manager holding start + n tokens
 * @param start - position of the first new token (the number of cached tokens)
 * @returns a {@link CachedAttention} for {@link TinyLM.forwardCached}
 */
export function pagedPrefillAttention(store: PagedKVStore, seqId: number, start: number): CachedAttention {
  return (layer, q, k, v) => {
    store.write(layer, seqId, k, v, start);
    const { keys, values } = store.readSequence(layer, seqId); // [1, kvHeads, start + n, hd]
    return fromHeads(scaledDotProductAttention(toHeads(q), keys, values, { causal: true }));
  };
}

/**
 * The attention of one batched decode step in the paged cache: every sequence in `seqIds` has just
 * appended one token (`manager.appendToken`, copy-on-write applied); its K/V go to the sequence's last
 * slot (`store.writeLast`) and `pagedAttention` attends each query to its own sequence's blocks.
 *
 * @param store - the paged K/V store
 * @param seqIds - running sequences, one per query row
 * @returns a {@link CachedAttention} for {@link TinyLM.forwardCached}
 */
export function pagedDecodeAttention(store: PagedKVStore, seqIds: readonly number[]): CachedAttention {
  return (layer, q, k, v) => {
    store.writeLast(layer, seqIds, k, v);
    return pagedAttention(q, store, layer, seqIds);
  };
}

/**
 * The baseline: a padded contiguous KV cache, one `[maxLen, kvHeads, headDim]` slab per sequence and
 * layer reserved up front (as a static cache or a `max_length` reservation does), attended with
 * `@prep/attention`'s exact attention over a batch padded to the longest live sequence, with a padding
 * mask. Slots past a sequence's length hold nothing but stay reserved.
 */
export class ContiguousKVCache {
  /** Sequences (rows). */
  readonly numRows: number;
  /** Token slots reserved per row. */
  readonly maxLen: number;
  /** Tokens held per row. */
  readonly lengths: Int32Array;
  /** Bytes reserved for K and V of all rows and layers. */
  readonly reservedBytes: number;
  readonly #keys: Float32Array[];
  readonly #values: Float32Array[];
  readonly #rowFloats: number;
  readonly #kvHeads: number;
  readonly #headDim: number;

  /**
   * @param options - `numLayers`, `numKvHeads`, `headDim`, `numRows`, `maxLen` (all positive integers)
   * @throws RangeError for a size that is not a positive integer
   */
  constructor(options: { numLayers: number; numKvHeads: number; headDim: number; numRows: number; maxLen: number }) {
    for (const [name, value] of Object.entries(options)) {
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`ContiguousKVCache: 'options.${name}' must be a positive integer; got ${String(value)}`);
    }
    this.numRows = options.numRows;
    this.maxLen = options.maxLen;
    this.#kvHeads = options.numKvHeads;
    this.#headDim = options.headDim;
    this.#rowFloats = options.numKvHeads * options.headDim;
    const floats = options.numRows * options.maxLen * this.#rowFloats;
    this.#keys = Array.from({ length: options.numLayers }, () => new Float32Array(floats));
    this.#values = Array.from({ length: options.numLayers }, () => new Float32Array(floats));
    this.lengths = new Int32Array(options.numRows);
    this.reservedBytes = floats * 4 * 2 * options.numLayers;
  }

  /** Copies row `from`'s K/V and length into row `to` (parallel samples of one prompt). */
  copyRow(from: number, to: number): void {
    const n = this.maxLen * this.#rowFloats;
    for (const pool of [...this.#keys, ...this.#values]) pool.copyWithin(to * n, from * n, from * n + this.lengths[from]! * this.#rowFloats);
    this.lengths[to] = this.lengths[from]!;
  }

  /**
   * Attention of a prefill of row `row`: writes n new K/V at `[start, start + n)` and attends causally
   * (bottom-right) over the row's first start + n tokens.
   * @throws RangeError when the row would exceed maxLen
   */
  prefillAttention(row: number, start: number): CachedAttention {
    return (layer, q, k, v) => {
      const n = k.shape[0];
      if (start + n > this.maxLen) throw new RangeError(`ContiguousKVCache: row ${row} would hold ${start + n} tokens; maxLen is ${this.maxLen}`);
      this.#write(layer, row, start, k.dataSync(), v.dataSync());
      if (layer === this.#keys.length - 1) this.lengths[row] = start + n;
      const total = start + n;
      const base = row * this.maxLen * this.#rowFloats;
      const shape: [number, number, number, number] = [1, total, this.#kvHeads, this.#headDim];
      const keys = tf.transpose(tf.tensor4d(this.#keys[layer]!.subarray(base, base + total * this.#rowFloats), shape), [0, 2, 1, 3]);
      const values = tf.transpose(tf.tensor4d(this.#values[layer]!.subarray(base, base + total * this.#rowFloats), shape), [0, 2, 1, 3]);
      return fromHeads(scaledDotProductAttention(toHeads(q), keys, values, { causal: true }));
    };
  }

  /**
   * Attention of one decode step over `rows` (one new token each, at each row's current length): the
   * batch's K/V padded to its longest row and a `[rows, 1, 1, longest]` padding mask.
   * @throws RangeError when a row is full
   */
  decodeAttention(rows: readonly number[]): CachedAttention {
    return (layer, q, k, v) => {
      const kd = k.dataSync();
      const vd = v.dataSync();
      const r = this.#rowFloats;
      rows.forEach((row, i) => {
        const at = this.lengths[row]!;
        if (at >= this.maxLen) throw new RangeError(`ContiguousKVCache: row ${row} is full (${this.maxLen} tokens)`);
        this.#write(layer, row, at, kd.subarray(i * r, (i + 1) * r), vd.subarray(i * r, (i + 1) * r));
      });
      const lengths = rows.map((row) => this.lengths[row]! + 1);
      if (layer === this.#keys.length - 1) rows.forEach((row) => this.lengths[row]!++);
      const longest = Math.max(...lengths);
      const keys = new Float32Array(rows.length * longest * r);
      const values = new Float32Array(rows.length * longest * r);
      const mask = new Float32Array(rows.length * longest);
      rows.forEach((row, i) => {
        const base = row * this.maxLen * r;
        keys.set(this.#keys[layer]!.subarray(base, base + longest * r), i * longest * r);
        values.set(this.#values[layer]!.subarray(base, base + longest * r), i * longest * r);
        mask.fill(1, i * longest, i * longest + lengths[i]!);
      });
      const shape: [number, number, number, number] = [rows.length, longest, this.#kvHeads, this.#headDim];
      const [b, heads, hd] = q.shape;
      const out = scaledDotProductAttention(
        tf.reshape(q, [b, heads, 1, hd]),
        tf.transpose(tf.tensor4d(keys, shape), [0, 2, 1, 3]),
        tf.transpose(tf.tensor4d(values, shape), [0, 2, 1, 3]),
        { mask: tf.tensor4d(mask, [rows.length, 1, 1, longest]) },
      );
      return tf.reshape(out, [b, heads, hd]);
    };
  }

  #write(layer: number, row: number, at: number, k: ArrayLike<number>, v: ArrayLike<number>): void {
    const offset = (row * this.maxLen + at) * this.#rowFloats;
    this.#keys[layer]!.set(k, offset);
    this.#values[layer]!.set(v, offset);
  }
}
