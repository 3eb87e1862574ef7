/** The @example blocks of KVCacheManager's sequence methods, run as written (their commented values checked). */
import { expect, it } from 'vitest';
import { KVCacheManager } from '../src/index.js';

it('free, preempt, resume, getBlockTable and getNumTokens do what their examples say', () => {
  const a = new KVCacheManager({ numBlocks: 8, blockSize: 4 });
  a.addSequence(0, [1, 2, 3, 4, 5]);
  expect(a.numFreeBlocks).toBe(6);
  a.free(0);
  expect(a.numFreeBlocks).toBe(8);

  const b = new KVCacheManager({ numBlocks: 8, blockSize: 4 });
  b.addSequence(0, [1, 2, 3, 4, 5, 6]);
  expect(b.preempt(0, 'recompute')).toBe(2);
  expect(b.getNumTokens(0)).toBe(6);
  expect(b.getBlockTable(0)).toEqual([]);
  expect(b.resume(0)).toEqual({ mode: 'recompute', numTokens: 6, numCachedTokens: 0 });
  expect(b.getBlockTable(0)).toHaveLength(2);

  const c = new KVCacheManager({ numBlocks: 4, blockSize: 4 });
  c.addSequence(7, [9, 9, 9, 9, 9]);
  expect(c.getBlockTable(7)).toEqual([0, 1]);
  c.appendToken(7, 3);
  expect(c.getNumTokens(7)).toBe(6);
});
