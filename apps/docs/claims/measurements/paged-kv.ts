// Question 1: contiguous versus paged KV-cache allocation, measured with @prep/paged-kv.
import * as tf from '@tensorflow/tfjs';
import { KVCacheManager, PagedKVStore, blockSizeSweep, pagedAttention, runSourceWorkload, sampleLengths, simulateWorkload } from '@prep/paged-kv';
import type { MeasurementRunner } from '../lib/types.js';
import { decide, withinRelative } from '../lib/verdict.js';
import { bytes, pct, sig } from '../lib/format.js';

/** "About X" in the source: within 25% of X (the rule @prep/paged-kv's runSourceWorkload uses too). */
const ABOUT = 0.25;

const seedWorkload: MeasurementRunner = {
  id: 'paged-kv/simulate-seed-workload',
  async run() {
    // The source's workload: lengths N(800, 600) clipped to [50, 4000], a budget of 100 × 2048 token slots,
    // a saturated queue, 3000 decode steps, seed 0. Primary pair (as the measurement defines it): a
    // contiguous allocator reserving each request's maximum length (4000) versus paged 64-token blocks.
    const r = await runSourceWorkload({ seed: 0, steps: 3000 });
    const contiguous = r.maxReserve;
    const paged = r.paged64;
    const others =
      `reserve-2048 (refusing longer requests): ${sig(r.reserve2048.meanRunning)} running, ${pct(r.reserve2048.internalFragmentation)} never filled; ` +
      `exact-length first-fit: ${sig(r.firstFit.meanRunning)} running, ${pct(r.firstFit.externalFragmentation)} of capacity stranded; ` +
      `paged, 16-token blocks: ${sig(r.paged.meanRunning)} running, ${pct(r.paged.internalFragmentation)} waste`;
    const summary = {
      contiguousMaxReserve: r.maxReserve,
      reserve2048: r.reserve2048,
      firstFit: r.firstFit,
      paged64: r.paged64,
      paged16: r.paged,
      lengthSample: r.report.lengthSample,
    };

    // Waste = slots reserved that no token will ever fill (internal fragmentation): what paging removes.
    const wasteContiguous = contiguous.internalFragmentation;
    const wastePaged = paged.internalFragmentation;
    const wasteHolds = withinRelative(wasteContiguous, 0.4, ABOUT) && wastePaged < 0.01;

    const ratio = paged.meanRunning / contiguous.meanRunning;
    const throughputRatio = paged.tokensPerStep / contiguous.tokensPerStep;
    const pagedCost = 10 / ratio; // cost per token ∝ 1 / sequences decoded together; contiguous = 10× plan
    const reduction = 1 - pagedCost / 10;

    return {
      'q1-waste': decide(
        wasteHolds,
        `contiguous (reserve 4000): ${pct(wasteContiguous)} never filled (${pct(contiguous.reservedButUnused)} empty incl. slots held for future tokens); paged (64-token blocks): ${pct(wastePaged)}`,
        `Rule: holds if contiguous waste is within 25% of 40% and paged waste is below 1%. Measured ${pct(wasteContiguous)} → ${pct(wastePaged)}; ` +
          `the source says 40% → <1%. 64-token blocks leave about (B − 1)/2 slots empty per sequence; below 1% needs smaller blocks (${pct(r.paged.internalFragmentation)} at 16). ${others}.`,
        { contiguousWaste: wasteContiguous, contiguousReservedButUnused: contiguous.reservedButUnused, pagedWaste: wastePaged, paged16Waste: r.paged.internalFragmentation, ...{ detail: summary } },
      ),
      'q1-actual-sequences': decide(
        withinRelative(contiguous.meanRunning, 40, ABOUT),
        `${sig(contiguous.meanRunning)} sequences running on average with contiguous max-length reservation (budget 100 × 2048 slots)`,
        `Rule: holds if the contiguous allocator runs within 25% of 40 sequences. Measured ${sig(contiguous.meanRunning)} vs the source's 40. ` +
          `Reserving 2048 per request runs exactly 100 (equal slots never fragment) but refuses ${r.reserve2048.refused} longer requests; first-fit on exact lengths runs ${sig(r.firstFit.meanRunning)}.`,
        { contiguousMeanRunning: contiguous.meanRunning, reserve2048MeanRunning: r.reserve2048.meanRunning, firstFitMeanRunning: r.firstFit.meanRunning },
      ),
      'q1-sequences': decide(
        withinRelative(ratio, 2.4, ABOUT) && withinRelative(paged.meanRunning, 95, ABOUT),
        `${sig(contiguous.meanRunning)} → ${sig(paged.meanRunning)} sequences (×${ratio.toFixed(2)})`,
        `Rule: holds if paged runs within 25% of 95 sequences and the gain is within 25% of 2.4×. Measured ${sig(contiguous.meanRunning)} → ${sig(paged.meanRunning)} (×${ratio.toFixed(2)}); ` +
          `the source says 40 → 95 (×2.4). Reserving nothing ahead, the 100 × 2048 budget runs ${sig(r.paged.meanRunning)} sequences of this workload with 16-token blocks; over reserve-2048 the 64-token gain is ×${(r.paged64.meanRunning / r.reserve2048.meanRunning).toFixed(2)}.`,
        { contiguous: contiguous.meanRunning, paged: paged.meanRunning, ratio },
      ),
      'q1-throughput': decide(
        throughputRatio >= 2 && throughputRatio <= 3,
        `×${throughputRatio.toFixed(2)} tokens decoded per step (paged 64 vs contiguous max-length)`,
        `Rule: holds if the measured throughput gain lies in the source's 2–3×. Measured ×${throughputRatio.toFixed(2)} (×${(r.paged64.tokensPerStep / r.reserve2048.tokensPerStep).toFixed(2)} over reserve-2048). ` +
          `Proxy: tokens per decode step = sequences running, assuming a step costs the same at any batch size (decode is memory-bound; real gains are smaller when it is not).`,
        { throughputRatio, overReserve2048: r.paged64.tokensPerStep / r.reserve2048.tokensPerStep },
      ),
      'q1-cost-per-token': decide(
        withinRelative(pagedCost, 4.2, ABOUT),
        `10× → ${pagedCost.toFixed(2)}× plan (${pct(reduction, 0)} reduction)`,
        `Rule: cost per token ∝ 1 / sequences decoded together, so paging turns the source's 10× into 10 × ${sig(contiguous.meanRunning)} / ${sig(paged.meanRunning)}; holds if within 25% of 4.2×. ` +
          `Measured ${pagedCost.toFixed(2)}× (${pct(reduction, 0)} lower) vs the source's 4.2× (58% lower); the source's figure is its own 40/95 restated.`,
        { pagedCostMultiple: pagedCost, reduction },
      ),
    };
  },
};

const uniformWorkload: MeasurementRunner = {
  id: 'paged-kv/uniform-workload',
  async run() {
    // Every sequence ≈ 2000 tokens: N(2000, 20) clipped to [1950, 2050]; contiguous reserves the maximum (2050).
    const report = await simulateWorkload({
      seed: 0,
      steps: 3000,
      capacityTokens: 100 * 2048,
      lengths: { mean: 2000, std: 20, min: 1950, max: 2050 },
      allocators: [
        { kind: 'max-length', maxLength: 2050 },
        { kind: 'paged', blockSize: 64 },
      ],
    });
    const [contiguous, paged] = report.allocators as [(typeof report.allocators)[0], (typeof report.allocators)[0]];
    const waste = contiguous.internalFragmentation;
    return {
      'q1-uniform-waste': decide(
        waste < 0.05,
        `contiguous: ${pct(waste)} never filled (paged, 64-token blocks: ${pct(paged.internalFragmentation)})`,
        `Rule: holds if the contiguous allocator's never-filled share is below 5%. Lengths N(2000, 20) in [1950, 2050], reservation 2050: measured ${pct(waste)}. ` +
          `Counting slots held for tokens not generated yet, ${pct(contiguous.reservedButUnused)} of reserved slots are empty at a given step.`,
        { contiguousWaste: waste, contiguousReservedButUnused: contiguous.reservedButUnused, pagedWaste: paged.internalFragmentation, meanRunning: { contiguous: contiguous.meanRunning, paged: paged.meanRunning } },
      ),
    };
  },
};

const blocksPerSequence: MeasurementRunner = {
  id: 'paged-kv/blocks-per-sequence',
  run() {
    const lengths = [2000, 500, 1800];
    const claimed = [32, 8, 29];
    const manager = new KVCacheManager({ numBlocks: 100, blockSize: 64 });
    const blocks = lengths.map((length, id) => {
      manager.addSequence(id, new Int32Array(length));
      return manager.getBlockTable(id).length;
    });
    const holds = blocks.every((b, i) => b === claimed[i]);
    return Promise.resolve({
      'q1-block-counts': decide(
        holds,
        `${blocks.join(' / ')} blocks`,
        `Rule: holds if KVCacheManager (block size 64) hands out exactly the source's counts for sequences of ${lengths.join(', ')} tokens. ` +
          `Measured ${blocks.join(' / ')} vs ${claimed.join(' / ')} (⌈L / 64⌉).`,
        { lengths, blocks },
      ),
    });
  },
};

async function decodeStepMs(blockSize: number, lengths: readonly number[]): Promise<number> {
  const numBlocks = lengths.reduce((s, L) => s + Math.ceil(L / blockSize), 0);
  const manager = new KVCacheManager({ numBlocks, blockSize });
  const store = new PagedKVStore(manager, { numLayers: 1, numKvHeads: 4, headDim: 64 });
  lengths.forEach((length, id) => {
    manager.addSequence(id, new Int32Array(length));
    const kv = tf.randomNormal([length, 4, 64], 0, 1, 'float32', id + 1);
    store.write(0, id, kv, kv);
    kv.dispose();
  });
  const ids = lengths.map((_, id) => id);
  const q = tf.randomNormal([lengths.length, 8, 64], 0, 1, 'float32', 99);
  let best = Infinity;
  for (let rep = 0; rep < 15; rep++) {
    const started = performance.now();
    const out = pagedAttention(q, store, 0, ids);
    await out.data();
    out.dispose();
    best = Math.min(best, performance.now() - started);
  }
  q.dispose();
  return best;
}

const blockSizeSweepRunner: MeasurementRunner = {
  id: 'paged-kv/block-size-sweep',
  async run() {
    const sizes = [8, 16, 32, 64, 128, 256];
    const rows = await blockSizeSweep({ seed: 0, steps: 3000, blockSizes: sizes });
    // The other side of the trade-off: one decode step of pagedAttention (wasm SIMD kernel) over 32 sequences
    // of question 1's lengths, 8 query / 4 KV heads of 64, best of 15 calls.
    const lengths = sampleLengths(32, { seed: 1 });
    const times: number[] = [];
    for (const size of sizes) times.push(await decodeStepMs(size, lengths));
    const fastest = Math.min(...times);
    // Best balance: the smallest block whose decode step is within 25% of the fastest (timings are noisy on a
    // shared machine; 25% keeps noise from deciding).
    const best = sizes.find((_, i) => times[i]! <= 1.25 * fastest)!;
    const table = sizes.map((size, i) => ({
      blockSize: size,
      waste: rows[i]!.reservedButUnused,
      pageTableEntriesPerSequence: rows[i]!.pageTableEntriesPerSequence,
      pageTableShareOfKv: rows[i]!.pageTableShareOfKv,
      decodeStepMs: times[i]!,
    }));
    return {
      'q1-block-size': decide(
        best >= 64 && best <= 256,
        `waste ${table.map((t) => `${t.blockSize}: ${pct(t.waste)}`).join(', ')}; decode step ${table.map((t) => `${t.decodeStepMs.toFixed(1)}`).join(' / ')} ms; best ${best}`,
        `Rule: best = the smallest block size whose decode step is within 25% of the fastest; holds if it lies in 64–256. Best here: ${best}. ` +
          `Waste grows with the block (the last block's slack) while page tables stay under ${pct(Math.max(...table.map((t) => t.pageTableShareOfKv)), 2)} of the KV bytes at every size; ` +
          `vLLM's paper and default use 16-token blocks. The kernel side is our wasm kernel, not a GPU's.`,
        { bestBlockSize: best, rows: table },
      ),
    };
  },
};

/** Published configurations (Hugging Face config.json of each model). */
const MODELS = [
  { name: 'OPT-13B', layers: 40, hidden: 5120, heads: 40, kvHeads: 40, ffn: 20480, vocab: 50272, gated: false, tied: true },
  { name: 'Llama-2-7B', layers: 32, hidden: 4096, heads: 32, kvHeads: 32, ffn: 11008, vocab: 32000, gated: true, tied: false },
  { name: 'Llama-3-8B', layers: 32, hidden: 4096, heads: 32, kvHeads: 8, ffn: 14336, vocab: 128256, gated: true, tied: false },
] as const;

/** Weights of a decoder-only model from its configuration (biases and norms left out: < 0.1%). */
function weightCount(m: (typeof MODELS)[number]): number {
  const headDim = m.hidden / m.heads;
  const attention = 2 * m.hidden * m.hidden + 2 * m.hidden * m.kvHeads * headDim;
  const ffn = (m.gated ? 3 : 2) * m.hidden * m.ffn;
  return m.layers * (attention + ffn) + m.vocab * m.hidden * (m.tied ? 1 : 2);
}

const kvBytesPerToken: MeasurementRunner = {
  id: 'paged-kv/kv-bytes-per-token',
  run() {
    const gpuBytes = 80 * 2 ** 30; // an "80 GB" card holds 80 GiB
    const rows = MODELS.map((m) => {
      // Bytes the store allocates per token slot (float32 pools), halved for fp16.
      const manager = new KVCacheManager({ numBlocks: 1, blockSize: 16 });
      const store = new PagedKVStore(manager, { numLayers: m.layers, numKvHeads: m.kvHeads, headDim: m.hidden / m.heads, useWasm: false });
      const fp16PerToken = store.poolBytes / 16 / 2;
      const weightsBytes = 2 * weightCount(m);
      const sequences = Math.floor((gpuBytes - weightsBytes) / (2048 * fp16PerToken));
      return { model: m.name, kvBytesPerToken: fp16PerToken, weightsBytes, hundredSequencesBytes: 100 * 2048 * fp16PerToken, sequencesFitting: sequences };
    });
    const holds = rows.some((r) => withinRelative(r.sequencesFitting, 100, ABOUT));
    return Promise.resolve({
      'q1-theoretical-capacity': decide(
        holds,
        rows.map((r) => `${r.model}: ${sig(r.sequencesFitting)} sequences (${r.kvBytesPerToken.toLocaleString('en-US')} B/token)`).join('; '),
        `Rule: holds if, for one of these fp16 models, the 2048-token sequences that fit in 80 GiB after the weights are within 25% of 100. ` +
          rows.map((r) => `${r.model}: 100 × 2048 tokens need ${bytes(r.hundredSequencesBytes)} beside ${bytes(r.weightsBytes)} of weights`).join('; ') +
          `. The source names no model; bytes per token are PagedKVStore's pool bytes per slot, halved for fp16.`,
        { gpuBytes, rows },
      ),
    });
  },
};

export const pagedKvMeasurements: MeasurementRunner[] = [seedWorkload, uniformWorkload, blocksPerSequence, blockSizeSweepRunner, kvBytesPerToken];
