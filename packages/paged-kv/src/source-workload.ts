import { describe, integerArg, optionsArg } from './internal/check.js';
import { simulateWorkload, type AllocatorReport, type SimulateWorkloadOptions, type WorkloadReport } from './simulate-workload.js';

/** One claim of question 1's source text next to what we measure, with a verdict. */
export interface SourceClaim {
  /** Stable id, for the question bank. */
  id: string;
  /** The claim, in our words. */
  claim: string;
  /** The number the source gives. */
  claimed: number;
  /** What we measure for it on the source's workload. */
  measured: number;
  /** `'holds'` when the measurement agrees (within 25 % for "about X", strictly for "below X"). */
  verdict: 'holds' | 'does not hold';
  /** What we measured, and against which baseline. */
  note: string;
}

/** Summary of one allocator on the source workload. */
export interface SourceAllocatorSummary {
  /** Name of the allocator. */
  label: string;
  /** Mean sequences running at once. */
  meanRunning: number;
  /** Share of reserved slots holding no token. */
  reservedButUnused: number;
  /** Slots that no token will ever fill, as a share of reserved slots. */
  internalFragmentation: number;
  /** Free slots stranded by fragmentation, as a share of capacity. */
  externalFragmentation: number;
  /** Sequences refused for good. */
  refused: number;
  /** Tokens decoded per step. */
  tokensPerStep: number;
}

/** What {@link runSourceWorkload} returns. */
export interface SourceWorkloadResult {
  /** Paged, block size 16 (vLLM's GPU default). */
  paged: SourceAllocatorSummary;
  /** Paged with the source's 64-token blocks. */
  paged64: SourceAllocatorSummary;
  /** Contiguous, reserving the distribution's maximum (4000) per sequence. */
  maxReserve: SourceAllocatorSummary;
  /** Contiguous, the source's framing: 2048 slots per sequence, longer sequences refused. */
  reserve2048: SourceAllocatorSummary;
  /** Contiguous, exact final length, first fit. */
  firstFit: SourceAllocatorSummary;
  /** paged.meanRunning / maxReserve.meanRunning (the goal: ≥ 2.3). */
  pagedOverMaxReserve: number;
  /** paged.meanRunning / reserve2048.meanRunning. */
  pagedOverReserve2048: number;
  /** The source's claims with our measurements and verdicts. */
  claims: SourceClaim[];
  /** The full simulation report (timelines, occupancy) for plots. */
  report: WorkloadReport;
}

function summary(a: AllocatorReport): SourceAllocatorSummary {
  return {
    label: a.label,
    meanRunning: a.meanRunning,
    reservedButUnused: a.reservedButUnused,
    internalFragmentation: a.internalFragmentation,
    externalFragmentation: a.externalFragmentation,
    refused: a.refused,
    tokensPerStep: a.tokensPerStep,
  };
}

const pct = (x: number): string => `${(100 * x).toFixed(1)} %`;
const about = (measured: number, claimed: number): 'holds' | 'does not hold' => (Math.abs(measured / claimed - 1) <= 0.25 ? 'holds' : 'does not hold');

/**
 * Runs question 1's workload, as the source states it, on every allocator and checks the source's claims:
 * lengths from a normal with mean 800 and SD 600 clipped to [50, 4000], a budget of 100 × 2048 token
 * slots, a saturated backlog, half of each sequence prompt. Compares the paged manager (block 16, and the
 * source's block 64) with a reservation of the maximum length (4000), the source's own framing (reserve
 * 2048, refuse longer) and an exact-length first-fit arena. The workload is not tuned to the claims.
 *
 * @param options - `seed` (default 0), `steps` (default 3000), `onProgress`, `signal` (as
 *   {@link simulateWorkload})
 * @returns {@link SourceWorkloadResult}: summaries, ratios, the claims with verdicts and the raw report
 * @throws TypeError / RangeError for bad options; the signal's reason when aborted
 * @example
 * ```ts
 * import { runSourceWorkload } from '@prep/paged-kv';
 * const result = await runSourceWorkload({ steps: 1200 });
 * result.pagedOverMaxReserve; // ≈ 4: paged holds about four times the sequences
 * for (const c of result.claims) console.log(c.claim, c.claimed, c.measured, c.verdict);
 * ```
 */
export async function runSourceWorkload(
  options?: Pick<SimulateWorkloadOptions, 'seed' | 'steps' | 'onProgress' | 'signal'>,
): Promise<SourceWorkloadResult> {
  const fn = 'runSourceWorkload';
  const opts = optionsArg<SimulateWorkloadOptions>(options, fn);
  for (const key of Object.keys(opts)) {
    if (!['seed', 'steps', 'onProgress', 'signal'].includes(key)) {
      throw new RangeError(`${fn}: 'options.${key}' is not an option; the workload is fixed (seed, steps, onProgress, signal)`);
    }
  }
  const report = await simulateWorkload({
    ...opts,
    capacityTokens: 100 * 2048,
    blockSize: 16,
    lengths: { mean: 800, std: 600, min: 50, max: 4000 },
    promptFraction: 0.5,
    allocators: [
      { kind: 'paged', blockSize: 16 },
      { kind: 'paged', blockSize: 64 },
      { kind: 'max-length', maxLength: 4000 },
      { kind: 'max-length', maxLength: 2048, label: 'reserve 2048, refuse longer' },
      { kind: 'first-fit' },
    ],
  });
  const [paged, paged64, maxReserve, reserve2048, firstFit] = report.allocators.map(summary) as [
    SourceAllocatorSummary,
    SourceAllocatorSummary,
    SourceAllocatorSummary,
    SourceAllocatorSummary,
    SourceAllocatorSummary,
  ];
  const claims: SourceClaim[] = [
    {
      id: 'q1-contiguous-runs-40-of-100',
      claim: 'A KV budget sized for 100 sequences of 2K tokens runs only about 40 with contiguous allocation',
      claimed: 40,
      measured: reserve2048.meanRunning,
      verdict: about(reserve2048.meanRunning, 40),
      note: `reserving 2048 slots per sequence runs ${reserve2048.meanRunning.toFixed(1)} sequences (equal slots never fragment); reserving 4000 runs ${maxReserve.meanRunning.toFixed(1)}; exact-length first-fit runs ${firstFit.meanRunning.toFixed(1)}`,
    },
    {
      id: 'q1-contiguous-waste-40pct',
      claim: 'About 40 % of KV memory is wasted (trapped in fragments) by contiguous allocation on mixed lengths',
      claimed: 0.4,
      measured: reserve2048.reservedButUnused,
      verdict: about(reserve2048.reservedButUnused, 0.4),
      note: `reserved but unused: ${pct(reserve2048.reservedButUnused)} (reserve 2048), ${pct(maxReserve.reservedButUnused)} (reserve 4000), ${pct(firstFit.reservedButUnused)} (first-fit, slots held for tokens not generated yet); stranded between extents: ${pct(firstFit.externalFragmentation)} of capacity (first-fit), 0 for fixed reservations`,
    },
    {
      id: 'q1-paged-waste-below-1pct',
      claim: 'Paging cuts the waste to below 1 %',
      claimed: 0.01,
      measured: paged.reservedButUnused,
      verdict: paged.reservedButUnused < 0.01 ? 'holds' : 'does not hold',
      note: `${pct(paged.reservedButUnused)} with 16-token blocks, ${pct(paged64.reservedButUnused)} with the source's 64-token blocks (the slack of each sequence's last block)`,
    },
    {
      id: 'q1-paged-runs-95',
      claim: 'With paging the same budget runs about 95 sequences',
      claimed: 95,
      measured: paged.meanRunning,
      verdict: about(paged.meanRunning, 95),
      note: `${paged.meanRunning.toFixed(1)} sequences with 16-token blocks, ${paged64.meanRunning.toFixed(1)} with 64-token blocks: paging is bounded by the tokens actually held, not by 100 reservations`,
    },
    {
      id: 'q1-paged-gain-2.4x',
      claim: 'Paging raises the number of concurrent sequences about 2.4× over contiguous allocation',
      claimed: 2.4,
      measured: paged.meanRunning / reserve2048.meanRunning,
      verdict: about(paged.meanRunning / reserve2048.meanRunning, 2.4),
      note: `×${(paged.meanRunning / reserve2048.meanRunning).toFixed(2)} over reserve-2048 (which also refuses ${reserve2048.refused} long sequences), ×${(paged.meanRunning / maxReserve.meanRunning).toFixed(2)} over reserve-4000, ×${(paged.meanRunning / firstFit.meanRunning).toFixed(2)} over exact-length first-fit`,
    },
  ];
  return {
    paged,
    paged64,
    maxReserve,
    reserve2048,
    firstFit,
    pagedOverMaxReserve: paged.meanRunning / maxReserve.meanRunning,
    pagedOverReserve2048: paged.meanRunning / reserve2048.meanRunning,
    claims,
    report,
  };
}

/** One row of {@link blockSizeSweep}. */
export interface BlockSizeRow {
  /** Tokens per block. */
  blockSize: number;
  /** Mean sequences running at once. */
  meanRunning: number;
  /** Share of allocated slots holding no token (the last blocks' slack). */
  reservedButUnused: number;
  /** Mean page-table entries per running sequence. */
  pageTableEntriesPerSequence: number;
  /** Page-table bytes per sequence (int32 entries). */
  pageTableBytesPerSequence: number;
  /** Page-table bytes as a share of the K/V bytes of the sequence's tokens (for `kvBytesPerToken`). */
  pageTableShareOfKv: number;
  /** Preemptions during the run. */
  preemptions: number;
}

/**
 * The block-size trade-off on a workload: small blocks waste less of the last block but need longer page
 * tables (and more indirection per attention step); large blocks the reverse. Runs one paged allocator
 * per block size on the same request stream.
 *
 * @param options - `blockSizes` (default 8, 16, 32, 64, 128, 256), `kvBytesPerToken` (K and V bytes of
 *   one token over all layers; default 2 · 2 KV heads · 64 · 4 bytes = 1024, one layer of the benchmark
 *   model), and any {@link SimulateWorkloadOptions} (question 1's workload by default)
 * @returns one {@link BlockSizeRow} per block size
 * @throws TypeError / RangeError for bad options
 * @example
 * ```ts
 * import { blockSizeSweep } from '@prep/paged-kv';
 * const rows = await blockSizeSweep({ steps: 900 });
 * rows.map((r) => [r.blockSize, r.reservedButUnused, r.pageTableEntriesPerSequence]);
 * ```
 */
export async function blockSizeSweep(
  options?: Omit<SimulateWorkloadOptions, 'allocators' | 'blockSize'> & { blockSizes?: readonly number[]; kvBytesPerToken?: number },
): Promise<BlockSizeRow[]> {
  const fn = 'blockSizeSweep';
  const { blockSizes = [8, 16, 32, 64, 128, 256], kvBytesPerToken = 1024, ...rest } = optionsArg<{ blockSizes: number[]; kvBytesPerToken: number } & SimulateWorkloadOptions>(options, fn);
  if (!Array.isArray(blockSizes) || blockSizes.length === 0) {
    throw new TypeError(`${fn}: 'options.blockSizes' must be a non-empty array of block sizes; got ${describe(blockSizes)}`);
  }
  blockSizes.forEach((b, i) => integerArg(b, fn, `options.blockSizes[${i}]`, 1));
  if (typeof kvBytesPerToken !== 'number') throw new TypeError(`${fn}: 'options.kvBytesPerToken' must be a number; got ${describe(kvBytesPerToken)}`);
  if (!(kvBytesPerToken > 0) || !Number.isFinite(kvBytesPerToken)) throw new RangeError(`${fn}: 'options.kvBytesPerToken' must be positive; got ${kvBytesPerToken}`);
  const report = await simulateWorkload({ ...rest, allocators: blockSizes.map((blockSize) => ({ kind: 'paged' as const, blockSize })) });
  return report.allocators.map((a, i) => {
    const entries = a.meanBlocksPerSequence ?? 0;
    const tokensPerSeq = a.meanRunning > 0 ? a.meanUsedTokens / a.meanRunning : 0;
    return {
      blockSize: blockSizes[i]!,
      meanRunning: a.meanRunning,
      reservedButUnused: a.reservedButUnused,
      pageTableEntriesPerSequence: entries,
      pageTableBytesPerSequence: 4 * entries,
      pageTableShareOfKv: tokensPerSeq > 0 ? (4 * entries) / (tokensPerSeq * kvBytesPerToken) : 0,
      preemptions: a.preemptions,
    };
  });
}
