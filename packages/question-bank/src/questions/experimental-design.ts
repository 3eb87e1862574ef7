import type { Question } from '../types.js';

/** Question 10: designing a convincing comparison: seeds, tests, corrections, budgets, reproducibility. */
export const experimentalDesign: Question = {
  id: 10,
  slug: 'experimental-design',
  title: 'Designing an experiment that shows a method really helps',
  difficulty: 'High',
  roles: ['Research Scientist (All levels)'],
  topic: 'Research Methodology, Experimental Rigor',
  round: 'Hiring Manager Screen / Research Deep Dive',
  researchArea: 'Cross-domain',
  prompt:
    'You have a new method: an optimiser, an attention variant or an alignment technique. Design the experiment that ' +
    'would convince a sceptic that it beats strong baselines, and explain how you handle multiple comparisons, a ' +
    'limited compute budget and reproducibility.',
  summary:
    'Fix the claim, the primary metric and the analysis before running anything. Baselines must be current and tuned ' +
    'with the same budget as the new method (the same number of hyperparameter trials, the same training FLOPs or ' +
    'wall-clock time), on the same data splits. Run several seeds per configuration, as many as a power calculation ' +
    'from a pilot estimate of seed-to-seed variance asks for, and report every seed, the mean with a 95% confidence ' +
    'interval and an effect size, never only the best run. Pair the comparison by seed or split where possible (paired ' +
    't-test, or the Wilcoxon signed-rank test when the differences look non-normal) and correct for the number of ' +
    'comparisons: K tests at α = 0.05 each have a family-wise false-positive rate of 1 − 0.95^K if independent (18.5% ' +
    'for K = 4); Bonferroni (α / K) or Holm control it under any dependence, and Benjamini–Hochberg controls the false ' +
    'discovery rate with more power. Under a fixed budget, spend compute on seeds and on equally tuned baselines before ' +
    'adding datasets, and report cost (FLOPs, time, memory) beside quality. For reproducibility release code, configs, ' +
    'seeds, data versions and evaluation scripts, and report negative results and the settings where the method loses.',
  keyIdeas: [
    'Pre-register the primary metric and the comparisons; everything else is exploratory.',
    'Tune baselines with the same search budget as your method, and compare at matched compute (FLOPs or wall-clock), not matched iterations.',
    'Choose the number of seeds by power analysis; report all of them with the mean, a CI and the spread.',
    'Pair by seed or split and use paired tests; use the Wilcoxon signed-rank test when differences are skewed.',
    'Correct for multiple comparisons: FWER with Bonferroni or Holm, FDR with Benjamini–Hochberg. The family is every test you report.',
    'Report effect sizes (Cohen\'s d, d_z, Hedges\' g) and the absolute gain: a small p does not mean a large or useful effect.',
    'Check that the gain holds as model and data grow.',
    'Reproducibility: code, configs, data versions, seeds and hardware; document negative results and limitations.',
  ],
  formulas: [
    String.raw`\text{FWER} = 1 - (1 - \alpha)^K,\qquad 1 - 0.95^4 \approx 0.185`,
    String.raw`\alpha_{\text{per test}} = \frac{\alpha}{K},\qquad \frac{0.05}{4} = 0.0125`,
    String.raw`\text{Holm: reject } H_{(1)}, H_{(2)}, \dots \text{ while } p_{(i)} \le \frac{\alpha}{K - i + 1}`,
    String.raw`\text{BH: } k^* = \max\Big\{\, i : p_{(i)} \le \frac{i}{K}\, q \,\Big\},\quad \text{reject } H_{(1)}, \dots, H_{(k^*)}`,
    String.raw`d = \frac{\bar{x}_1 - \bar{x}_2}{s_p},\qquad s_p = \sqrt{\frac{(n_1 - 1)s_1^2 + (n_2 - 1)s_2^2}{n_1 + n_2 - 2}},\qquad g = d\Big(1 - \frac{3}{4(n_1 + n_2) - 9}\Big)`,
    String.raw`t = d_z\sqrt{n},\qquad \text{df} = n - 1`,
  ],
  packages: ['@prep/stats'],
  claims: [
    {
      id: 'q10-fwer',
      statement: 'With four uncorrected tests at α = 0.05, the chance of at least one false positive is about 18.5%.',
      sourceValue: '1-(1-0.05)^4 ≈ 18.5%',
      measuredBy: 'stats/fwer',
    },
    {
      id: 'q10-bonferroni',
      statement: 'Bonferroni for four tests uses α = 0.05 / 4 = 0.0125 per test.',
      sourceValue: '0.05/4 = 0.0125',
      measuredBy: 'stats/p-adjust',
    },
    {
      id: 'q10-bonferroni-three',
      statement: 'With three baselines the per-test threshold is 0.05 / 3 = 0.017.',
      sourceValue: '0.05/3 = 0.017',
      measuredBy: 'stats/p-adjust',
    },
    {
      id: 'q10-bh',
      statement: 'Benjamini–Hochberg is less conservative than Bonferroni.',
      sourceValue: 'BH less conservative',
      measuredBy: 'stats/p-adjust',
    },
    {
      id: 'q10-seeds',
      statement: 'Five to ten seeds is the minimum for a credible comparison.',
      sourceValue: 'N = 5-10 seeds',
      measuredBy: 'stats/power-vs-seeds',
    },
    {
      id: 'q10-effect-size',
      statement: 'A 0.1% gain can reach p < 0.01 and still not matter in practice.',
      sourceValue: '0.1% gain with p<0.01',
      measuredBy: 'stats/significance-of-gain',
    },
    {
      id: 'q10-seed-summary',
      statement: 'Seeds 42, 123, 456, 789 and 101 gave 92.1, 91.8, 92.3, 91.9 and 92.0%: mean 92.0%, standard deviation 0.17%.',
      sourceValue: 'mean 92.0%, std 0.17%',
      measuredBy: 'stats/seed-summary',
    },
    {
      id: 'q10-run-count',
      statement: 'Four methods × three datasets × three model sizes × five seeds make 180 runs.',
      sourceValue: '180 runs',
      measuredBy: 'stats/protocol-arithmetic',
    },
    {
      id: 'q10-example-result',
      statement: 'The new method scores 92.3% against 91.8% for full attention, with p = 0.003 and d = 0.4, from five seeds per configuration.',
      sourceValue: 'p=0.003, d=0.4',
      measuredBy: 'stats/implied-p-value',
    },
    {
      id: 'q10-human-preference',
      statement: 'People preferred the new method in 62% of 500 blind comparisons (38% for the baseline), p < 0.001.',
      sourceValue: '62% vs 38%, p<0.001, N=500',
      measuredBy: 'stats/preference-test',
    },
  ],
  pitfalls: [
    'The worked protocol divides by 3 for three baselines, but it reports each baseline on 3 datasets × 3 model sizes: the family is all 27 comparisons, not 3.',
    'The seed summary\'s 0.17 is the population SD (dividing by n); the sample SD (n − 1), which intervals and t-tests use, is 0.19.',
    '"p = 0.003 with d = 0.4" cannot come from a paired test on 5 seeds: t = d·√n = 0.89 gives a two-sided p of 0.42; d = 0.4 reaches p = 0.003 only with about 60 pairs.',
    'The hyperparameter list repeats seed 42 ([42, 123, 456, 789, 42]); a repeated seed is a repeated run, not a new sample.',
    '1 − (1 − α)^K assumes independent tests; comparisons against one shared method are correlated. Bonferroni keeps FWER ≤ α under any dependence.',
    'The 62% vs 38% preference over 500 comparisons does clear p < 0.001 (exact binomial p ≈ 9e-8), but only if the 500 comparisons are independent; repeated prompts or raters need a clustered analysis.',
    'Do not read "state of the art from 2024–2025" as the rule: the right baseline is the strongest method for the setting, tuned with the same effort as yours.',
  ],
};
