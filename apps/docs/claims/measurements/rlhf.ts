// Questions 2, 7 and 9: the KL-regularised objective, constitutional pairs and AI judges, with @prep/rlhf.
import * as tf from '@tensorflow/tfjs';
import {
  TOY_CONSTITUTION,
  TOY_PROMPTS,
  bradleyTerryLoss,
  constitutionalPairs,
  createToyConstitutionalModel,
  klRegularizedOptimum,
  runBetaExperiment,
  runRlaifExperiment,
  toyFlawCount,
} from '@prep/rlhf';
import type { MeasurementRunner } from '../lib/types.js';
import { decide, withinRelative } from '../lib/verdict.js';
import { pct, sig } from '../lib/format.js';
import { gaussian, seededRandom } from '../lib/math.js';

const closedFormOptimum: MeasurementRunner = {
  id: 'rlhf/closed-form-optimum',
  async run() {
    const actions = 8;
    const random = seededRandom(20);
    const refLogits = Array.from({ length: actions }, () => gaussian(random));
    const rewards = Array.from({ length: actions }, () => gaussian(random));
    const refMax = Math.max(...refLogits);
    const refUnnorm = refLogits.map((x) => Math.exp(x - refMax));
    const refSum = refUnnorm.reduce((a, b) => a + b, 0);
    const ref = refUnnorm.map((x) => x / refSum);
    const refT = tf.tensor1d(ref);
    const rT = tf.tensor1d(rewards);
    const expectedReward = (p: readonly number[]): number => p.reduce((s, x, i) => s + x * rewards[i]!, 0);
    const kl = (p: readonly number[], q: readonly number[]): number => p.reduce((s, x, i) => (x > 0 ? s + x * Math.log(x / q[i]!) : s), 0);
    const tv = (p: readonly number[], q: readonly number[]): number => 0.5 * p.reduce((s, x, i) => s + Math.abs(x - q[i]!), 0);

    // Maximise E_π[r] − β·KL(π ‖ π_ref) over softmax logits with Adam, from π = π_ref.
    const maximise = async (beta: number): Promise<number[]> => {
      const start = tf.log(refT);
      const logits = tf.variable(start);
      start.dispose();
      const optimizer = tf.train.adam(0.05);
      for (let step = 0; step < 1500; step++) {
        optimizer.minimize(() => {
          const p = tf.softmax(logits);
          const objective = tf.sub(tf.sum(tf.mul(p, rT)), tf.mul(beta, tf.sum(tf.mul(p, tf.sub(tf.log(p), tf.log(refT))))));
          return tf.neg(objective) as tf.Scalar;
        });
      }
      const p = tf.softmax(logits);
      const values = Array.from(await p.data());
      tf.dispose([p, logits]);
      optimizer.dispose();
      return values;
    };
    const closed = async (beta: number): Promise<number[]> => {
      const t = klRegularizedOptimum(refT, rT, beta);
      const values = Array.from(await t.data());
      t.dispose();
      return values;
    };
    const betas = [0.1, 1];
    const rows = [];
    for (const beta of betas) {
      const numeric = await maximise(beta);
      const posterior = await closed(beta);
      rows.push({ beta, tvNumericVsClosedForm: tv(numeric, posterior), objectiveGap: expectedReward(posterior) - beta * kl(posterior, ref) - (expectedReward(numeric) - beta * kl(numeric, ref)) });
    }
    // The ELBO identity with likelihood exp(r): E_π[r] − KL(π ‖ π_ref) = log Z − KL(π ‖ π*) for every π.
    const posterior1 = await closed(1);
    const logZ = Math.log(ref.reduce((s, x, i) => s + x * Math.exp(rewards[i]!), 0));
    let identityError = 0;
    for (let trial = 0; trial < 5; trial++) {
      const raw = Array.from({ length: actions }, () => Math.exp(gaussian(random)));
      const total = raw.reduce((a, b) => a + b, 0);
      const pi = raw.map((x) => x / total);
      identityError = Math.max(identityError, Math.abs(expectedReward(pi) - kl(pi, ref) - (logZ - kl(pi, posterior1))));
    }
    // The source's ELBO drops β: its optimum is the β = 1 posterior, whatever β the RL objective uses.
    const untempered = tv(posterior1, await closed(0.1));
    tf.dispose([refT, rT]);
    const holds = rows.every((r) => r.tvNumericVsClosedForm < 1e-3) && identityError < 1e-4;
    return {
      'q2-equivalence': decide(
        holds,
        `numerical KL-RL optimum vs π_ref·exp(r/β)/Z: TV ${rows.map((r) => `${sig(r.tvNumericVsClosedForm, 2)} (β = ${r.beta})`).join(', ')}; ELBO identity error ${sig(identityError, 2)}; exp(r) posterior vs β = 0.1 optimum: TV ${untempered.toFixed(3)}`,
        `Rule: holds if Adam's maximiser of E[r] − β·KL matches klRegularizedOptimum within total variation 1e-3 at β = 0.1 and 1, and E[r] − KL(π‖π_ref) = log Z − KL(π‖π*) for random π within 1e-4. ` +
          `Both hold on a seeded 8-action toy policy. As the source writes it (likelihood exp(r)) the ELBO is the β = 1 objective: for β = 0.1 its posterior is ${untempered.toFixed(3)} away in TV; the likelihood must be exp(r/β).`,
        { rows, identityError, untemperedTv: untempered },
      ),
    };
  },
};

const betaSweep: MeasurementRunner = {
  id: 'rlhf/beta-sweep',
  async run() {
    const betas = [0.01, 0.02, 0.05, 0.1];
    // Two reward scales: the package's default reward-model SD (0.1) and ten times it.
    const scales = [0.1, 1];
    const runs = [];
    for (const rewardStd of scales) {
      const r = await runBetaExperiment({ seed: 0, betas, rewardStd, ppoSteps: 100, dpoSteps: 1 });
      runs.push({
        rewardStd,
        optimumKL: r.optimum.map((p) => p.kl),
        optimumProxyReward: r.optimum.map((p) => p.proxyReward),
        ppoKL: r.ppo.map((p) => p.final.kl),
        ppoProxyReward: r.ppo.map((p) => p.final.proxyReward),
        ppoVerdicts: r.ppo.map((p) => p.verdict),
      });
    }
    const spread = (kls: number[]): number => kls[0]! / kls[kls.length - 1]!;
    const covers = runs.map((r) => spread(r.optimumKL) >= 4);
    const line = runs
      .map((r) => `reward SD ${r.rewardStd}: optimum KL ${r.optimumKL.map((k) => k.toFixed(2)).join(' / ')} nats, PPO ${r.ppoKL.map((k) => k.toFixed(2)).join(' / ')}`)
      .join('; ');
    return {
      'q2-beta-grid': decide(
        covers.every(Boolean),
        `${line} (β = ${betas.join(' / ')})`,
        `Rule: the grid covers the trade-off at a reward scale if the optimum's KL at β = 0.01 is at least 4× its KL at β = 0.1; holds if it does at both scales. ` +
          `Ratios: ${runs.map((r) => `${spread(r.optimumKL).toFixed(1)}× (SD ${r.rewardStd})`).join(', ')}. The optimum depends on r/β only, so scaling the reward 10× moves the useful β range 10×: a grid fits one reward scale. Toy policy of @prep/rlhf's β experiment, seed 0.`,
        { betas, runs },
      ),
    };
  },
};

const constitutionalPipeline: MeasurementRunner = {
  id: 'rlhf/constitutional-pipeline',
  async run() {
    const count = 200;
    const prompts = Array.from({ length: count }, (_, i) => TOY_PROMPTS[i % TOY_PROMPTS.length]!);
    const examples = await constitutionalPairs({ prompts, principles: TOY_CONSTITUTION, model: createToyConstitutionalModel(), seed: 0, concurrency: 8 });
    const changed = examples.filter((e) => e.chosen !== e.rejected).length;
    const improved = examples.filter((e) => toyFlawCount(e.chosen) < toyFlawCount(e.rejected)).length;
    // The source's validation ratio, 10K human checks per 50K critiques: validate every fifth pair with the
    // toy's flaw count standing in for a person.
    const validated = examples.filter((_, i) => i % 5 === 0);
    const confirmed = validated.filter((e) => toyFlawCount(e.chosen) < toyFlawCount(e.rejected)).length;
    return {
      'q7-self-critique-yield': decide(
        improved === examples.length,
        `${examples.length} critique → revision runs: ${changed} revisions differ from the first answer, ${improved} (${pct(improved / examples.length, 0)}) remove a flaw; ${confirmed} of ${validated.length} validated pairs confirmed`,
        `Rule: holds if every self-critique yields a usable preference (a revision with fewer flaws than the original). Measured ${pct(improved / examples.length, 0)}; ${examples.length - changed} revisions equal the first answer ` +
          `(the drawn principle found nothing to fix), so pairs must be filtered. Human validation is not produced by the pipeline: 1 check per 5 pairs is a choice, not a result. Toy rule-based model, seed 0.`,
        { examples: examples.length, changed, improved, validated: validated.length, confirmed },
      ),
    };
  },
};

const labelCostArithmetic: MeasurementRunner = {
  id: 'rlhf/label-cost-arithmetic',
  run() {
    // The source's own inputs.
    const secondsPerComparison = 30;
    const crowdRate = [15, 30]; // $ per hour (question 9)
    const expertRate = [50, 100]; // $ per hour (question 7)
    const aiCostPerMillion = 1000;
    const hours = (labels: number): number => (labels * secondsPerComparison) / 3600;
    const h100k = hours(100_000);
    const crowd100k = crowdRate.map((r) => r * h100k);
    const expert100k = expertRate.map((r) => r * h100k);
    const crowd1m = crowdRate.map((r) => r * hours(1_000_000));
    const perLabelCrowd = crowdRate.map((r) => (r * secondsPerComparison) / 3600);
    const perLabelAi = aiCostPerMillion / 1_000_000;
    const budgetPerLabel = 15_000 / 10_000;
    const teamWeeks = h100k / (10 * 40);
    const reductionHuman = 100_000 / 10_000;
    const reductionAll = 100_000 / (50_000 + 10_000);
    const ratios = { totals: 150_000 / aiCostPerMillion, perLabelAtRates: perLabelCrowd.map((c) => c / perLabelAi), perLabelBudget: budgetPerLabel / perLabelAi };
    const money = (x: number): string => `$${sig(x, 3)}`;
    return Promise.resolve({
      'q7-label-cost': decide(
        h100k >= 1000,
        `${h100k.toFixed(0)} annotator-hours for 100K comparisons at 30 s; ${money(expert100k[0]!)}–${money(expert100k[1]!)} at $50–100/h`,
        `Rule: holds if 100K comparisons at the source's 30 s each take thousands of hours (≥ 1000). Computed ${h100k.toFixed(0)} hours (source arithmetic only). ` +
          `Question 9 of the same source prices the hour at $15–30.`,
        { hours: h100k, costAtExpertRates: expert100k },
      ),
      'q7-label-reduction': decide(
        withinRelative(reductionHuman, 5, 0.1) || withinRelative(reductionAll, 5, 0.1),
        `${reductionHuman}× fewer human labels (100K → 10K); ${reductionAll.toFixed(2)}× counting the 50K critiques too`,
        `Rule: holds if either reading of 100K → 50K + 10K is within 10% of 5×. Computed ${reductionHuman}× (human labels) and ${reductionAll.toFixed(2)}× (all labels): neither is 5× (source arithmetic only).`,
        { humanOnly: reductionHuman, allLabels: reductionAll },
      ),
      'q9-label-time': decide(
        teamWeeks >= 1,
        `${h100k.toFixed(0)} annotator-hours = ${(h100k / 40).toFixed(1)} person-weeks; ${teamWeeks.toFixed(1)} weeks for a team of 10`,
        `Rule: holds if 100K comparisons at 30 s take at least a week of calendar time for a team of 10 annotators working 40 h a week (our assumption; the source gives no team size). Computed ${teamWeeks.toFixed(1)} weeks (source arithmetic only).`,
        { hours: h100k, personWeeks: h100k / 40, teamOf10Weeks: teamWeeks },
      ),
      'q9-human-cost': decide(
        crowd100k[1]! >= 150_000 && crowd100k[0]! <= 500_000,
        `${money(crowd100k[0]!)}–${money(crowd100k[1]!)} for 100K comparisons (${h100k.toFixed(0)} h at $15–30/h)`,
        `Rule: holds if 100K comparisons at 30 s and $15–30/h overlap $150K–500K. Computed ${money(crowd100k[0]!)}–${money(crowd100k[1]!)}; $150K–500K would take ${(150_000 / 30).toFixed(0)}–${(500_000 / 15).toFixed(0)} hours (source arithmetic only).`,
        { costRange: crowd100k, hours: h100k },
      ),
      'q9-ai-cost': decide(
        crowd1m[0]! <= 150_000 && crowd1m[1]! >= 150_000,
        `1M human labels: ${money(crowd1m[0]!)}–${money(crowd1m[1]!)} at the source's rates; AI: $${aiCostPerMillion} (the source's input)`,
        `Rule: holds if $150K lies within the cost of 1M human comparisons at 30 s and $15–30/h. Computed ${money(crowd1m[0]!)}–${money(crowd1m[1]!)}. ` +
          `The $1000 per 1M AI labels is the source's own input and is not checked here (real judge costs depend on model and prompt length; Lee et al. 2023 estimated about 10× cheaper than people).`,
        { humanMillionCost: crowd1m, aiMillionCost: aiCostPerMillion },
      ),
      'q9-cost-reduction': decide(
        withinRelative(ratios.totals, 1000, 0.25) || ratios.perLabelAtRates.some((r) => withinRelative(r, 1000, 0.25)),
        `${ratios.totals}× ($150K vs $1K); ${ratios.perLabelAtRates.map((r) => r.toFixed(0)).join('–')}× per label at $15–30/h; ${ratios.perLabelBudget.toFixed(0)}× at the budget example's $1.50`,
        `Rule: holds if the source's own figures give a ratio within 25% of 1000× (totals, or per label at its hourly rates). Computed ${ratios.totals}× and ${ratios.perLabelAtRates.map((r) => r.toFixed(0)).join('–')}×; only the budget example's inflated $1.50 per label gives ${ratios.perLabelBudget.toFixed(0)}× (source arithmetic only).`,
        ratios,
      ),
      'q9-budget-example': decide(
        withinRelative(10_000 * perLabelCrowd[1]!, 15_000, 0.25),
        `10K comparisons: ${money(10_000 * perLabelCrowd[0]!)}–${money(10_000 * perLabelCrowd[1]!)} at the source's rates (source: $15K); 1M AI labels: $${aiCostPerMillion}`,
        `Rule: holds if 10K comparisons at 30 s and $15–30/h cost within 25% of $15K. Computed ${money(10_000 * perLabelCrowd[0]!)}–${money(10_000 * perLabelCrowd[1]!)}: $15K is ${(15_000 / (10_000 * perLabelCrowd[1]!)).toFixed(0)}–${(15_000 / (10_000 * perLabelCrowd[0]!)).toFixed(0)}× that (source arithmetic only).`,
        { tenThousandHumanCost: perLabelCrowd.map((c) => 10_000 * c), sourceValue: 15_000 },
      ),
    });
  },
};

const judgeBias: MeasurementRunner = {
  id: 'rlhf/judge-bias',
  async run() {
    // The package's RLAIF experiment; only its labels matter here, so the policy runs are one step long.
    const r = await runRlaifExperiment({ seed: 0, ppoSteps: 1, dpoSteps: 1 });
    const byName = (prefix: string) => r.variants.find((v) => v.name.startsWith(prefix))!;
    const single = byName('AI judge + position swap');
    const sameFamily = byName('ensemble of 3 biased');
    const mixed = byName('mixed ensemble');
    const excess = (v: typeof single): number => v.labels.longerChosenShare - r.truthLongerShare;
    const rows = r.variants.map((v) => ({ name: v.name, trueAgreement: v.labels.trueAgreement, longerChosenShare: v.labels.longerChosenShare, kept: v.labels.labeled }));
    const holds = excess(sameFamily) <= 0.5 * excess(single) && excess(mixed) <= 0.5 * excess(single);
    return {
      'q9-ensemble': decide(
        holds,
        `longer answer chosen (truth: ${pct(r.truthLongerShare, 0)}): one judge + swap ${pct(single.labels.longerChosenShare, 0)}, 3 same-bias judges ${pct(sameFamily.labels.longerChosenShare, 0)}, 1 biased + 2 unbiased ${pct(mixed.labels.longerChosenShare, 0)}; agreement with truth ${pct(single.labels.trueAgreement, 0)} / ${pct(sameFamily.labels.trueAgreement, 0)} / ${pct(mixed.labels.trueAgreement, 0)}`,
        `Rule: holds if an ensemble of three judges halves the single judge's excess preference for longer answers whether or not its members share the bias. ` +
          `Excess: ${pct(excess(single), 0)} alone, ${pct(excess(sameFamily), 0)} with three judges sharing the bias, ${pct(excess(mixed), 0)} with two unbiased members; averaging removes independent noise (agreement with truth ${pct(single.labels.trueAgreement, 0)} → ${pct(sameFamily.labels.trueAgreement, 0)}), not a bias the members share. @prep/rlhf's simulated judges (verbosity and position bias), seed 0.`,
        { truthLongerShare: r.truthLongerShare, variants: rows },
      ),
    };
  },
};

const recursiveJudging: MeasurementRunner = {
  id: 'rlhf/recursive-judging',
  async run() {
    const dim = 6;
    const pairsPerGeneration = 1000;
    const generations = 5;
    const random = seededRandom(30);
    const draw = (): number[] => Array.from({ length: dim }, () => gaussian(random));
    const trueW = draw();
    const dot = (w: readonly number[], x: readonly number[]): number => w.reduce((s, v, i) => s + v * x[i]!, 0);
    const pairs = (n: number) => Array.from({ length: n }, () => [draw(), draw()] as const);
    // Bradley-Terry labeller with temperature 1 on a linear reward (seeded sampling noise).
    const label = (w: readonly number[], [a, b]: readonly [number[], number[]]): 0 | 1 => (random() < 1 / (1 + Math.exp(-(dot(w, a) - dot(w, b)))) ? 0 : 1);
    const heldOut = pairs(2000);
    const agreement = (w: readonly number[]): number => heldOut.filter(([a, b]) => dot(w, a) - dot(w, b) > 0 === dot(trueW, a) - dot(trueW, b) > 0).length / heldOut.length;
    const fit = async (data: readonly (readonly [number[], number[]])[], labels: readonly (0 | 1)[]): Promise<number[]> => {
      const chosen = tf.tensor2d(data.map((p, i) => p[labels[i]!]));
      const rejected = tf.tensor2d(data.map((p, i) => p[1 - labels[i]!]!));
      const start = tf.zeros([dim, 1]);
      const w = tf.variable(start);
      start.dispose();
      const optimizer = tf.train.adam(0.05);
      for (let step = 0; step < 300; step++) {
        optimizer.minimize(() => bradleyTerryLoss(tf.reshape<tf.Rank.R1>(tf.matMul(chosen, w), [-1]), tf.reshape<tf.Rank.R1>(tf.matMul(rejected, w), [-1])));
      }
      const values = Array.from(await w.data());
      tf.dispose([chosen, rejected, w]);
      optimizer.dispose();
      return values;
    };
    // Each generation labels fresh pairs with the previous generation's reward and trains the next on them.
    // `bias` is added to feature 0 of every AI labeller (generations ≥ 1): a verbosity-like preference.
    const chain = async (bias: number): Promise<number[]> => {
      let labeller = trueW; // generation 0: people, labelling from the true reward
      const curve: number[] = [];
      for (let g = 1; g <= generations; g++) {
        const data = pairs(pairsPerGeneration);
        const labels = data.map((p) => label(labeller, p));
        const fitted = await fit(data, labels);
        curve.push(agreement(fitted));
        labeller = fitted.map((w, i) => (i === 0 ? w + bias : w));
      }
      return curve;
    };
    const curve = await chain(0);
    const biased = await chain(0.3);
    const lost = curve.findIndex((a) => a <= 0.6);
    return {
      'q9-compounding': decide(
        lost >= 2 && lost <= 4,
        `agreement with the original preference after 1…5 generations: ${curve.map((a) => pct(a, 1)).join(' / ')} (each judge adding a bias of 0.3 on one feature: ${biased.map((a) => pct(a, 1)).join(' / ')})`,
        `Rule: holds if agreement with the human preference falls to 60% or less (near chance) at generation 3, 4 or 5. Measured ${curve.map((a) => pct(a, 1)).join(' → ')}: ` +
          `unbiased noise on ${pairsPerGeneration} Bradley-Terry labels per generation costs ${pct(curve[0]! - curve.at(-1)!, 1)} over generations 1–5; a bias every judge adds accumulates: ${pct(biased.at(-1)!, 1)} after 5. ` +
          `Linear reward on ${dim} features, bradleyTerryLoss, seed 30.`,
        { generations: curve, biasedGenerations: biased, pairsPerGeneration, dim, bias: 0.3 },
      ),
    };
  },
};

export const rlhfMeasurements: MeasurementRunner[] = [closedFormOptimum, betaSweep, constitutionalPipeline, labelCostArithmetic, judgeBias, recursiveJudging];
