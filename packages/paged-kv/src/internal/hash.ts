/**
 * Chained block hashes for prefix caching: hash(parent hash, the block's token ids), as vLLM's
 * `hash_block_tokens`. Two independent 32-bit lanes (murmur3-style mixing) combined into a 53-bit number,
 * so it is a plain Map key. A hit is also verified token by token and against the parent block, so a
 * hash collision can never hand a sequence the wrong K/V.
 */

/** The parent "hash" of a sequence's first block. */
export const ROOT_HASH = -1;

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function finish(h: number, length: number): number {
  h ^= length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash of `tokens[start, start + length)` chained onto `parent` (a previous result or ROOT_HASH). */
export function hashBlockTokens(parent: number, tokens: ArrayLike<number>, start: number, length: number): number {
  const root = parent === ROOT_HASH;
  const lo = root ? 0x2545f491 : parent % 0x100000000;
  const hi = root ? 0x9e3779b9 : Math.floor(parent / 0x100000000);
  let a = mix(0x3c6ef372 ^ lo, hi);
  let b = mix(0x6a09e667 ^ hi, lo);
  for (let i = start, end = start + length; i < end; i++) {
    const t = tokens[i]!;
    a = mix(a, t);
    b = mix(b, t ^ 0x5bd1e995);
  }
  const ha = finish(a, length);
  const hb = finish(b, length ^ 0x27d4eb2f);
  return ha + (hb >>> 11) * 0x100000000; // 32 + 21 = 53 bits: exact in a double
}
