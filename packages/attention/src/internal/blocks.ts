/** Internal: tiling a sequence into blocks, and bottom-right causal masks for a tile. */
import * as tf from '@tensorflow/tfjs-core';
import { MASKED_SCORE } from './mask.js';

/** A contiguous range of positions [start, start + size). */
export interface Block {
  start: number;
  size: number;
}

/** Splits [0, n) into blocks of `size` (the last one may be shorter). */
export function tile(n: number, size: number): Block[] {
  const out: Block[] = [];
  for (let start = 0; start < n; start += size) out.push({ start, size: Math.min(size, n - start) });
  return out;
}

/** How a query tile sees a key tile under bottom-right causal masking (query i sees key j ≤ i + offset). */
export type TileState = 'full' | 'partial' | 'empty';

export function causalTileState(query: Block, key: Block, offset: number): TileState {
  if (key.start + key.size - 1 <= query.start + offset) return 'full';
  if (key.start > query.start + query.size - 1 + offset) return 'empty';
  return 'partial';
}

/**
 * Additive biases for partial causal tiles, built once per distinct (size, diagonal) and reused across
 * heads. Call {@link CausalBiasCache.dispose} (or create it inside a tidy) when done.
 */
export class CausalBiasCache {
  private readonly biases = new Map<string, tf.Tensor2D>();

  constructor(private readonly offset: number) {}

  get(query: Block, key: Block): tf.Tensor2D {
    const shift = key.start - query.start - this.offset;
    const id = `${query.size}|${key.size}|${shift}`;
    let bias = this.biases.get(id);
    if (!bias) {
      const values = new Float32Array(query.size * key.size);
      for (let r = 0; r < query.size; r++) {
        for (let c = 0; c < key.size; c++) if (c + shift > r) values[r * key.size + c] = MASKED_SCORE;
      }
      bias = tf.keep(tf.tensor2d(values, [query.size, key.size]));
      this.biases.set(id, bias);
    }
    return bias;
  }

  dispose(): void {
    for (const bias of this.biases.values()) bias.dispose();
    this.biases.clear();
  }
}
