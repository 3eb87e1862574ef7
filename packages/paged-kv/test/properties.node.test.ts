/**
 * Property test (fast-check): any random sequence of add / append / fork / free / evict / preempt /
 * resume keeps every invariant of the manager (see invariant-model.ts). 50 runs × 200 operations = 10⁴
 * operations here; the benchmark script runs 10⁶.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runModel, type Op } from './invariant-model.js';

const token = fc.integer({ min: 0, max: 3 }); // a small alphabet, so prompts share prefixes and the cache hits
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('add' as const), tokens: fc.array(token, { maxLength: 20 }) }) },
  { weight: 8, arbitrary: fc.record({ kind: fc.constant('append' as const), pick: fc.nat(1000), token }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('fork' as const), pick: fc.nat(1000) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('free' as const), pick: fc.nat(1000) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('evict' as const), count: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('preempt' as const), pick: fc.nat(1000), swap: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('resume' as const), pick: fc.nat(1000) }) },
);
const config = fc.record({
  numBlocks: fc.integer({ min: 1, max: 24 }),
  blockSize: fc.integer({ min: 1, max: 5 }),
  enablePrefixCaching: fc.boolean(),
});

describe('KVCacheManager invariants under random operations', () => {
  it('hold after every one of 10⁴ operations, and freeing everything returns every block', () => {
    let total = 0;
    let refused = 0;
    let copies = 0;
    fc.assert(
      fc.property(config, fc.array(op, { minLength: 200, maxLength: 200 }), (cfg, ops) => {
        const r = runModel(cfg, ops);
        total += ops.length;
        refused += r.refused;
        copies += r.copies;
      }),
      { numRuns: 50, seed: 20241127 },
    );
    expect(total).toBe(10_000);
    // the runs must exercise the interesting paths, not only the easy ones
    expect(refused).toBeGreaterThan(50);
    expect(copies).toBeGreaterThan(20);
  });
});
