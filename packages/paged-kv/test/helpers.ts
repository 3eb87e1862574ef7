/** Shared helpers of the paged-kv tests (plain TS, no tfjs). */
import { expect } from 'vitest';
import type { KVCacheManager } from '../src/index.js';

/** Everything observable about a manager, to prove that a refused call changed nothing. */
export function snapshot(kv: KVCacheManager, ids: readonly number[]): unknown {
  const seqs = ids
    .filter((id) => kv.hasSequence(id))
    .map((id) => ({
      id,
      table: kv.getBlockTable(id),
      tokens: Array.from(kv.getTokens(id)),
      mode: kv.getPreemptionMode(id),
      cached: kv.getPreemptionMode(id) ? null : kv.getNumCachedTokens(id),
    }));
  const blocks = Array.from({ length: kv.numBlocks }, (_, b) => [kv.getRefCount(b), kv.getBlockHash(b)]);
  return { seqs, blocks, free: kv.freeBlockIds(), stats: kv.stats(), known: ids.map((id) => kv.hasSequence(id)) };
}

/** Calls `fn`, expects it to throw `kind`, and expects the manager to be exactly as before. */
export function expectRefusedUnchanged(kv: KVCacheManager, ids: readonly number[], fn: () => unknown, kind: new (...args: never[]) => Error): Error {
  const before = snapshot(kv, ids);
  let caught: unknown;
  try {
    fn();
  } catch (err) {
    caught = err;
  }
  expect(caught, 'the call should have been refused').toBeInstanceOf(kind);
  expect(snapshot(kv, ids), 'a refused call must leave the manager unchanged').toEqual(before);
  kv.checkInvariants();
  return caught as Error;
}

/** 0, 1, …, n − 1 offset by `start` (distinct token ids). */
export function range(n: number, start = 0): number[] {
  return Array.from({ length: n }, (_, i) => start + i);
}
