/**
 * `pnpm bench` for @prep/rlhf (wasm backend in Node). Runs the β experiment (question 2) and the RLAIF
 * experiment (question 9), times them against the target (under a minute on wasm), times the ops
 * against their baselines (GAE as TRL's reversed loop; judges called one at a time), prints the ratios, and
 * rewrites BENCHMARKS.md and the results block of README.md. The machine is shared: timings are noisy.
 *
 *   pnpm bench            the full run (about 1–2 minutes on 2 idle cores)
 *   pnpm bench --quick    small workloads, a smoke test; does not rewrite the files
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machineLine, markdownTable, timeMs, writeBenchmarks, type BenchSection } from '@prep/test-utils/bench';
import { tf, useBackend } from '@prep/test-utils/tensor';
import {
  DEFAULT_BETAS,
  gae,
  labelPreferences,
  ppoPolicyLoss,
  ppoValueLoss,
  runBetaExperiment,
  runRlaifExperiment,
  type BetaExperimentResult,
  type PairwiseJudge,
  type TrainingRun,
} from '../src/index.js';

const quick = process.argv.includes('--quick');
const here = dirname(fileURLToPath(import.meta.url));
const sections: BenchSection[] = [];
const log = (...args: unknown[]) => console.log(...args);
const f = (x: number, digits = 2) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));
const signed = (x: number, digits = 2) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
const pct = (x: number | null) => (x === null ? '—' : `${(100 * x).toFixed(1)} %`);

await useBackend('wasm');
log(`machine: ${machineLine()}; backend ${tf.getBackend()}${quick ? ' (quick)' : ''}`);

/** Wall and CPU seconds of an async call. */
async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; wallS: number; cpuS: number }> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const value = await fn();
  const cpu = process.cpuUsage(cpu0);
  return { value, wallS: (performance.now() - t0) / 1000, cpuS: (cpu.user + cpu.system) / 1e6 };
}

// ---------------------------------------------------------------------------------------------------
// 1. The β experiment
const betaOptions = quick ? { ppoSteps: 15, dpoSteps: 15, preferencePairs: 128 } : {};
const beta = await timed(() => runBetaExperiment({ seed: 0, ...betaOptions }));
const result: BetaExperimentResult = beta.value;
log(`β experiment: ${f(beta.wallS, 1)} s wall, ${f(beta.cpuS, 1)} s CPU (target < 60 s)`);

const reference = result.reference;
const runRow = (run: TrainingRun, optimum?: (typeof result.optimum)[number]) => [
  String(run.beta),
  signed(run.final.proxyReward - reference.proxyReward, 3),
  signed(run.final.trueReward - reference.trueReward),
  `${signed(run.peakTrue.trueReward - reference.trueReward)} @ ${run.peakTrue.step}`,
  f(run.final.kl),
  f(run.final.meanLength),
  run.verdict,
  ...(optimum ? [`${signed(optimum.trueReward - reference.trueReward)} / ${f(optimum.kl)}`] : []),
];
const ppoTable = markdownTable(
  ['β', 'proxy Δ', 'true Δ (final)', 'true Δ peak @ step', 'KL (nats)', 'length', 'verdict', 'exact optimum: true Δ / KL'],
  result.ppo.map((run, i) => runRow(run, result.optimum[i])),
);
const dpoTable = markdownTable(
  ['β', 'proxy Δ', 'true Δ (final)', 'true Δ peak @ step', 'KL (nats)', 'length', 'verdict'],
  result.dpo.map((run) => runRow(run)),
);
const adaptive = result.adaptive;
const betaTrace = adaptive.points.filter((_, i) => i % 4 === 0 || i === adaptive.points.length - 1);
const adaptiveTable = markdownTable(
  ['step', ...betaTrace.map((p) => String(p.step))],
  [
    ['β', ...betaTrace.map((p) => f(p.beta, 4))],
    ['KL (nats)', ...betaTrace.map((p) => f(p.kl))],
    ['true Δ', ...betaTrace.map((p) => signed(p.trueReward - reference.trueReward))],
  ],
);
const rm = result.rewardModel;
const setup =
  `Toy task: sequences of up to ${result.config.maxLength} words from 5 words of quality ${rm.trueQuality.join(', ')}; the true reward sums the ` +
  `quality and subtracts ${result.config.lengthPenalty}·(length − ${result.config.lengthLimit})² beyond ${result.config.lengthLimit} words. ` +
  `The reference policy writes ${f(reference.meanLength)} words on average. A Bradley-Terry reward model, linear in word counts, learned ` +
  `${result.config.preferencePairs} simulated human labels (τ = ${result.config.labelNoise}); normalized to std ${result.config.rewardStd} on reference samples, its ` +
  `weights are ${rm.weights.map((w) => f(w, 3)).join(', ')} (held-out pairwise accuracy ${pct(rm.heldOutAccuracy)}): it cannot see the length ` +
  `penalty, so more good words always score more — the loophole. Reference policy: proxy ${f(reference.proxyReward, 3)}, true reward ${f(reference.trueReward)}. ` +
  `PPO: ${result.config.ppoSteps} batches of ${result.config.batchSize}, 4 epochs each; DPO: ${result.config.dpoSteps} full-batch steps on the same labels. ` +
  `All values are exact expectations under the policy (no sampling noise); Δ is against the reference policy.`;

// 1b. The same sweep under other seeds: are the verdicts stable?
const seeds = quick ? [1] : [1, 2];
const seedRuns: { seed: number; result: BetaExperimentResult }[] = [];
for (const seed of seeds) {
  const r = await timed(() => runBetaExperiment({ seed, ...betaOptions }));
  log(`β experiment seed ${seed}: ${f(r.wallS, 1)} s wall`);
  seedRuns.push({ seed, result: r.value });
}
const all = [{ seed: 0, result }, ...seedRuns];
const verdictTable = markdownTable(
  ['β', ...all.map((s) => `PPO seed ${s.seed}`), ...all.map((s) => `DPO seed ${s.seed}`)],
  DEFAULT_BETAS.map((b, i) => [
    String(b),
    ...all.map((s) => `${s.result.ppo[i]!.verdict} (${signed(s.result.ppo[i]!.final.trueReward - s.result.reference.trueReward)})`),
    ...all.map((s) => `${s.result.dpo[i]!.verdict} (${signed(s.result.dpo[i]!.final.trueReward - s.result.reference.trueReward)})`),
  ]),
);

sections.push(
  {
    heading: 'Question 2: the β sweep with PPO (seed 0)',
    description: `${setup} The last column is the exact maximizer of E[proxy] − β·KL in the policy class: where PPO is heading.`,
    table: ppoTable,
  },
  {
    heading: 'Question 2: the β sweep with DPO (seed 0)',
    description:
      'Offline DPO (sigmoid loss) on the same human labels; the reward model only measures. DPO never queries the reward model, so it cannot ' +
      'exploit its loophole; what it can do is follow its labels, which come from short reference samples.',
    table: dpoTable,
  },
  {
    heading: 'Question 2: the adaptive KL controller',
    description:
      `PPO with AdaptiveKLController({ initKL: ${adaptive.beta}, target: ${adaptive.target}, horizon: ${adaptive.horizon} }), batches of ${result.config.batchSize}. ` +
      `Mean KL over the second half: ${f(adaptive.meanKLLastHalf)} nats (target ${adaptive.target}); ${pct(adaptive.withinFactor2Share)} of the second-half points within a factor 2 of the target.`,
    table: adaptiveTable,
  },
  {
    heading: 'Question 2: verdicts across seeds',
    description: 'The same sweep with other seeds (new labels, reward model and samples); in brackets the final true-reward change.',
    table: verdictTable,
  },
);

// ---------------------------------------------------------------------------------------------------
// 2. The RLAIF experiment
const rlaifRun = await timed(() => runRlaifExperiment({ seed: 0, ...(quick ? { ppoSteps: 15, dpoSteps: 15, preferencePairs: 128 } : {}) }));
const rlaif = rlaifRun.value;
log(`RLAIF experiment: ${f(rlaifRun.wallS, 1)} s wall, ${f(rlaifRun.cpuS, 1)} s CPU`);
const rlaifTable = markdownTable(
  ['labels from', 'kept', 'abstained', 'agreement', 'agrees with truth', 'longer chosen', 'RM length slope', 'PPO length (Δ)', 'PPO true Δ', 'DPO length (Δ)', 'DPO true Δ'],
  rlaif.variants.map((v) => [
    v.name,
    `${v.labels.labeled}/${v.labels.total}`,
    pct(v.labels.abstentionRate),
    pct(v.labels.meanAgreement),
    pct(v.labels.trueAgreement),
    pct(v.labels.longerChosenShare),
    f(v.rewardModel.lengthSlope, 3),
    `${f(v.ppo.final.meanLength)} (${signed(v.versusHuman.ppoMeanLength)})`,
    signed(v.versusHuman.ppoTrueReward),
    `${f(v.dpo.final.meanLength)} (${signed(v.versusHuman.dpoMeanLength)})`,
    signed(v.versusHuman.dpoTrueReward),
  ]),
);
sections.push({
  heading: 'Question 9: how much of an AI judge’s bias reaches the policy',
  description:
    `The ${rlaif.config.preferencePairs} reference pairs labeled by simulated humans and by a simulated AI judge that adds ${rlaif.config.verbosityBias} per word ` +
    `(verbosity bias) and ${rlaif.config.positionBias} to the first slot (position bias), with noise ${rlaif.config.judgeNoise}. Each label set trains a reward model, ` +
    `then PPO and DPO at β = ${rlaif.config.beta}. In truth the longer response of a pair is better ${pct(rlaif.truthLongerShare)} of the time. ` +
    '"agreement": position-swap consistency or inter-judge agreement; Δ: against the human-label policies.',
  table: rlaifTable,
});

// ---------------------------------------------------------------------------------------------------
// 2b. Findings, in words, from the numbers above
const betasWith = (runs: TrainingRun[], verdict: string) => runs.filter((r) => r.verdict === verdict).map((r) => r.beta);
const best = (runs: TrainingRun[]) => runs.reduce((a, b) => (b.final.trueReward > a.final.trueReward ? b : a));
const list = (xs: number[]) => (xs.length === 0 ? 'none' : `β ∈ {${xs.join(', ')}}`);
const bestPPO = best(result.ppo);
const bestDPO = best(result.dpo);
const human = rlaif.variants[0]!;
const describeVariant = (name: string) => {
  const v = rlaif.variants.find((x) => x.name.startsWith(name))!;
  return `${v.name}: ${pct(v.labels.longerChosenShare)} longer chosen, PPO ${signed(v.versusHuman.ppoMeanLength)} words and ${signed(v.versusHuman.ppoTrueReward)} true reward`;
};
const findings = [
  `PPO, reward hacking (proxy up, true reward ending below the reference or far below its own peak): ${list(betasWith(result.ppo, 'reward hacking'))}; ` +
    `under-optimisation (less than half the best gain): ${list(betasWith(result.ppo, 'under-optimisation'))}; best β ${bestPPO.beta} (true Δ ${signed(bestPPO.final.trueReward - reference.trueReward)}).`,
  `DPO, reward hacking: ${list(betasWith(result.dpo, 'reward hacking'))}; under-optimisation: ${list(betasWith(result.dpo, 'under-optimisation'))}; ` +
    `best β ${bestDPO.beta} (true Δ ${signed(bestDPO.final.trueReward - reference.trueReward)}, KL ${f(bestDPO.final.kl)} nats). DPO never queries the reward model, so its loophole is out of reach.`,
  `Adaptive controller: mean KL ${f(adaptive.meanKLLastHalf)} nats over the second half for a target of ${adaptive.target}; β went from ${adaptive.beta} to ${f(adaptive.final.beta, 4)}.`,
  `RLAIF: humans chose the longer response in ${pct(human.labels.longerChosenShare)} of the pairs (truth: ${pct(rlaif.truthLongerShare)}); ` +
    [describeVariant('AI judge'), describeVariant('AI judge + position swap'), describeVariant('ensemble'), describeVariant('mixed'), describeVariant('AI judge + swap, min')].join('; ') + '.',
];
for (const line of findings) log(`finding: ${line}`);
sections.unshift({ heading: 'Findings', description: 'Generated from the tables below by `bench/run.ts`.', table: findings.map((l) => `- ${l}`).join('\n') });

// ---------------------------------------------------------------------------------------------------
// 3. Ops against their baselines
/** TRL's compute_advantages as written: a reversed loop of per-step slices (T small kernels per call). */
function gaeLoop(rewards: tf.Tensor2D, values: tf.Tensor2D, gamma: number, lambda: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [batch, steps] = rewards.shape;
    const out: tf.Tensor[] = [];
    let last: tf.Tensor = tf.zeros([batch, 1]);
    for (let t = steps - 1; t >= 0; t--) {
      const next = t + 1 < steps ? tf.slice(values, [0, t + 1], [batch, 1]) : tf.zeros([batch, 1]);
      const delta = tf.sub(tf.add(tf.slice(rewards, [0, t], [batch, 1]), tf.mul(next, gamma)), tf.slice(values, [0, t], [batch, 1]));
      last = tf.add(delta, tf.mul(last, gamma * lambda));
      out.push(last);
    }
    return tf.concat<tf.Tensor2D>(out.reverse() as tf.Tensor2D[], 1);
  });
}

const opRows: (string | number)[][] = [];
for (const steps of quick ? [128, 512] : [128, 512, 2048]) {
  const rewards = tf.randomNormal<tf.Rank.R2>([16, steps], 0, 1, 'float32', 1);
  const values = tf.randomNormal<tf.Rank.R2>([16, steps], 0, 1, 'float32', 2);
  const ours = await timeMs(async () => {
    const { advantages, returns } = gae({ rewards, values, gamma: 1, lambda: 0.95 });
    await advantages.data();
    tf.dispose([advantages, returns]);
  }, { repeats: 7, warmup: 2 });
  const loop = await timeMs(async () => {
    const a = gaeLoop(rewards, values, 1, 0.95);
    await a.data();
    a.dispose();
  }, { repeats: quick ? 3 : 5, warmup: 1 });
  opRows.push([`gae [16, ${steps}]`, 'TRL reversed loop, one kernel chain per step', `${f(ours, 2)} ms`, `${f(loop, 2)} ms`, `×${f(loop / ours, 1)}`]);
  tf.dispose([rewards, values]);
}
{
  const shape: [number, number] = [64, 256];
  const logprobs = tf.randomNormal<tf.Rank.R2>(shape, -2, 0.5, 'float32', 3);
  const oldLogprobs = tf.randomNormal<tf.Rank.R2>(shape, -2, 0.5, 'float32', 4);
  const advantages = tf.randomNormal<tf.Rank.R2>(shape, 0, 1, 'float32', 5);
  const mask = tf.cast(tf.greater<tf.Tensor2D>(tf.randomUniform(shape, 0, 1, 'float32', 6), 0.2), 'float32');
  const step = await timeMs(async () => {
    const [g1, g2] = tf.grads((lp: tf.Tensor, v: tf.Tensor) =>
      tf.add(
        ppoPolicyLoss({ logprobs: lp as tf.Tensor2D, oldLogprobs, advantages, mask }).loss,
        tf.mul(ppoValueLoss({ values: v as tf.Tensor2D, oldValues: oldLogprobs, returns: advantages, mask }), 0.1),
      ),
    )([logprobs, logprobs]);
    await g1!.data();
    tf.dispose([g1, g2]);
  }, { repeats: 9, warmup: 2 });
  opRows.push(['PPO policy + value loss, forward + backward [64, 256]', '—', `${f(step, 2)} ms`, '—', '—']);
  tf.dispose([logprobs, oldLogprobs, advantages, mask]);
}
{
  const latencyMs = 2;
  const judge: PairwiseJudge = async (_p, a, b) => {
    await new Promise((resolve) => setTimeout(resolve, latencyMs));
    return { preferred: a.length >= b.length ? 0 : 1 };
  };
  const items = Array.from({ length: quick ? 50 : 200 }, (_, i) => ({ prompt: String(i), a: 'x'.repeat(i % 7), b: 'y'.repeat(i % 5) }));
  const one = await timeMs(() => labelPreferences(items, judge, { concurrency: 1 }), { repeats: 3, warmup: 0 });
  const eight = await timeMs(() => labelPreferences(items, judge, { concurrency: 8 }), { repeats: 3, warmup: 0 });
  opRows.push([`labelPreferences, ${items.length} items, judge latency ${latencyMs} ms`, 'concurrency 1', `${f(eight, 0)} ms (concurrency 8)`, `${f(one, 0)} ms`, `×${f(one / eight, 1)}`]);
}
opRows.push([
  quick ? 'the β experiment (quick sizes)' : 'the β experiment (defaults: 6 β × PPO and DPO + adaptive run)',
  'the issue’s target: 60 s on wasm',
  `${f(beta.wallS, 1)} s wall, ${f(beta.cpuS, 1)} s CPU`,
  '60 s',
  `CPU ${f(beta.cpuS / 60, 2)}, wall ${f(beta.wallS / 60, 2)} of the budget`,
]);
opRows.push([quick ? 'the RLAIF experiment (quick sizes)' : 'the RLAIF experiment (defaults: 6 label sets × RM, PPO, DPO)', '—', `${f(rlaifRun.wallS, 1)} s wall, ${f(rlaifRun.cpuS, 1)} s CPU`, '—', '—']);
for (const row of opRows) log(row.join(' | '));
sections.push({
  heading: 'Speed: ops and experiments against their baselines',
  description:
    'Median wall times on wasm. GAE runs as matrix products with a discount matrix over blocks of 128 steps; the baseline is TRL’s reversed ' +
    'loop ported to tfjs ops. "×" is baseline time / our time (higher is better for us). The experiments run on one thread, so their CPU ' +
    `time is their wall time on an idle core; this run shared the machine with other work (load average ${loadavg().map((x) => x.toFixed(1)).join(', ')} ` +
    `on ${machineLine().split(' ')[0]} cores at the end of the run), which is why wall and CPU time differ.`,
  table: markdownTable(['what', 'baseline', 'ours', 'baseline time', 'ratio'], opRows),
});

// ---------------------------------------------------------------------------------------------------
if (quick) {
  log('quick run: BENCHMARKS.md and README.md left unchanged');
} else {
  writeBenchmarks(join(here, '..', 'BENCHMARKS.md'), {
    title: '@prep/rlhf benchmarks',
    command: 'pnpm --filter @prep/rlhf bench',
    backend: 'wasm (tfjs 4.22, SIMD, one thread) in Node',
    intro:
      'Measured tables of the β and RLAIF experiments (questions 2 and 9) and timings against baselines, written by `bench/run.ts`. ' +
      'The experiments are seeded: the tables reproduce exactly on any backend up to float rounding; the timings do not (shared machine).',
    sections,
  });
  const readmePath = join(here, '..', 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const start = '<!-- rlhf-results:start -->';
  const end = '<!-- rlhf-results:end -->';
  const i = readme.indexOf(start);
  const j = readme.indexOf(end);
  if (i >= 0 && j > i) {
    const block = [
      start,
      '',
      '_Written by `pnpm bench` (seed 0, wasm); see BENCHMARKS.md for the DPO sweep, other seeds and timings._',
      '',
      ...findings.map((l) => `- ${l}`),
      '',
      '**PPO over β** (Δ against the reference policy; exact expectations):',
      '',
      ppoTable,
      '',
      `**Adaptive controller** (target ${adaptive.target} nats): mean KL over the second half ${f(adaptive.meanKLLastHalf)} nats; β moved from ${adaptive.beta} to ${f(adaptive.final.beta, 4)}.`,
      '',
      '**RLAIF with a verbosity-biased judge** (PPO and DPO at β = ' + String(rlaif.config.beta) + '):',
      '',
      rlaifTable,
      '',
      end,
    ].join('\n');
    writeFileSync(readmePath, readme.slice(0, i) + block + readme.slice(j + end.length));
  }
  log('wrote BENCHMARKS.md and the README results block');
}
