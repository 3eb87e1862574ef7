/**
 * `pnpm train`: trains the default TinyLM on data/fables.txt with the wasm backend (seeded), shows a
 * progress bar (steps, loss, tokens/s, ETA) and the expert load of every MoE block, then saves
 * checkpoint/model.json + checkpoint/weights.bin and writes the run's numbers into README.md.
 *
 * Flags: --steps N (default 1200), --batch N (8), --seq N (128), --lr X (3e-3), --seed N (0),
 * --out DIR (checkpoint/), --no-readme.
 */
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { markdownTable, machineLine } from '@prep/test-utils/bench';
import { CharTokenizer, DEFAULT_CONFIG, TinyLM, evaluate, train, unigramCrossEntropy, type TrainProgress } from '../src/index.js';
import { args, checkpointDir, clock, compact, corpusPath, pct, root, useWasm, writeCheckpoint, writeReadmeSection } from './lib.js';

const a = args();
const steps = a.get('steps', 1200);
const batchSize = a.get('batch', 8);
const seqLen = a.get('seq', 128);
const learningRate = a.get('lr', 3e-3);
const seed = a.get('seed', 0);
const out = a.text('out', checkpointDir);

await useWasm();
const tokenizer = new CharTokenizer();
const tokens = tokenizer.encode(readFileSync(corpusPath, 'utf8'));
const split = Math.floor(tokens.length * 0.95);
const trainTokens = tokens.subarray(0, split);
const validationTokens = tokens.slice(split);
const model = new TinyLM({ ...DEFAULT_CONFIG, seed });
const unigram = unigramCrossEntropy(trainTokens, validationTokens, tokenizer.vocabSize);
const c = model.config;
console.log(
  `tiny-lm: ${model.numParams.toLocaleString('en-US')} parameters · ${c.numLayers} blocks · d ${c.dModel} · ` +
    `${c.numHeads} query / ${c.numKVHeads} KV heads · ${c.numExperts} experts (top-${c.expertsPerToken}, hidden ${c.dHidden}) · backend ${tf.getBackend()}`,
);
console.log(`corpus: ${tokens.length.toLocaleString('en-US')} characters (${trainTokens.length.toLocaleString('en-US')} train, ${validationTokens.length.toLocaleString('en-US')} validation)`);
console.log(`unigram baseline: ${unigram.toFixed(3)} nats/char · uniform: ${Math.log(tokenizer.vocabSize).toFixed(3)}`);
console.log(`training ${steps} steps × ${batchSize} × ${seqLen} tokens, Adam ${learningRate}, seed ${seed}\n`);

const tty = process.stdout.isTTY;
const width = 24;
let lastLine = 0;
const loadLine = (p: TrainProgress): string =>
  `  expert load  ${p.expertShare.map((share, l) => `block ${l}: ${share.map((s) => `${Math.round(100 * s)}%`.padStart(4)).join(' ')}`).join('  |  ')}  (dropped ${pct(p.droppedFraction)})`;
const result = await train(model, trainTokens, {
  steps,
  batchSize,
  seqLen,
  learningRate,
  seed,
  validationTokens,
  evalEvery: Math.max(1, Math.floor(steps / 8)),
  evalWindows: 32,
  onProgress: (p) => {
    const filled = Math.round((width * p.step) / p.steps);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(p.step).padStart(String(p.steps).length)}/${p.steps}`;
    const line = `${bar}  loss ${p.loss.toFixed(3)} (ce ${p.crossEntropy.toFixed(3)})  ${compact(p.tokensPerSecond)} tok/s  ETA ${clock(p.etaMs)}`;
    if (tty) process.stdout.write(`\r${line}   `);
    else if (p.step === 1 || p.step === p.steps || performance.now() - lastLine > 10_000) {
      console.log(line);
      lastLine = performance.now();
    }
    if (p.validationLoss !== null) {
      if (tty) process.stdout.write('\n');
      console.log(`  validation ${p.validationLoss.toFixed(3)} nats/char (unigram ${unigram.toFixed(3)})`);
      console.log(loadLine(p));
    }
  },
});
const last = result.history[result.history.length - 1]!;
const validation = result.validationLoss ?? (await evaluate(model, validationTokens, { seqLen }));
console.log(
  `\ndone in ${clock(result.elapsedMs)}: validation ${validation.toFixed(3)} nats/char vs unigram ${unigram.toFixed(3)} ` +
    `(${((1 - validation / unigram) * 100).toFixed(0)} % lower), ${compact(result.tokensPerSecond)} tokens/s`,
);
console.log(loadLine(last));

const training = {
  steps,
  batchSize,
  seqLen,
  learningRate,
  seed,
  validationLoss: validation,
  unigramLoss: unigram,
  trainLoss: result.finalCrossEntropy,
  tokensPerSecond: result.tokensPerSecond,
  elapsedMs: result.elapsedMs,
  expertShare: last.expertShare,
  backend: tf.getBackend(),
  machine: machineLine(),
  date: new Date().toISOString().slice(0, 10),
};
const saved = await writeCheckpoint(model, training, out);
console.log(`checkpoint: ${saved.jsonPath} + ${saved.binPath} (${(saved.bytes / 1024).toFixed(0)} KiB)`);

if (!a.flag('no-readme') && out === checkpointDir) {
  const every = Math.max(1, Math.floor(steps / 8));
  const rows = result.history
    .filter((p) => p.validationLoss !== null || p.step === 1)
    .map((p) => [p.step, p.crossEntropy.toFixed(3), p.validationLoss === null ? '' : p.validationLoss.toFixed(3), clock(p.elapsedMs), p.expertShare.map((s) => s.map((x) => `${Math.round(100 * x)}`).join('/')).join(' · ')]);
  writeReadmeSection(
    'training',
    [
      `\`pnpm train\` on ${training.date}: ${training.machine}, wasm backend, seed ${seed}; ${steps} steps × ${batchSize} sequences × ${seqLen} characters ` +
        `in ${clock(result.elapsedMs)} (${compact(result.tokensPerSecond)} training tokens/s).`,
      '',
      markdownTable(
        ['', 'nats per character'],
        [
          ['uniform over 96 ids', Math.log(96).toFixed(3)],
          ['unigram (character frequencies of the training split)', unigram.toFixed(3)],
          ['**tiny-lm, validation split (last 5 %)**', `**${validation.toFixed(3)}**`],
        ],
      ),
      '',
      `Loss and expert load (share of router assignments per expert, % per block) every ${every} steps:`,
      '',
      markdownTable(['step', 'train CE', 'validation CE', 'time', 'expert load (block 0 · block 1)'], rows),
    ].join('\n'),
  );
  console.log(`README.md: training section updated (${join(root, 'README.md')})`);
}
model.dispose();
