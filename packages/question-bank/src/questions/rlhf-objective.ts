import type { Question } from '../types.js';

/** Question 2: the RLHF objective as KL-regularised RL and as variational inference; choosing β. */
export const rlhfObjective: Question = {
  id: 2,
  slug: 'rlhf-objective',
  title: 'The RLHF objective: KL-regularised RL and variational inference',
  difficulty: 'Very High',
  roles: ['Research Scientist', 'Senior Research Scientist'],
  topic: 'Reinforcement Learning, Alignment',
  round: 'Technical Screen / On-site Research Interview',
  researchArea: 'RLHF / Alignment',
  prompt:
    'Derive the RLHF objective twice: once as reinforcement learning with a KL penalty towards a reference model, and ' +
    'once as variational Bayesian inference. What does the KL term cost and buy in practice, and how would you set its ' +
    'weight β for a production run?',
  summary:
    'In the RL view the policy maximises the reward model\'s expected score minus β times the KL divergence from the ' +
    'frozen supervised (SFT) model. The penalty keeps the policy where the reward model was trained and the text stays ' +
    'fluent. For each prompt the objective has an exact maximiser: the reference distribution reweighted by ' +
    'exp(r/β) and renormalised. In the inference view, take the reference model as the prior and exp(r/β) as the ' +
    'likelihood that a response is good; that maximiser is then exactly the posterior, and the RLHF objective divided ' +
    'by β equals log Z(x) minus KL(π_θ ‖ π*). Maximising it is therefore variational inference that fits π_θ to the ' +
    'posterior, and the objective is an evidence lower bound (ELBO). β acts as the temperature of that posterior. A ' +
    'small β lets the policy pile onto whatever the reward model over-scores (reward hacking: repetitive or odd text ' +
    'that scores well, lost capabilities); a large β keeps it near SFT and wastes the preference data. In practice β ' +
    'is chosen by sweeping a few values while tracking KL and reward together and judging the runs by held-out human ' +
    '(or gold-model) preferences rather than the proxy reward, or by an adaptive controller that moves β to hold the ' +
    'KL near a target. DPO uses the same closed form to skip the RL loop.',
  keyIdeas: [
    'The objective is the expected reward minus β·KL(π_θ(·|x) ‖ π_ref(·|x)), averaged over prompts; β trades reward against staying near the SFT model.',
    'Its maximiser is π_ref reweighted by exp(r/β) and normalised by Z(x); Z sums over all responses, so the optimum cannot be sampled directly for text, hence PPO or DPO.',
    'Bayesian reading: prior π_ref, likelihood exp(r/β), posterior π*; the objective over β is an ELBO whose gap is KL(π_θ ‖ π*).',
    'PPO implementations estimate the KL per token from log-ratios of sampled tokens and subtract it from the reward (a KL-shaped reward).',
    'The reward model is reliable only near its training distribution; the KL term is a soft trust region around it.',
    'Too small a β invites reward hacking and forgetting; too large a β leaves the policy almost unchanged.',
    'The KL reached for a given β depends on the reward scale and response length, so neither β nor a KL target transfers between reward models as is.',
    'Select β with a sweep judged on held-out preferences, or with an adaptive KL controller (Ziegler et al., 2019) that holds a target KL.',
  ],
  formulas: [
    String.raw`\max_{\pi_\theta}\; \mathbb{E}_{x\sim\mathcal{D}}\Big[\mathbb{E}_{y\sim\pi_\theta(\cdot\mid x)}\big[r(x,y)\big] - \beta\,\mathbb{D}_{\mathrm{KL}}\big(\pi_\theta(\cdot\mid x)\,\big\|\,\pi_{\text{ref}}(\cdot\mid x)\big)\Big]`,
    String.raw`\pi^*(y\mid x) = \frac{1}{Z(x)}\,\pi_{\text{ref}}(y\mid x)\,\exp\!\Big(\frac{r(x,y)}{\beta}\Big),\qquad Z(x) = \sum_{y}\pi_{\text{ref}}(y\mid x)\,\exp\!\Big(\frac{r(x,y)}{\beta}\Big)`,
    String.raw`\frac{1}{\beta}\,\mathbb{E}_{\pi_\theta}\big[r(x,y)\big] - \mathbb{D}_{\mathrm{KL}}\big(\pi_\theta\,\|\,\pi_{\text{ref}}\big) = \log Z(x) - \mathbb{D}_{\mathrm{KL}}\big(\pi_\theta\,\|\,\pi^*\big) \;\le\; \log Z(x)`,
    String.raw`\tilde r_t = r(x,y)\,\mathbb{1}[t = T] - \beta\,\log\frac{\pi_\theta(y_t\mid x, y_{<t})}{\pi_{\text{ref}}(y_t\mid x, y_{<t})}`,
    String.raw`\beta_{k+1} = \beta_k\Big(1 + \frac{n_{\text{steps}}}{H}\,\operatorname{clip}\Big(\frac{\mathrm{KL}_k}{\mathrm{KL}_{\text{target}}} - 1,\, -0.2,\, 0.2\Big)\Big)`,
    String.raw`\mathcal{L}_{\text{RM}}(\phi) = -\mathbb{E}_{(x, y_w, y_l)}\Big[\log\sigma\big(r_\phi(x, y_w) - r_\phi(x, y_l)\big)\Big]`,
  ],
  packages: ['@prep/rlhf'],
  claims: [
    {
      id: 'q2-equivalence',
      statement:
        'Treating the reward as a log-likelihood and the SFT model as the prior, the ELBO of the posterior approximation is the same objective as KL-regularised RL.',
      sourceValue: 'identical objectives (RL view = ELBO)',
      measuredBy: 'rlhf/closed-form-optimum',
    },
    {
      id: 'q2-beta-grid',
      statement: 'Searching β over {0.01, 0.02, 0.05, 0.1} covers the useful range of the reward–KL trade-off.',
      sourceValue: 'β ∈ {0.01, 0.02, 0.05, 0.1}',
      measuredBy: 'rlhf/beta-sweep',
    },
    {
      id: 'q2-beta-range',
      statement: 'The empirical range of β is 0.01 to 0.1, per InstructGPT.',
      sourceValue: 'β ∈ [0.01, 0.1]',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q2-instructgpt-beta',
      statement: 'InstructGPT used β = 0.02 for GPT-3.',
      sourceValue: 'β = 0.02',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q2-kl-target',
      statement: 'A KL of about 5–10 nats from the SFT model is the sweet spot to aim for during training.',
      sourceValue: 'KL ≈ 5-10 nats',
      measuredBy: 'not-measurable',
    },
  ],
  pitfalls: [
    'The source\'s ELBO silently sets β = 1: with likelihood exp(r) the bound is E[r] − KL. To get a general β the likelihood must be exp(r/β) (equivalently, divide the RL objective by β); without that the two objectives are "identical" only for β = 1.',
    'The normaliser matters: writing the likelihood as exp(r)/Z and then dropping log Z is why the result is a bound rather than the log evidence itself.',
    'The "KL ≈ 5–10 nats" target is not in the InstructGPT paper. It is close to the default target of 6 nats of the adaptive controller in TRL, which follows Ziegler et al. (2019); a KL in nats depends on response length and reward scale, so any fixed number belongs to one setup.',
    'The adaptive controller raises β when the measured KL is above target and lowers it when below; it is not a "start high, then decay" schedule. The source\'s description of OpenAI\'s internal practice (schedules, per-task β) is unsourced.',
    'Do not select β by the proxy reward: it keeps rising as β shrinks even when true quality falls (reward-model over-optimisation, Gao et al., 2022). Judge runs by held-out human or gold-model preferences.',
    'Per-token KL estimates from samples are noisy, and the plain log-ratio estimator can be negative on a batch; say which estimator you use.',
    'InstructGPT also mixed a pretraining loss into PPO (PPO-ptx) to limit regressions on public benchmarks; the KL term alone did not prevent them.',
  ],
};
