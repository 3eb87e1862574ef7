import type { Question } from '../types.js';

/** Question 6: presenting one's own research; the statistics hidden in the follow-up questions. */
export const researchImpact: Question = {
  id: 6,
  slug: 'research-impact',
  title: 'Walking through your own research and its impact',
  difficulty: 'Medium',
  roles: ['All Research Scientist Levels'],
  topic: 'Behavioral, Research Excellence',
  round: 'Hiring Manager Screen / On-site Behavioral',
  researchArea: 'Cross-domain',
  prompt:
    'Present the published work you consider your most impactful. What would you change if you did it again today, ' +
    'and how does it relate to OpenAI\'s goal of building safe AGI?',
  summary:
    'A behavioural question with a technical core. The interviewer tests three things: whether you can defend each ' +
    'methodological decision (baselines, data, seeds, statistics), whether you can name the real weaknesses of the work ' +
    'without being pushed, and whether you have thought about what it means for safety as well as capability. A strong ' +
    'answer is specific: the finding and its evidence, who built on it and what changed because of it; then the ' +
    'hindsight changes (stronger and better-tuned baselines, more seeds with confidence intervals and corrected ' +
    'comparisons, checks at other scales, a written failure analysis); then an honest statement of whether the work ' +
    'mostly adds capability. Expect follow-ups that are statistics in disguise. "Is a 5% gain significant?" has no ' +
    'answer without the seed-to-seed spread and the number of runs. "Is a 10K-example test set enough?" depends on the ' +
    'accuracy and on the size of the difference to resolve: at 90% accuracy the binomial standard error on 10 000 ' +
    'examples is 0.3 points. @prep/stats answers both from per-seed scores.',
  keyIdeas: [
    'Lead with the finding and the evidence for it, then its uptake (which work or systems built on it), with numbers you can back.',
    'Name hindsight changes concretely: which baseline, how many seeds, which test, which scale, which failure cases.',
    'Significance belongs to the evidence, not to the gain: report per-seed results, a confidence interval and an effect size.',
    'A test set\'s resolution follows from the binomial standard error √(p(1 − p)/n); paired comparisons on the same examples (McNemar\'s test) resolve smaller differences than two separate intervals.',
    'Separate luck from design: would the result survive new seeds, a re-tuned baseline, another dataset?',
    'Connect to safety honestly: say where the work helps alignment or understanding and where it only adds capability.',
    'Defensive overselling and vague impact claims both read as not understanding one\'s own work.',
  ],
  formulas: [
    String.raw`t = \frac{\bar{\Delta}}{s_{\Delta}/\sqrt{n}},\qquad \text{df} = n - 1,\qquad d_z = \frac{\bar{\Delta}}{s_{\Delta}}`,
    String.raw`\text{CI}_{95\%}(\bar{\Delta}) = \bar{\Delta} \pm t_{0.975,\,n-1}\,\frac{s_{\Delta}}{\sqrt{n}}`,
    String.raw`\hat{p} \pm z_{0.975}\sqrt{\frac{\hat{p}(1-\hat{p})}{n}},\qquad z_{0.975} \approx 1.96`,
  ],
  packages: ['@prep/stats'],
  claims: [
    {
      id: 'q6-evaluation-weights',
      statement: 'Interviewers weight technical depth at 70%, self-critique at 20% and mission alignment at 10% of the evaluation.',
      sourceValue: '70% / 20% / 10%',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q6-seeds',
      statement: 'Three seeds per experiment are too few; ten or more are needed, reported with intervals and corrected for multiple comparisons.',
      sourceValue: '3 seeds → 10+ seeds',
      measuredBy: 'stats/power-vs-seeds',
    },
    {
      id: 'q6-five-percent-gain',
      statement: 'A candidate should be able to say whether a 5% gain is statistically significant.',
      sourceValue: '5% gain',
      measuredBy: 'stats/significance-of-gain',
    },
    {
      id: 'q6-test-set-size',
      statement: 'A candidate should be able to say whether a 10K-example test set is large enough.',
      sourceValue: '10K examples',
      measuredBy: 'stats/test-set-ci',
    },
  ],
  pitfalls: [
    'The 70 / 20 / 10 weighting is the source\'s own; it cites no hiring rubric.',
    '"5% gain" is ambiguous (five points, or 5% relative?); ask, then answer with the spread. Over 5 seeds a 5-point mean gain is significant (two-sided paired p ≈ 0.005) when the per-seed differences have SD 2, and is not (p ≈ 0.23) when they have SD 8.',
    'On 10 000 examples the standard error of an accuracy near 90% is 0.3 points (95% half-width ±0.59); differences under about a point need a paired test on the same examples, not two overlapping intervals.',
    '"10+ seeds" is a rule of thumb: the number needed follows from a power calculation on the expected effect and the seed-to-seed variance.',
    'Citation counts are not impact; name the follow-up work or the systems that use the result.',
  ],
};
