import type { Question } from '../types.js';

/** Question 9: human versus AI feedback for preference learning, and the risks of AI judges. */
export const rlhfVsRlaif: Question = {
  id: 9,
  slug: 'rlhf-vs-rlaif',
  title: 'RLHF versus RLAIF: when AI feedback can stand in for human feedback',
  difficulty: 'Very High',
  roles: ['Research Scientist', 'Senior Research Scientist'],
  topic: 'Reinforcement Learning, Alignment',
  round: 'Technical On-site',
  researchArea: 'RLHF / Alignment',
  prompt:
    'What distinguishes reinforcement learning from human feedback from reinforcement learning from AI feedback? When ' +
    'would you choose AI feedback, and what goes wrong when alignment is scaled on AI judgements instead of human ones?',
  summary:
    'The two pipelines share their last steps: fit a reward model to pairwise preferences with the Bradley–Terry loss, ' +
    'then optimise the policy against it with a KL penalty (PPO), or fit the policy to the pairs directly (DPO). They ' +
    'differ only in who labels the pairs. Human labels carry the values we want but are slow, costly and noisy (in ' +
    'InstructGPT, trained labellers agreed with each other about three times in four). An AI judge, a strong model ' +
    'prompted with a rubric or constitution, labels fast and cheaply at any volume and in any language, and published ' +
    'RLAIF comparisons report results close to RLHF on tasks such as summarisation. Choose AI feedback for breadth: many ' +
    'domains and languages, fast research iteration, frequent updates, and the parts of the data where the judge has ' +
    'been shown to agree with people. The risk is that the policy learns to please the judge rather than people: judge ' +
    'biases (answer order, length, style, preference for its own outputs) become reward hacks; judges err outside their ' +
    'competence; errors compound when models judge their successors; and the chosen judge\'s values are built in. ' +
    'Mitigations: query both answer orders and average, ensemble judges from different families, keep only confident ' +
    'judgements and send the rest to people, hold a human-labelled anchor set to track judge agreement and drift, and ' +
    'red-team the judge itself.',
  keyIdeas: [
    'RLHF and RLAIF differ in the labeller, not in the reward-model and policy-optimisation steps.',
    'Bradley–Terry: the probability that A beats B is σ(r(A) − r(B)); the reward model is fitted by logistic loss on the pairs.',
    'AI judges have systematic biases (order of presentation, longer answers, their own style) that a policy will exploit.',
    'Position swapping queries both orders and averages, cancelling a constant order bias.',
    'Ensembles of different judges cancel idiosyncratic errors but not the errors they share.',
    'Confidence filtering keeps high-margin AI labels and routes the rest to people.',
    'A human-labelled anchor set measures judge–human agreement over time; recalibrate when it drifts.',
    'Keep people on safety-critical and value-laden judgements; use AI feedback for breadth.',
  ],
  formulas: [
    String.raw`P(y_A \succ y_B \mid x) = \sigma\big(r(x, y_A) - r(x, y_B)\big)`,
    String.raw`\mathcal{L}_{\text{RM}}(\phi) = -\mathbb{E}_{(x, y_w, y_l)}\Big[\log\sigma\big(r_\phi(x, y_w) - r_\phi(x, y_l)\big)\Big]`,
    String.raw`\hat{p}(A \succ B) = \tfrac{1}{2}\Big(J(A, B) + 1 - J(B, A)\Big)`,
    String.raw`\hat{p}_{\text{ens}}(A \succ B) = \frac{1}{M}\sum_{m=1}^{M} \hat{p}_m(A \succ B)`,
    String.raw`\text{keep } (x, A, B) \iff \big|\hat{p}(A \succ B) - \tfrac{1}{2}\big| \ge \delta`,
    String.raw`\max_{\pi_\theta}\; \mathbb{E}_{x,\, y\sim\pi_\theta}\big[r_\phi(x, y)\big] - \beta\,\mathbb{D}_{\mathrm{KL}}\big(\pi_\theta\,\|\,\pi_{\text{ref}}\big)`,
  ],
  packages: ['@prep/rlhf'],
  claims: [
    {
      id: 'q9-rlhf-comparisons',
      statement: 'An RLHF run collects 50K–100K human pairwise comparisons.',
      sourceValue: '50K-100K comparisons',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q9-label-time',
      statement: 'At about 30 seconds per comparison, 100K human comparisons take weeks.',
      sourceValue: '~30 s per comparison → weeks for 100K',
      measuredBy: 'rlhf/label-cost-arithmetic',
    },
    {
      id: 'q9-human-cost',
      statement: 'Human labelling at $15–30 per hour over thousands of hours costs $150K–500K.',
      sourceValue: '$15-30/hour, $150K-500K',
      measuredBy: 'rlhf/label-cost-arithmetic',
    },
    {
      id: 'q9-ai-cost',
      statement: 'AI labels cost only GPU time: about $1000 for 1M labels against $150K for human labels.',
      sourceValue: '~$1000 per 1M labels',
      measuredBy: 'rlhf/label-cost-arithmetic',
    },
    {
      id: 'q9-cost-reduction',
      statement: 'RLAIF cuts labelling cost by a factor of 1000.',
      sourceValue: '1000x',
      measuredBy: 'rlhf/label-cost-arithmetic',
    },
    {
      id: 'q9-budget-example',
      statement: 'With a budget under $50K, RLHF buys 10K comparisons for $15K while RLAIF buys 1M for $1K.',
      sourceValue: '10K for $15K vs 1M for $1K',
      measuredBy: 'rlhf/label-cost-arithmetic',
    },
    {
      id: 'q9-annotator-disagreement',
      statement: 'Human annotators disagree with each other on 20–30% of comparisons.',
      sourceValue: '20-30%',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q9-turnaround',
      statement: 'Human labelling adds a two-week delay (quarterly model updates), while AI feedback closes the loop the same day (daily or weekly updates).',
      sourceValue: '2 weeks vs same day',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q9-compounding',
      statement: 'When each model generation judges the next, errors compound and the original human intent is lost after 3–5 generations.',
      sourceValue: '3-5 generations',
      measuredBy: 'rlhf/recursive-judging',
    },
    {
      id: 'q9-ensemble',
      statement: 'Aggregating three or more AI evaluators reduces single-model bias.',
      sourceValue: '3+ evaluators',
      measuredBy: 'rlhf/judge-bias',
    },
  ],
  pitfalls: [
    'The cost figures contradict each other: at the stated 30 s per comparison and $15–30 per hour, 100K comparisons are about 833 annotator-hours, $12.5K–25K, not $150K–500K; the budget example\'s $15K for 10K comparisons ($1.50 each) is 6–12× what the hourly rate implies.',
    '"1000× cheaper" does not follow from its own inputs either: $150K against $1K is 150×, and per label ($1.50 against $0.001) it is 1500×. The RLAIF study of Lee et al. (2023) estimated AI labelling at roughly ten times cheaper than human labelling; real judge costs depend on the model and prompt length.',
    'InstructGPT measured agreement of about 73% among training labellers (77% with held-out labellers), consistent with 20–30% disagreement; much of it is genuine ambiguity rather than noise.',
    'The GPT-4 → GPT-3.5 → GPT-3 chain of judges and the "3–5 generations" are hypothetical; our recursive-judging experiment shows how fast agreement decays under stated noise, nothing more.',
    'A stronger judge is not an unbiased one: position, verbosity and self-preference biases have been measured in strong LLM judges (Zheng et al., 2023, MT-Bench).',
    'Judges from one model family share biases; diversity, not the count of judges, is what reduces them.',
  ],
};
