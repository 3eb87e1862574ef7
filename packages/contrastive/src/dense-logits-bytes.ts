import { numberOption, optionsObject } from './internal/validate.js';

/** Options of {@link denseLogitsBytes}. */
export interface DenseLogitsBytesOptions {
  /** Bytes per element (default 4, float32; 2 for bf16/fp16). */
  bytesPerElement?: number;
}

const FN = 'denseLogitsBytes';

/**
 * Bytes of one dense N×N logit (similarity) matrix: N² · bytesPerElement. At CLIP's batch of 32,768 in
 * float32 that is 4 GiB for the matrix alone, before the softmax and gradient tensors autodiff keeps beside
 * it; the chunked losses hold `[chunkSize, N]` strips instead.
 *
 * @param batchSize - N, a positive integer
 * @param options - `bytesPerElement` (see {@link DenseLogitsBytesOptions})
 * @returns the size in bytes (a plain number; exact up to 2⁵³)
 * @throws TypeError for a non-number; RangeError for a batch size that is not a positive integer or a bad
 *   element size
 * @example
 * ```ts
 * import { denseLogitsBytes } from '@prep/contrastive';
 * denseLogitsBytes(32768) / 2 ** 30; // 4 (GiB)
 * ```
 */
export function denseLogitsBytes(batchSize: number, options?: DenseLogitsBytesOptions): number {
  const n = numberOption(batchSize, FN, 'batchSize', { positive: true, integer: true });
  const opts = optionsObject<DenseLogitsBytesOptions>(options, FN);
  const bytes = opts.bytesPerElement === undefined ? 4 : numberOption(opts.bytesPerElement, FN, 'options.bytesPerElement', { positive: true, integer: true });
  return n * n * bytes;
}
