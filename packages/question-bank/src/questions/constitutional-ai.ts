import type { Question } from '../types.js';

/** Question 7: Constitutional AI, adapting it, and the limits of scalable oversight. */
export const constitutionalAi: Question = {
  id: 7,
  slug: 'constitutional-ai',
  title: 'Constitutional AI and the limits of scalable oversight',
  difficulty: 'Very High',
  roles: ['Research Scientist (Alignment Track)', 'Senior Research Scientist'],
  topic: 'AI Safety, Alignment',
  round: 'On-site Research Interview',
  researchArea: 'Alignment / Safety',
  prompt:
    'Explain Anthropic\'s Constitutional AI. How would you adapt it to OpenAI\'s alignment work, and what fundamentally ' +
    'limits scalable oversight once models are more capable than the people overseeing them?',
  summary:
    'Constitutional AI (Bai et al., 2022) replaces most human harmlessness labels with a short written list of ' +
    'principles. In the supervised stage a helpful model answers red-team prompts, is asked to critique its own answer ' +
    'against a principle drawn at random from the constitution, and then to revise it; after a few rounds the model is ' +
    'fine-tuned on the revised answers. In the reinforcement stage the model produces two answers per prompt and a ' +
    'feedback model judges which one better follows a principle; those AI preferences train the preference model that ' +
    'RL optimises against (RL from AI feedback), while helpfulness preferences still come from people. The gains: far ' +
    'fewer human labels on harmful content, rules that can be read, audited and edited, and answers that explain a ' +
    'refusal instead of evading. To adapt it: write principles for behaviour that makes oversight possible (show ' +
    'reasoning, state uncertainty, accept correction), use a stronger judge or several, have people audit a sample of ' +
    'critiques and judgements, and revise the constitution where red-teaming finds failures. The limits: the method ' +
    'assumes the model\'s critiques are honest and that people (or trusted models) can check the judgements. A model ' +
    'more capable than its overseers could write critiques that look aligned while pursuing something else; a finite ' +
    'constitution has gaps that a strong optimiser will find; and judges share the blind spots of their training. ' +
    'Debate, recursive reward modelling, weak-to-strong generalisation and interpretability are research directions, ' +
    'not yet solutions.',
  keyIdeas: [
    'Supervised stage: sample an answer, critique it against a sampled principle, revise, repeat; then fine-tune on the revisions.',
    'Reinforcement stage: an AI judge compares two samples under a principle; its preferences train the preference model, and RL optimises against it.',
    'The constitution makes the training target readable and editable, but the judge still interprets it.',
    'Human effort moves from labelling every comparison to writing principles, auditing samples and red-teaming.',
    'AI judges carry biases (answer order, length, their own style); position swapping, ensembles and spot checks reduce them.',
    'Scalable oversight assumes the overseer can verify; once the model is stronger, verification rather than generation is the bottleneck.',
    'Eliciting latent knowledge: the aim is what the model believes, not what it predicts an overseer will approve.',
    'Honest framing: the method helps align today\'s models; it is no evidence that systems smarter than their overseers can be aligned.',
  ],
  formulas: [
    String.raw`y^{(k+1)} = \operatorname{revise}\Big(x,\; y^{(k)},\; \operatorname{critique}\big(x, y^{(k)}, c_k\big)\Big),\quad c_k \sim \mathcal{C},\qquad \mathcal{D}_{\text{SL}} = \big\{(x,\, y^{(K)})\big\}`,
    String.raw`\mathcal{D}_{\text{pref}} = \big\{(x,\, y_w,\, y_l)\big\},\qquad (y_w, y_l) = \operatorname{judge}_{c}\big(x;\, y_a, y_b\big)`,
    String.raw`\mathcal{L}_{\text{RM}}(\phi) = -\mathbb{E}_{(x, y_w, y_l)}\Big[\log\sigma\big(r_\phi(x, y_w) - r_\phi(x, y_l)\big)\Big]`,
    String.raw`\mathcal{L}_{\text{DPO}}(\theta) = -\mathbb{E}\Big[\log\sigma\Big(\beta\log\frac{\pi_\theta(y_w\mid x)}{\pi_{\text{ref}}(y_w\mid x)} - \beta\log\frac{\pi_\theta(y_l\mid x)}{\pi_{\text{ref}}(y_l\mid x)}\Big)\Big]`,
  ],
  packages: ['@prep/rlhf'],
  claims: [
    {
      id: 'q7-rlhf-labels',
      statement: 'RLHF at GPT-4 scale needs more than 100K human comparisons.',
      sourceValue: '100K+ comparisons',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q7-label-cost',
      statement: 'Human preference labelling costs $50–100 per hour over thousands of hours.',
      sourceValue: '$50-100 per hour × 1000s of hours',
      measuredBy: 'rlhf/label-cost-arithmetic',
    },
    {
      id: 'q7-label-reduction',
      statement: 'Constitutional AI replaces 100K human labels with 50K self-critiques plus 10K human validations, a 5× cut in human labelling cost.',
      sourceValue: '100K → 50K + 10K (5x)',
      measuredBy: 'rlhf/label-cost-arithmetic',
    },
    {
      id: 'q7-self-critique-yield',
      statement: 'Every self-critique and revision yields a training preference (revised over original), so 50K self-critiques need only 10K human validations.',
      sourceValue: '50K self-critiques + 10K human validation',
      measuredBy: 'rlhf/constitutional-pipeline',
    },
    {
      id: 'q7-principles',
      statement: 'A constitution has 10–20 principles.',
      sourceValue: '10-20 principles',
      measuredBy: 'not-measurable',
    },
  ],
  pitfalls: [
    'In Anthropic\'s method the revised answers are used for supervised fine-tuning, and the preferences of the RL stage come from an AI judge comparing two fresh samples, not from "revised over original" pairs. Training on revision pairs is a reasonable variant (@prep/rlhf\'s pipeline emits them), but it is not the paper\'s recipe.',
    'The label arithmetic does not add up: 100K → 10K human labels is a 10× cut, and counting the 50K self-critiques too it is 100K → 60K (about 1.7×); neither is "5×". The figures are illustrative, not from the paper.',
    'The hourly rates disagree across the source: $50–100 per hour here, $15–30 per hour in question 9.',
    'The paper\'s AI feedback targets harmlessness; helpfulness preferences were still labelled by people.',
    'The story of a cancer cure hiding a means of control illustrates deceptive alignment but is speculation; argue the mechanism (checking is harder than producing when the model is stronger) rather than the story.',
  ],
};
