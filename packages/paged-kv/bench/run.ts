/**
 * `pnpm bench` for @prep/paged-kv (wasm backend in Node). Measures, in one run, each figure of issue 4's
 * "The numbers" beside its baseline, prints the ratios, and rewrites BENCHMARKS.md and the benchmark
 * block of README.md. Timings are medians; the machine is shared, so they are noisy.
 *
 *   pnpm bench            the full run (≈ 2–3 minutes on 2 idle cores)
 *   pnpm bench --quick    smaller workloads (for a smoke test; does not rewrite the files)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { markdownTable, machineLine, timeMs, writeBenchmarks, type BenchSection } from '@prep/test-utils/bench';
import { tf, useBackend } from '@prep/test-utils/tensor';
import { scaledDotProductAttention } from '@prep/attention';
import {
  BlockPool,
  FirstFitAllocator,
  KVCacheManager,
  PagedKVStore,
  blockSizeSweep,
  pagedAttention,
  runSourceWorkload,
  sampleLengths,
} from '../src/index.js';
import { randomOps, runModel } from '../test/invariant-model.js';

const quick = process.argv.includes('--quick');
const here = dirname(fileURLToPath(import.meta.url));
const sections: BenchSection[] = [];
const log = (...args: unknown[]) => console.log(...args);
const f = (x: number, digits = 1) => x.toFixed(digits);
const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const steps = quick ? 900 : 3000;

const loadAtStart = loadavg()[0]!;
await useBackend('wasm');
log(`machine: ${machineLine()}; backend ${tf.getBackend()}${quick ? ' (quick)' : ''}`);

// ---------------------------------------------------------------------------------------------------
// 1. Question 1's workload and the source's claims
{
  const t0 = performance.now();
  const r = await runSourceWorkload({ steps });
  log(`source workload: ${f((performance.now() - t0) / 1000)} s`);
  const rows = [r.paged, r.paged64, r.maxReserve, r.reserve2048, r.firstFit].map((a) => [
    a.label,
    f(a.meanRunning),
    `×${f(a.meanRunning / r.maxReserve.meanRunning, 2)}`,
    pct(a.reservedButUnused),
    pct(a.internalFragmentation),
    pct(a.externalFragmentation),
    a.refused,
    f(a.tokensPerStep),
  ]);
  const report = r.report.allocators;
  sections.push({
    heading: 'Question 1: concurrent sequences and waste on the source’s workload',
    description:
      `Lengths from a normal with mean 800 and SD 600 clipped to [50, 4000] (drawn: mean ${f(r.report.lengthSample.mean)}, SD ${f(r.report.lengthSample.std)}, ` +
      `${r.report.lengthSample.clippedLow} of ${r.report.lengthSample.count} clipped at 50), half of each sequence prompt, a saturated backlog, ` +
      `a budget of 100 × 2048 = 204,800 token slots, ${steps} decode steps (averages after the first third), seed 0. ` +
      'Goal of the issue: paged ≥ 2.3× the concurrent sequences of a reservation of the maximum length, waste ≤ 2 %. ' +
      `Paged preempted ${report[0]!.preemptions} times (recompute) and re-prefilled ${report[0]!.recomputedTokens} tokens; ` +
      `first-fit refused the next request while enough slots were free on ${report[4]!.fragmentationStalls} of ${steps - Math.floor(steps / 3)} steps.`,
    table: markdownTable(
      ['allocator', 'mean running sequences', 'vs reserve 4000', 'reserved but unused', 'never usable (internal)', 'stranded free (external)', 'refused', 'tokens / step'],
      rows,
    ),
  });
  sections.push({
    heading: 'The source’s claims, measured',
    description: 'Verdict: "holds" when the measurement is within 25 % of the claimed figure ("below X": strictly below). The workload is not tuned to the claims.',
    table: markdownTable(
      ['claim (source)', 'claimed', 'measured', 'verdict', 'what we measured'],
      r.claims.map((c) => [c.claim, c.claimed < 1 ? pct(c.claimed) : String(c.claimed), c.measured < 1 ? pct(c.measured) : f(c.measured, 2), c.verdict, c.note]),
    ),
  });
  log(`  paged ${f(r.paged.meanRunning)} vs reserve-4000 ${f(r.maxReserve.meanRunning)}: ×${f(r.pagedOverMaxReserve, 2)} (goal ≥ 2.3); waste ${pct(r.paged.reservedButUnused)} (goal ≤ 2 %)`);
  for (const c of r.claims) log(`  claim ${c.id}: ${c.verdict} (claimed ${c.claimed}, measured ${f(c.measured, 3)})`);
}

// ---------------------------------------------------------------------------------------------------
// 4 (set-up shared with 2). Decode step: 32 sequences of the source's lengths, capped at 2048.
const numSeqs = 32;
const headsQ = 8;
const numKvHeads = 2;
const headDim = 64;
const lengths = sampleLengths(numSeqs, { seed: 1 }).map((n) => Math.min(n, 2048));
const row = numKvHeads * headDim;
const rng = (() => {
  let s = 12345;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
})();
const kvData = lengths.map((n) => ({ keys: Float32Array.from({ length: n * row }, rng), values: Float32Array.from({ length: n * row }, rng) }));
const qData = Float32Array.from({ length: numSeqs * headsQ * headDim }, rng);

/** A store whose sequences were decoded round-robin (interleaved, non-contiguous block tables). */
function pagedStore(blockSize: number, useWasm = true): { kv: KVCacheManager; store: PagedKVStore; ids: number[] } {
  const kv = new KVCacheManager({ numBlocks: Math.floor((100 * 2048) / blockSize), blockSize });
  const store = new PagedKVStore(kv, { numLayers: 1, numKvHeads, headDim, useWasm });
  const ids = lengths.map((_, i) => i);
  ids.forEach((id) => kv.addSequence(id, new Array<number>(Math.ceil(lengths[id]! / 2)).fill(1)));
  for (let t = 0; ; t++) {
    let any = false;
    for (const id of ids) {
      if (kv.getNumTokens(id) < lengths[id]!) {
        kv.appendToken(id, t & 0xffff);
        any = true;
      }
    }
    if (!any) break;
  }
  ids.forEach((id) => store.write(0, id, kvData[id]!.keys, kvData[id]!.values, 0));
  return { kv, store, ids };
}

const q = tf.tensor3d(qData, [numSeqs, headsQ, headDim]);
const stepOf = (store: PagedKVStore, ids: number[]) => () => {
  const out = pagedAttention(q, store, 0, ids);
  out.dataSync();
  out.dispose();
};

// ---------------------------------------------------------------------------------------------------
// 2. Block-size sweep
{
  const t0 = performance.now();
  const rows = await blockSizeSweep({ steps });
  const timed: (string | number)[][] = [];
  for (const r of rows) {
    const { store, ids } = pagedStore(r.blockSize);
    const step = stepOf(store, ids);
    step();
    step();
    let ms = Infinity;
    for (let r = 0; r < (quick ? 3 : 9); r++) {
      const t0 = performance.now();
      step();
      ms = Math.min(ms, performance.now() - t0);
    }
    timed.push([
      r.blockSize,
      pct(r.reservedButUnused),
      f(r.meanRunning),
      f(r.pageTableEntriesPerSequence),
      `${f(r.pageTableBytesPerSequence, 0)} B`,
      `${(100 * r.pageTableShareOfKv).toFixed(3)} %`,
      f(ms, 2),
    ]);
  }
  log(`block-size sweep: ${f((performance.now() - t0) / 1000)} s`);
  sections.push({
    heading: 'Block size: waste against page-table overhead',
    description:
      'The same workload for block sizes 8…256 (one paged allocator each, same request stream). Small blocks waste less of each sequence’s last block; ' +
      'large blocks need shorter page tables (int32 entries; the share is of the K/V bytes of one layer of the benchmark model, 1 KiB per token) and fewer indirections per attention step. ' +
      'The decode step is section 4’s (32 sequences, wasm; best of 9).',
    table: markdownTable(['block size', 'reserved but unused', 'mean running', 'page-table entries / sequence', 'page-table bytes / sequence', 'page table / KV bytes', 'decode step (ms)'], timed),
  });
}

// ---------------------------------------------------------------------------------------------------
// 3. Allocator throughput
{
  // Best of 5: on a shared machine the fastest run is the one least disturbed by other jobs.
  const bestMs = (fn: () => unknown, runs = 5): number => {
    fn();
    let best = Infinity;
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      fn();
      best = Math.min(best, performance.now() - t0);
    }
    return best;
  };
  const rows: (string | number)[][] = [];
  for (const n of [1e3, 1e4, 1e5, 1e6]) {
    const pool = new BlockPool(n);
    const order = new Int32Array(n);
    const perm = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i > 0; i--) {
      const j = Math.floor((rng() + 0.5) * (i + 1));
      [perm[i], perm[j]] = [perm[j]!, perm[i]!];
    }
    // scramble the free list once: afterwards every round allocates and releases blocks in random id order
    for (let i = 0; i < n; i++) order[i] = pool.allocate();
    for (let i = 0; i < n; i++) pool.release(order[perm[i]!]!);
    const rounds = Math.max(2, Math.round((quick ? 2e6 : 8e6) / (2 * n)));
    // take every block, then give them all back: 2n operations per round
    const cycle = () => {
      for (let r = 0; r < rounds; r++) {
        for (let i = 0; i < n; i++) order[i] = pool.allocate();
        for (let i = 0; i < n; i++) pool.release(order[i]!);
      }
    };
    const ms = bestMs(cycle);
    const opsPerSecond = (2 * n * rounds) / (ms / 1000);
    // mixed: half-full pool, alternate one release of a random held block and one allocation
    for (let i = 0; i < n / 2; i++) order[i] = pool.allocate();
    const mixed = () => {
      const held = n / 2;
      let x = 12345;
      for (let k = 0; k < (quick ? 1e6 : 4e6); k++) {
        x = (Math.imul(x, 1664525) + 1013904223) | 0;
        const victim = (x >>> 0) % held;
        pool.release(order[victim]!);
        order[victim] = pool.allocate();
      }
      return held;
    };
    const mixedMs = bestMs(mixed);
    const mixedOps = (2 * (quick ? 1e6 : 4e6)) / (mixedMs / 1000);
    // Control: the mixed loop's own random memory traffic without the pool (pick a random held slot, read
    // its block id, touch that block's entry in an n-entry Int32Array, write the slot back). Its rate is
    // the ceiling that cache misses set for any allocator under this access pattern at this size.
    const touched = new Int32Array(n);
    const control = () => {
      const held = n / 2;
      let x = 12345;
      for (let k = 0; k < (quick ? 1e6 : 4e6); k++) {
        x = (Math.imul(x, 1664525) + 1013904223) | 0;
        const victim = (x >>> 0) % held;
        const b = order[victim]!;
        touched[b] = touched[b]! + 1;
        order[victim] = b;
      }
      return held;
    };
    const controlOps = (2 * (quick ? 1e6 : 4e6)) / (bestMs(control) / 1000);
    // the exact-length first-fit arena on the same counts (one slot per sequence; its scan is O(holes))
    let firstFitOps = NaN;
    if (n <= 1e4) {
      const arena = new FirstFitAllocator({ capacityTokens: n });
      const ffMs = bestMs(() => {
        for (let i = 0; i < n; i++) arena.allocate(i, 1);
        for (let i = 0; i < n; i++) arena.free(perm[i]!);
      }, 3);
      firstFitOps = (2 * n) / (ffMs / 1000);
    }
    rows.push([
      n.toExponential(0),
      `${(opsPerSecond / 1e6).toFixed(1)} M/s`,
      `${(mixedOps / 1e6).toFixed(1)} M/s`,
      `×${f(Math.min(opsPerSecond, mixedOps) / 1e7, 2)}`,
      `${(controlOps / 1e6).toFixed(1)} M/s (pool at ${pct(mixedOps / controlOps)})`,
      Number.isNaN(firstFitOps) ? 'not run (quadratic)' : `${(firstFitOps / 1e6).toFixed(2)} M/s`,
    ]);
    log(`  BlockPool ${n}: ${f(opsPerSecond / 1e6)} M ops/s (fill/drain), ${f(mixedOps / 1e6)} M ops/s (mixed)`);
  }
  // the manager on top: appendToken into growing sequences (a new block every 16 tokens)
  const kv = new KVCacheManager({ numBlocks: 1 << 16, blockSize: 16 });
  for (let i = 0; i < 256; i++) kv.addSequence(i, []);
  const appends = quick ? 2e5 : 1e6;
  const appendMs = bestMs(() => {
    for (let k = 0; k < appends; k++) kv.appendToken(k & 255, 7);
    for (let i = 0; i < 256; i++) {
      kv.free(i);
      kv.addSequence(i, []);
    }
  }, 3);
  sections.push({
    heading: 'Allocator throughput',
    description:
      'BlockPool allocate + release (the O(1) free list under KVCacheManager) from 10³ to 10⁶ blocks, block ids in random order, best of 5 runs. "Fill/drain": take every block, give them all back, repeat. ' +
      '"Mixed": a half-full pool, release a held block and take one, repeatedly. Target of the issue: ≥ 10⁷ operations per second at every size. ' +
      'The control column runs the mixed loop\'s own random reads and writes (a random held slot, its block\'s entry in an n-entry array) without the pool: ' +
      'the ceiling that memory access sets for this pattern at each size (at 10⁶ blocks the arrays outgrow the CPU caches). ' +
      'On a machine loaded by other jobs the mixed rate at 10⁶ blocks fell to 4.4 M/s in an earlier run, with cache misses, not the pool\'s O(1) work, setting the pace. ' +
      `For comparison, the exact-length first-fit arena with one-slot extents (O(holes) per operation). KVCacheManager.appendToken (with validation, a new block every 16 tokens): ${f(appends / (appendMs / 1000) / 1e6)} M tokens/s.`,
    table: markdownTable(['blocks', 'fill/drain', 'mixed', 'slower of the two vs 10⁷/s', 'mixed loop without the pool (memory-bound control)', 'first-fit arena'], rows),
  });
}

// ---------------------------------------------------------------------------------------------------
// 4. Decode step on wasm
{
  const paged = pagedStore(16);
  const plain = pagedStore(16, false);
  // the same kernel over contiguous memory: block size 2048, one block per sequence, so no paging at all
  const contiguous = (() => {
    const kv = new KVCacheManager({ numBlocks: numSeqs, blockSize: 2048 });
    const store = new PagedKVStore(kv, { numLayers: 1, numKvHeads, headDim });
    const ids = lengths.map((n, i) => {
      kv.addSequence(i, new Array<number>(n).fill(1));
      store.write(0, i, kvData[i]!.keys, kvData[i]!.values);
      return i;
    });
    return { store, ids };
  })();
  // contiguous K/V as tfjs tensors, per sequence [numKvHeads, n, headDim]
  const toHeads = (data: Float32Array, n: number) => tf.tidy(() => tf.transpose(tf.tensor3d(data, [n, numKvHeads, headDim]), [1, 0, 2]));
  const kSeq = lengths.map((n, i) => toHeads(kvData[i]!.keys, n));
  const vSeq = lengths.map((n, i) => toHeads(kvData[i]!.values, n));
  const group = headsQ / numKvHeads;
  const scale = 1 / Math.sqrt(headDim);
  const tfContiguous = () =>
    tf.tidy(() => {
      const outs = lengths.map((_, i) => {
        const qi = tf.reshape(tf.slice(q, [i, 0, 0], [1, headsQ, headDim]), [numKvHeads, group, headDim]);
        return tf.matMul(tf.softmax(tf.mul(tf.matMul(qi, kSeq[i]!, false, true), scale)), vSeq[i]!);
      });
      return tf.reshape(tf.stack(outs), [numSeqs, headsQ, headDim]);
    });
  const sdpaContiguous = () =>
    tf.tidy(() =>
      tf.concat(
        lengths.map((n, i) =>
          tf.reshape(
            scaledDotProductAttention(
              tf.reshape(tf.slice(q, [i, 0, 0], [1, headsQ, headDim]), [1, headsQ, 1, headDim]),
              tf.reshape(kSeq[i]!, [1, numKvHeads, n, headDim]),
              tf.reshape(vSeq[i]!, [1, numKvHeads, n, headDim]),
            ),
            [1, headsQ, headDim],
          ),
        ),
      ),
    );
  // padded contiguous batch: every sequence in a [maxLength = 2048] slot, padding masked out
  const maxLength = 2048;
  const kPad = new Float32Array(numSeqs * maxLength * row);
  const vPad = new Float32Array(numSeqs * maxLength * row);
  const bias = new Float32Array(numSeqs * maxLength);
  lengths.forEach((n, i) => {
    kPad.set(kvData[i]!.keys, i * maxLength * row);
    vPad.set(kvData[i]!.values, i * maxLength * row);
    bias.fill(-1e9, i * maxLength + n, (i + 1) * maxLength);
  });
  const kPadded = tf.tidy(() => tf.reshape(tf.transpose(tf.tensor4d(kPad, [numSeqs, maxLength, numKvHeads, headDim]), [0, 2, 1, 3]), [numSeqs * numKvHeads, maxLength, headDim]));
  const vPadded = tf.tidy(() => tf.reshape(tf.transpose(tf.tensor4d(vPad, [numSeqs, maxLength, numKvHeads, headDim]), [0, 2, 1, 3]), [numSeqs * numKvHeads, maxLength, headDim]));
  const biasT = tf.tensor4d(bias, [numSeqs, 1, 1, maxLength]);
  const padded = () =>
    tf.tidy(() => {
      const qg = tf.reshape(q, [numSeqs * numKvHeads, group, headDim]);
      const s = tf.add(tf.reshape(tf.mul(tf.matMul(qg, kPadded, false, true), scale), [numSeqs, numKvHeads, group, maxLength]), biasT);
      const p = tf.reshape(tf.softmax(s), [numSeqs * numKvHeads, group, maxLength]);
      return tf.reshape(tf.matMul(p, vPadded), [numSeqs, headsQ, headDim]);
    });
  // all variants agree
  const ref = tf.tidy(padded);
  for (const [name, fn] of [
    ['paged', () => pagedAttention(q, paged.store, 0, paged.ids)],
    ['contiguous kernel', () => pagedAttention(q, contiguous.store, 0, contiguous.ids)],
    ['tfjs contiguous', tfContiguous],
  ] as const) {
    const out = fn();
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(out, ref))).dataSync()[0]!);
    out.dispose();
    if (!(diff < 1e-4)) throw new Error(`bench: ${name} differs from the padded batch by ${diff}`);
  }
  ref.dispose();
  const run = (fn: () => tf.Tensor) => () => {
    const out = fn();
    out.dataSync();
    out.dispose();
  };
  const peak = async (fn: () => tf.Tensor) => {
    const before = tf.memory().numBytes;
    const info = await tf.profile(() => fn());
    tf.dispose(info.result);
    return info.peakBytes - before;
  };
  const repeats = quick ? 3 : 15;
  const variants: { name: string; fn: () => tf.Tensor; kvBytes: number; note: string }[] = [
    {
      name: 'paged (wasm SIMD kernel, block 16)',
      fn: () => pagedAttention(q, paged.store, 0, paged.ids),
      kvBytes: lengths.reduce((a, n) => a + Math.ceil(n / 16) * 16, 0) * row * 4 * 2,
      note: 'blocks of the 32 sequences; scratch: scores of 8 query heads × one 4096-token chunk',
    },
    { name: 'paged (JS kernel, store outside wasm memory)', fn: () => pagedAttention(q, plain.store, 0, plain.ids), kvBytes: NaN, note: 'fallback where WebAssembly SIMD is missing' },
    {
      name: 'paged (composed tfjs reference)',
      fn: () => pagedAttention(q, paged.store, 0, paged.ids, { implementation: 'reference' }),
      kvBytes: NaN,
      note: 'gathers into a padded batch each step (the WebGL/WebGPU path)',
    },
    {
      name: 'padded contiguous batch (tfjs, [32, 2, 2048, 64])',
      fn: padded,
      kvBytes: numSeqs * maxLength * row * 4 * 2,
      note: 'batched matMul, masked softmax; K/V resident as tensors',
    },
    {
      name: 'exact attention, contiguous K/V, same kernel (no paging)',
      fn: () => pagedAttention(q, contiguous.store, 0, contiguous.ids),
      kvBytes: lengths.reduce((a, n) => a + n, 0) * row * 4 * 2,
      note: 'one 2048-token block per sequence: the kernel without page-table indirection',
    },
    {
      name: 'exact attention, contiguous K/V, tfjs ops per sequence',
      fn: tfContiguous,
      kvBytes: lengths.reduce((a, n) => a + n, 0) * row * 4 * 2,
      note: 'per sequence: [2, 4, 64] × [2, n, 64]ᵀ, softmax, × V',
    },
    {
      name: 'exact attention, contiguous K/V, @prep/attention per sequence',
      fn: sdpaContiguous,
      kvBytes: lengths.reduce((a, n) => a + n, 0) * row * 4 * 2,
      note: 'scaledDotProductAttention, one call per sequence',
    },
  ];
  // Round-robin: every repeat runs each variant once, so load changes on the shared machine hit all alike.
  const times = variants.map(() => [] as number[]);
  for (const v of variants) for (let w = 0; w < 2; w++) run(v.fn)();
  for (let r = 0; r < repeats; r++) {
    variants.forEach((v, i) => {
      const t0 = performance.now();
      run(v.fn)();
      times[i]!.push(performance.now() - t0);
    });
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const results: { name: string; ms: number; medianMs: number; peak: number; kvBytes: number; note: string }[] = [];
  for (const [i, v] of variants.entries()) {
    const ms = Math.min(...times[i]!);
    const medianMs = median(times[i]!);
    const p = await peak(v.fn);
    results.push({ name: v.name, ms, medianMs, peak: p, kvBytes: v.kvBytes, note: v.note });
    log(`  decode step, ${v.name}: best ${f(ms, 2)} ms, median ${f(medianMs, 2)} ms, transient tfjs peak ${mb(p)}`);
  }
  const pagedMs = results[0]!.ms;
  // the kernel's scratch, preallocated by the store: 8 heads × one 4096-token chunk of scores, q and out
  // rows for 8 heads, and one block table
  const scratch = (8 * 4096 + 2 * 8 * headDim) * 4 + ((100 * 2048) / 16) * 4;
  results[0]!.peak += scratch;
  results[1]!.peak += scratch;
  const padded2 = results[3]!;
  const exactKernel = results[4]!;
  const exactTf = results[5]!;
  sections.push({
    heading: 'Decode step: paged attention against a padded batch and exact attention (wasm)',
    description:
      `32 sequences of the source’s lengths capped at 2048 (seed 1: mean ${f(lengths.reduce((a, b) => a + b, 0) / numSeqs)}, longest ${Math.max(...lengths)}), ` +
      '8 query heads, 2 KV heads, headDim 64, one layer; the 32 sequences were decoded round-robin so their blocks interleave in the pool. ' +
      `${repeats} steps per variant, the variants taking turns, reading the output; ratios use the best step (the one least disturbed by other jobs on the shared machine), medians beside. "KV" is the cache the batch needs resident (paged: its blocks; padded: 32 × 2048 slots), ` +
      '"step" what the step allocates on top (tf.profile; for the kernel, its output plus the scratch the store preallocates), "peak" their sum. ' +
      `Goals of the issue: paged ≥ 1.5× faster than the padded batch with lower peak memory (measured ×${f(padded2.ms / pagedMs, 2)}; peak ${mb(results[0]!.kvBytes + results[0]!.peak)} vs ${mb(padded2.kvBytes + padded2.peak)}), ` +
      `and within 1.5× of exact attention on contiguous K/V (measured ×${f(pagedMs / exactKernel.ms, 2)} of the same kernel without paging, ×${f(pagedMs / exactTf.ms, 2)} of tfjs ops on contiguous K/V).`,
    table: markdownTable(
      ['variant', 'best (ms)', 'median (ms)', 'paged is faster by', 'KV', 'step', 'peak', 'note'],
      results.map((r) => {
        const kv = Number.isNaN(r.kvBytes) ? results[0]!.kvBytes : r.kvBytes;
        return [r.name, f(r.ms, 2), f(r.medianMs, 2), `×${f(r.ms / pagedMs, 2)}`, mb(kv), mb(r.peak), mb(kv + r.peak), r.note];
      }),
    ),
  });

  // ---------------------------------------------------------------------------------------------------
  // 5. Where the pools live: typed arrays (our store) against tfjs tensors with scatter/gather
  {
    const slots = (100 * 2048) / 16;
    const poolK = tf.zeros([slots * 16, numKvHeads, headDim]);
    const slotOf = (i: number) => {
      const table = paged.kv.getBlockTable(i);
      const n = lengths[i]!;
      return table[Math.floor((n - 1) / 16)]! * 16 + ((n - 1) % 16);
    };
    const lastSlots = tf.tensor2d(lengths.map((_, i) => slotOf(i)), [numSeqs, 1], 'int32');
    const newRows = tf.tensor3d(Float32Array.from({ length: numSeqs * row }, rng), [numSeqs, numKvHeads, headDim]);
    const writeTensor = () => {
      const next = tf.tensorScatterUpdate(poolK, lastSlots, newRows);
      next.dataSync();
      next.dispose();
    };
    const gatherIndex = lengths.map((n, i) => {
      const table = paged.kv.getBlockTable(i);
      return tf.tensor1d(Int32Array.from({ length: n }, (_, t) => table[Math.floor(t / 16)]! * 16 + (t % 16)), 'int32');
    });
    const gatherTensor = () =>
      tf.tidy(() => {
        const outs = gatherIndex.map((idx) => tf.gather(poolK, idx));
        return tf.concat(outs.map((o) => tf.reshape(o, [-1]))).dataSync();
      });
    const rowsData = newRows.dataSync() as Float32Array;
    const writeTyped = () => paged.store.writeLast(0, paged.ids, rowsData, rowsData);
    const typedRead = () => {
      for (const id of paged.ids) paged.store.gather(0, id);
    };
    const wT = await timeMs(writeTensor, { repeats: quick ? 3 : 7, warmup: 1 });
    const gT = await timeMs(gatherTensor, { repeats: quick ? 3 : 7, warmup: 1 });
    const wA = await timeMs(writeTyped, { repeats: 25, warmup: 2 });
    const gA = await timeMs(typedRead, { repeats: 7, warmup: 1 });
    tf.dispose([poolK, lastSlots, newRows, ...gatherIndex]);
    sections.push({
      heading: 'Store design: typed-array pools against tfjs tensor pools',
      description:
        `One K pool of the benchmark budget (${slots * 16} slots × 2 heads × 64, ${mb(slots * 16 * row * 4)}). Writing a decode step’s 32 new rows into an immutable tensor pool ` +
        '(tf.tensorScatterUpdate) makes a new pool; reading the 32 sequences back is one tf.gather per sequence. The typed-array pool writes rows in place and the kernel reads them in place ' +
        '(gathering copies is shown only for comparison; pagedAttention does not gather). Hence the store keeps typed arrays (in WebAssembly memory) and its own kernel.',
      table: markdownTable(
        ['operation', 'tensor pool (ms)', 'typed-array pool (ms)', 'ratio'],
        [
          ['write 32 new K rows', f(wT, 2), f(wA, 3), `×${f(wT / wA, 0)}`],
          ['read the 32 sequences (gather)', f(gT, 2), f(gA, 2), `×${f(gT / gA, 1)}`],
        ],
      ),
    });
    log(`  store: tensor write ${f(wT, 2)} ms vs typed ${f(wA, 3)} ms; gather ${f(gT, 2)} ms vs ${f(gA, 2)} ms`);
  }
  tf.dispose([...kSeq, ...vSeq, kPadded, vPadded, biasT]);
}

// ---------------------------------------------------------------------------------------------------
// 6. The invariant property at 10⁶ operations
{
  const total = quick ? 1e5 : 1e6;
  const configs = [
    { numBlocks: 32, blockSize: 4, enablePrefixCaching: true },
    { numBlocks: 32, blockSize: 4, enablePrefixCaching: false },
    { numBlocks: 48, blockSize: 1, enablePrefixCaching: true },
    { numBlocks: 16, blockSize: 16, enablePrefixCaching: true },
  ];
  const rows: (string | number)[][] = [];
  for (const [i, config] of configs.entries()) {
    const t0 = performance.now();
    const r = runModel(config, randomOps(total / configs.length, 1000 + i, 4 * config.blockSize + 4));
    const s = (performance.now() - t0) / 1000;
    rows.push([JSON.stringify(config).replace(/"/g, ''), total / configs.length, r.applied, r.refused, r.copies, f(s, 1)]);
    log(`  invariants: ${JSON.stringify(config)}: ${r.applied} applied, ${r.refused} refused, ${r.copies} copies in ${f(s, 1)} s`);
  }
  sections.push({
    heading: 'Invariants under 10⁶ random operations',
    description:
      'The property test of the suite (test/invariant-model.ts) at 10⁶ operations: random add / append / fork / free / evict / preempt / resume, every invariant checked after every ' +
      'operation from the public API (ref counts = holders, free queue and held blocks partition the pool, ceil(tokens / blockSize) blocks per table, tokens as written, refused operations change nothing), ' +
      'and everything freed at the end. No violation.',
    table: markdownTable(['configuration', 'operations', 'applied', 'refused (out of blocks)', 'copy-on-writes', 'seconds'], rows),
  });
}

q.dispose();

if (quick) {
  log('quick run: BENCHMARKS.md and README.md not rewritten');
} else {
  writeBenchmarks(join(here, '..', 'BENCHMARKS.md'), {
    title: '@prep/paged-kv benchmarks',
    command: 'pnpm bench (packages/paged-kv: tsx bench/run.ts)',
    backend: 'wasm (tfjs 4.22, SIMD, one thread) in Node; allocator and simulator are plain TypeScript',
    intro:
      'Written by `bench/run.ts`. Every ratio compares figures measured in the same run. The machine is shared with other jobs, so absolute times are noisy: ' +
      `the 1-minute load average was ${f(loadAtStart)} at the start of this run and ${f(loadavg()[0]!)} at its end, on ${machineLine().split(',')[0]}.`,
    sections,
  });
  // the README carries the headline tables between markers
  const readmePath = join(here, '..', 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = '<!-- bench:start -->';
  const end = '<!-- bench:end -->';
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i >= 0 && j > i) {
    const picked = sections.filter((s) => /Question 1: concurrent|Decode step/.test(s.heading));
    const block = picked.map((s) => `**${s.heading}**\n\n${s.table}`).join('\n\n');
    writeFileSync(readmePath, `${readme.slice(0, i + start.length)}\n\n${block}\n\n(From BENCHMARKS.md, ${new Date().toISOString().slice(0, 10)}, ${machineLine()}.)\n\n${readme.slice(j)}`);
  }
  log('wrote BENCHMARKS.md and the README benchmark block');
}
