/** The contiguous baselines, the workload simulator and question 1's claims (plain TS: Node lane). */
import { describe, expect, it } from 'vitest';
import { expectThrowsNaming, loadFixture } from '@prep/test-utils';
import {
  FirstFitAllocator,
  MaxLengthAllocator,
  OutOfBlocksError,
  blockSizeSweep,
  runSourceWorkload,
  sampleLengths,
  simulateWorkload,
  type ArenaSegment,
  type OccupancySegment,
} from '../src/index.js';
import raw from './fixtures/workload.json';

const workload = loadFixture<{ clippedMean: number; clippedStd: number; probBelowMin: number; probAboveMax: number; maxReserveSlots: number }>(raw);

function expectTiling(segments: readonly (ArenaSegment | OccupancySegment)[], capacity: number): void {
  let at = 0;
  for (const s of segments) {
    expect(s.start, 'segments tile the arena in order').toBe(at);
    expect(s.length).toBeGreaterThan(0);
    at += s.length;
  }
  expect(at).toBe(capacity);
}

describe('MaxLengthAllocator', () => {
  it('reserves maxLength per sequence, refuses longer ones, and never fragments', () => {
    const a = new MaxLengthAllocator({ capacityTokens: 10_000, maxLength: 3000 });
    expect(a.numSlots).toBe(3);
    expect(a.canAdmit(3001)).toBe('never');
    expect(a.allocate(1, 10)).toBe(0);
    expect(a.allocate(2, 3000)).toBe(3000);
    expect(a.allocate(3, 1)).toBe(6000);
    expect(a.canAdmit(5)).toBe('later');
    expect(() => a.allocate(4, 5)).toThrow(OutOfBlocksError);
    expect(a.reservedTokens).toBe(9000);
    a.free(2);
    expect(a.allocate(4, 7)).toBe(3000);
    expectTiling(a.segments(), 10_000);
    expect(a.segments().at(-1)).toEqual({ start: 9000, length: 1000, seqId: null });
    expectThrowsNaming(() => a.allocate(4, 1), 'MaxLengthAllocator.allocate', 'seqId');
    expectThrowsNaming(() => a.allocate(9, 3001), 'MaxLengthAllocator.allocate', 'length');
    expectThrowsNaming(() => a.free(9), 'MaxLengthAllocator.free', 'seqId');
    expectThrowsNaming(() => new MaxLengthAllocator({ capacityTokens: 0, maxLength: 1 }), 'MaxLengthAllocator', 'options.capacityTokens');
    expectThrowsNaming(() => new MaxLengthAllocator({ capacityTokens: 10, maxLength: '1' as never }), 'MaxLengthAllocator', 'options.maxLength');
  });
});

describe('FirstFitAllocator', () => {
  it('places first fit, merges holes on free, and refuses a request the free space could hold in total', () => {
    const a = new FirstFitAllocator({ capacityTokens: 4000 });
    // the source's picture: 2000, 500 and 1800 tokens; freeing 2000 and 1800 leaves two holes
    expect(a.allocate(1, 2000)).toBe(0);
    expect(a.allocate(2, 500)).toBe(2000);
    expect(a.allocate(3, 1500)).toBe(2500);
    a.free(1);
    a.free(3);
    expect(a.freeTokens).toBe(3500);
    expect(a.largestFreeExtent).toBe(2000);
    expect(a.numHoles).toBe(2);
    expect(a.canAdmit(2500)).toBe('later');
    expect(() => a.allocate(4, 2500)).toThrow(OutOfBlocksError);
    expect(a.externalFragmentation).toBeCloseTo(1 - 2000 / 3500, 12);
    expect(a.allocate(5, 1800)).toBe(0); // first fit: the front hole
    expectTiling(a.segments(), 4000);
    a.free(2); // merges with the back hole: [1800, 4000)
    expect(a.numHoles).toBe(1);
    expect(a.largestFreeExtent).toBe(2200);
    a.free(5);
    expect(a.numHoles).toBe(1);
    expect(a.freeTokens).toBe(4000);
    expect(a.externalFragmentation).toBe(0);
    expect(a.canAdmit(4001)).toBe('never');
    expectThrowsNaming(() => a.allocate(1, 0), 'FirstFitAllocator.allocate', 'length');
    expectThrowsNaming(() => a.free(1), 'FirstFitAllocator.free', 'seqId');
  });

  it('keeps holes sorted and merged under random churn (compared with a slot-by-slot model)', () => {
    const a = new FirstFitAllocator({ capacityTokens: 500 });
    const owner = new Int32Array(500).fill(-1);
    let seed = 7;
    const rand = (n: number) => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return seed % n;
    };
    const live: number[] = [];
    for (let i = 0; i < 3000; i++) {
      if (live.length > 0 && rand(2) === 0) {
        const id = live.splice(rand(live.length), 1)[0]!;
        a.free(id);
        owner.forEach((o, j) => o === id && (owner[j] = -1));
      } else {
        const len = 1 + rand(60);
        // the first run of free slots long enough, from the model
        let start = -1;
        for (let j = 0, run = 0; j < 500; j++) {
          run = owner[j] === -1 ? run + 1 : 0;
          if (run === len) {
            start = j - len + 1;
            break;
          }
        }
        if (start < 0) {
          expect(a.canAdmit(len)).not.toBe('ok');
          continue;
        }
        expect(a.allocate(i, len)).toBe(start);
        owner.fill(i, start, start + len);
        live.push(i);
      }
      const segs = a.segments();
      expectTiling(segs, 500);
      for (let k = 1; k < segs.length; k++) expect(segs[k - 1]!.seqId === null && segs[k]!.seqId === null).toBe(false);
    }
  });
});

describe('sampleLengths', () => {
  it('draws question 1’s clipped normal: moments and clipped mass agree with scipy', () => {
    const n = 40_000;
    const xs = sampleLengths(n, { seed: 3 });
    const mean = xs.reduce((a, b) => a + b, 0) / n;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1));
    // 4 standard errors; rounding to integers adds 1/12 to the variance (negligible)
    expect(Math.abs(mean - workload.clippedMean)).toBeLessThan((4 * workload.clippedStd) / Math.sqrt(n));
    expect(Math.abs(sd - workload.clippedStd) / workload.clippedStd).toBeLessThan(0.02);
    const low = xs.filter((x) => x === 50).length / n;
    expect(Math.abs(low - workload.probBelowMin)).toBeLessThan(4 * Math.sqrt((workload.probBelowMin * (1 - workload.probBelowMin)) / n));
    expect(Math.max(...xs)).toBeLessThanOrEqual(4000);
    expect(sampleLengths(5, { seed: 3 })).toEqual(xs.slice(0, 5));
    expect(sampleLengths(5, { seed: 4 })).not.toEqual(xs.slice(0, 5));
    expectThrowsNaming(() => sampleLengths(-1), 'sampleLengths', 'count');
    expectThrowsNaming(() => sampleLengths(3, { lengths: { min: 1 } }), 'sampleLengths', 'options.lengths.min');
  });
});

describe('simulateWorkload', () => {
  it('is seeded: the same options give the same report, another seed another', async () => {
    const a = await simulateWorkload({ seed: 5, steps: 300, capacityTokens: 20_000 });
    const b = await simulateWorkload({ seed: 5, steps: 300, capacityTokens: 20_000 });
    const c = await simulateWorkload({ seed: 6, steps: 300, capacityTokens: 20_000 });
    expect(b).toEqual(a);
    expect(c.allocators[0]!.timeline).not.toEqual(a.allocators[0]!.timeline);
  });

  it('on question 1’s workload: paged runs ≥ 2.3× the sequences of a 4000-token reservation, with ≤ 2 % waste', async () => {
    const r = await simulateWorkload({ steps: 900 });
    const [paged, maxLength, firstFit] = r.allocators;
    expect(maxLength!.meanRunning).toBe(workload.maxReserveSlots); // floor(204800 / 4000) = 51, always full
    expect(paged!.meanRunning / maxLength!.meanRunning).toBeGreaterThanOrEqual(2.3);
    expect(paged!.reservedButUnused).toBeLessThanOrEqual(0.02);
    expect(paged!.reservedButUnused).toBeGreaterThan(0); // last blocks are rarely full
    expect(paged!.externalFragmentation).toBe(0);
    expect(paged!.reservedForFuture).toBe(0);
    expect(paged!.preemptions).toBeGreaterThan(0); // the saturated backlog overfills, then preempts
    expect(maxLength!.internalFragmentation).toBeGreaterThan(0.5);
    expect(maxLength!.reservedButUnused).toBeCloseTo(maxLength!.internalFragmentation + maxLength!.reservedForFuture, 12);
    expect(firstFit!.internalFragmentation).toBe(0);
    expect(firstFit!.externalFragmentation).toBeGreaterThan(0);
    expect(firstFit!.fragmentationStalls).toBeGreaterThan(0);
    expect(firstFit!.meanRunning).toBeLessThan(paged!.meanRunning);
    expect(paged!.tokensPerStep).toBeCloseTo(paged!.meanRunning, 0);
    for (const a of r.allocators) {
      expect(a.timeline.step).toHaveLength(200);
      expect(a.timeline.usedTokens.every((u, i) => u <= a.timeline.reservedTokens[i]!)).toBe(true);
      expect(a.timeline.reservedTokens.every((u, i) => u + a.timeline.freeTokens[i]! === 204_800)).toBe(true);
      expectTiling(a.occupancy.segments, 204_800);
      expect(a.occupancy.segments.every((s) => s.usedTokens <= s.length)).toBe(true);
    }
    expect(r.lengthSample.count).toBeGreaterThan(500);
    expect(r.config.arrivalRate).toBeNull();
    expect(JSON.parse(JSON.stringify(r.allocators[0]!.timeline))).toEqual(r.allocators[0]!.timeline); // plot-ready JSON
    expect(r.lengthSample.clippedHigh).toBe(0);
  });

  it('with light Poisson traffic every allocator keeps up, and nobody waits long', async () => {
    const r = await simulateWorkload({ steps: 600, arrivalRate: 0.02, capacityTokens: 100 * 2048 });
    const completed = r.allocators.map((a) => a.completed);
    expect(new Set(completed).size).toBe(1);
    for (const a of r.allocators) {
      expect(a.meanQueueDelay).toBe(0);
      expect(a.meanWaiting).toBeLessThan(0.05);
      expect(a.preemptions).toBe(0);
    }
  });

  it('terminates when requests can never fit, and refuses them', async () => {
    const r = await simulateWorkload({ steps: 20, capacityTokens: 100, lengths: { min: 200, max: 300, mean: 250, std: 10 } });
    for (const a of r.allocators) {
      expect(a.refused).toBeGreaterThan(0);
      expect(a.admitted).toBe(0);
    }
  });

  it('reports progress and stops on abort', async () => {
    const seen: number[] = [];
    await simulateWorkload({ steps: 600, capacityTokens: 10_000, onProgress: (p) => seen.push(p.fraction) });
    expect(seen.length).toBeGreaterThanOrEqual(6);
    expect(seen.every((f, i) => f >= 0 && f < 1 && (i === 0 || f >= seen[i - 1]!))).toBe(true);
    const controller = new AbortController();
    const reason = new Error('stop');
    const run = simulateWorkload({ steps: 5000, onProgress: (p) => p.step >= 250 && controller.abort(reason), signal: controller.signal });
    await expect(run).rejects.toBe(reason);
  });

  it('bad options name the option', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ steps: 0 }, 'options.steps'],
      [{ steps: '9' }, 'options.steps'],
      [{ steps: 10, warmupSteps: 10 }, 'options.warmupSteps'],
      [{ capacityTokens: -1 }, 'options.capacityTokens'],
      [{ blockSize: 0 }, 'options.blockSize'],
      [{ lengths: { mean: NaN } }, 'options.lengths.mean'],
      [{ lengths: { min: 100, max: 50 } }, 'options.lengths.max'],
      [{ promptFraction: 2 }, 'options.promptFraction'],
      [{ arrivalRate: 0 }, 'options.arrivalRate'],
      [{ arrivalRate: 'fast' }, 'options.arrivalRate'],
      [{ allocators: [] }, 'options.allocators'],
      [{ allocators: [{ kind: 'buddy' }] }, 'options.allocators[0].kind'],
      [{ allocators: [{ kind: 'paged', blockSize: 1.5 }] }, 'options.allocators[0].blockSize'],
      [{ allocators: [{ kind: 'max-length', maxLength: 0 }] }, 'options.allocators[0].maxLength'],
      [{ timelinePoints: 0 }, 'options.timelinePoints'],
      [{ onProgress: 1 }, 'options.onProgress'],
      [{ signal: {} }, 'options.signal'],
    ];
    for (const [options, arg] of bad) {
      let caught: unknown;
      await simulateWorkload(options as never).catch((err: unknown) => (caught = err));
      expect(caught, arg).toBeInstanceOf(Error);
      expect((caught as Error).message).toContain('simulateWorkload');
      expect((caught as Error).message).toContain(arg);
    }
    await expect(simulateWorkload(3 as never)).rejects.toBeInstanceOf(TypeError);
  });
});

describe('question 1’s claims and the block-size sweep', () => {
  it('runSourceWorkload measures the claims on the fixed workload and gives verdicts', async () => {
    const r = await runSourceWorkload({ steps: 600 });
    expect(r.maxReserve.meanRunning).toBe(51);
    expect(r.reserve2048.meanRunning).toBe(100);
    expect(r.reserve2048.refused).toBeGreaterThan(0);
    expect(r.pagedOverMaxReserve).toBeGreaterThanOrEqual(2.3);
    expect(r.paged64.reservedButUnused).toBeGreaterThan(r.paged.reservedButUnused);
    expect(r.claims.map((c) => c.id)).toEqual([
      'q1-contiguous-runs-40-of-100',
      'q1-contiguous-waste-40pct',
      'q1-paged-waste-below-1pct',
      'q1-paged-runs-95',
      'q1-paged-gain-2.4x',
    ]);
    const byId = Object.fromEntries(r.claims.map((c) => [c.id, c]));
    expect(byId['q1-contiguous-runs-40-of-100']!.verdict).toBe('does not hold'); // 100 run, not 40
    expect(byId['q1-paged-runs-95']!.verdict).toBe('does not hold'); // about 220 run
    for (const c of r.claims) expect(c.verdict === 'holds').toBe(c.id.includes('below-1pct') ? c.measured < 0.01 : Math.abs(c.measured / c.claimed - 1) <= 0.25);
    await expect(runSourceWorkload({ capacityTokens: 5 } as never)).rejects.toThrow(/runSourceWorkload.*options.capacityTokens/);
  });

  it('blockSizeSweep: waste grows and page tables shrink with the block size', async () => {
    const rows = await blockSizeSweep({ steps: 600, blockSizes: [8, 32, 128] });
    expect(rows.map((r) => r.blockSize)).toEqual([8, 32, 128]);
    expect(rows[0]!.reservedButUnused).toBeLessThan(rows[1]!.reservedButUnused);
    expect(rows[1]!.reservedButUnused).toBeLessThan(rows[2]!.reservedButUnused);
    expect(rows[0]!.pageTableEntriesPerSequence).toBeGreaterThan(3 * rows[1]!.pageTableEntriesPerSequence);
    for (const r of rows) expect(r.pageTableBytesPerSequence).toBeCloseTo(4 * r.pageTableEntriesPerSequence, 12);
    await expect(blockSizeSweep({ blockSizes: [] })).rejects.toThrow(/blockSizeSweep.*options.blockSizes/);
    await expect(blockSizeSweep({ kvBytesPerToken: -1 })).rejects.toThrow(/options.kvBytesPerToken/);
  });
});
