import type { Question } from '../types.js';

/** Question 5: the information bottleneck, its variational bounds, and the compression debate. */
export const informationBottleneck: Question = {
  id: 5,
  slug: 'information-bottleneck',
  title: 'The information bottleneck and the compression debate',
  difficulty: 'High',
  roles: ['Research Scientist'],
  topic: 'Deep Learning Theory, Interpretability',
  round: 'Technical Research Deep Dive',
  researchArea: 'DL Theory',
  prompt:
    'State the information bottleneck principle and how it has been used to explain deep networks. Derive the ' +
    'variational bound that makes it trainable, then weigh Tishby\'s claim that training compresses representations ' +
    'against what later experiments found.',
  summary:
    'The information bottleneck asks for a representation T of the input X that keeps as little about X as possible ' +
    'while keeping what predicts the target Y: minimise I(X;T) − β·I(T;Y) over encoders p(t|x). Shwartz-Ziv and Tishby ' +
    '(2017) placed each layer of small tanh networks on the "information plane" (I(X;T) against I(T;Y)) during ' +
    'training and saw two phases: a short fitting phase in which both quantities rise, then a long compression phase ' +
    'in which I(X;T) falls, which they linked to generalisation. Mutual information of a continuous, high-dimensional ' +
    'T is hard to estimate, so trainable versions use variational bounds. Replacing the unknown marginal p(t) by any ' +
    'distribution r(t) gives an upper bound on I(X;T), the expected KL divergence from the encoder to r; a decoder ' +
    'q(y|t) gives a lower bound on I(T;Y) through the cross-entropy. Together they make the deep variational IB loss, ' +
    'cross-entropy plus β times the KL term. Saxe et al. (2018) showed that the compression phase depends on the ' +
    'activation: saturating tanh layers compress, ReLU layers do not, and both generalise. For a deterministic network ' +
    'on continuous inputs I(X;T) is infinite or constant, so the measured "compression" is a property of the binning ' +
    'estimator. Goldfeld et al. (2019) added noise to make the quantity well defined and tied compression to clustering ' +
    'of the representations. The current reading: IB is a useful objective and lens (variational IB regularises and ' +
    'can help robustness), but compression is not a general explanation of why deep networks generalise.',
  keyIdeas: [
    'The IB Lagrangian is I(X;T) − β·I(T;Y), minimised over encoders; β prices relevance against compression. The deep variational IB puts its β on the compression term instead, the reciprocal convention.',
    'Along a feed-forward chain Y → X → T₁ → T₂ → …, information about X or Y can only shrink with depth (data-processing inequality).',
    'For any marginal r(t), I(X;T) ≤ E_x KL(p(t|x) ‖ r(t)), with equality when r is the true marginal.',
    'For any decoder q(y|t), I(T;Y) ≥ H(Y) + E[log q(y|t)], so minimising cross-entropy raises a lower bound on relevance.',
    'The variational IB loss is cross-entropy plus β·KL with a Gaussian encoder, trained with the reparameterisation trick.',
    'For deterministic networks with continuous inputs I(X;T) is infinite (or constant for an injective map); measured values depend on binning or added noise.',
    'Tanh saturation makes binned I(X;T) fall; ReLU networks show no such fall, and test accuracy does not track it.',
    'Treat information-plane plots as estimator-dependent: report the estimator, the bin width or noise level, and the spread over seeds.',
  ],
  formulas: [
    String.raw`\min_{p(t\mid x)}\; I(X;T) - \beta\, I(T;Y)`,
    String.raw`I(X;T) = \mathbb{E}_{p(x,t)}\!\left[\log\frac{p(t\mid x)}{p(t)}\right]`,
    String.raw`I(X;T) \le \mathbb{E}_{p(x)}\Big[\mathbb{D}_{\mathrm{KL}}\big(p(t\mid x)\,\big\|\,r(t)\big)\Big],\qquad \text{gap} = \mathbb{D}_{\mathrm{KL}}\big(p(t)\,\|\,r(t)\big) \ge 0`,
    String.raw`I(T;Y) \ge H(Y) + \mathbb{E}_{p(x,y)}\,\mathbb{E}_{p(t\mid x)}\big[\log q(y\mid t)\big]`,
    String.raw`\mathcal{L}_{\text{VIB}} = \mathbb{E}_{p(x,y)}\,\mathbb{E}_{p(t\mid x)}\big[-\log q(y\mid t)\big] + \beta\,\mathbb{E}_{p(x)}\Big[\mathbb{D}_{\mathrm{KL}}\big(p(t\mid x)\,\big\|\,r(t)\big)\Big]`,
    String.raw`T = X + \varepsilon,\quad X \sim \mathcal{N}(0, \sigma_x^2),\quad \varepsilon \sim \mathcal{N}(0, \sigma^2) \;\Rightarrow\; I(X;T) = \tfrac{1}{2}\log\!\Big(1 + \frac{\sigma_x^2}{\sigma^2}\Big)`,
  ],
  packages: ['@prep/info-bottleneck'],
  claims: [
    {
      id: 'q5-phase-durations',
      statement:
        'Training has a fast fitting phase of about 100 epochs in which I(X;T) and I(T;Y) rise, then a slow compression phase of about 1000 epochs in which I(X;T) falls and test accuracy improves.',
      sourceValue: '~100 epochs fitting, ~1000 epochs compression',
      measuredBy: 'info-bottleneck/information-plane-tanh-relu',
    },
    {
      id: 'q5-activation-dependence',
      statement: 'Compression shows up with tanh activations but not with ReLU or linear ones.',
      sourceValue: 'tanh: compression; ReLU, linear: none',
      measuredBy: 'info-bottleneck/information-plane-tanh-relu',
    },
    {
      id: 'q5-variational-bound',
      statement: 'Replacing the marginal p(t) with a variational q(t) yields a lower bound Ĩ(X;T) ≤ I(X;T), tight when q(t) = p(t).',
      sourceValue: 'Ĩ(X;T) ≤ I(X;T)',
      measuredBy: 'info-bottleneck/variational-bound-check',
    },
    {
      id: 'q5-modern-networks',
      statement: 'According to Goldstein et al. (2020), ResNets and Transformers show no compression phase: their I(X;T) keeps rising through training.',
      sourceValue: 'Goldstein et al. (2020)',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q5-saxe-date',
      statement: 'The evidence against universal compression (Saxe et al.) dates from 2020 or later.',
      sourceValue: '2020+',
      measuredBy: 'not-measurable',
    },
  ],
  pitfalls: [
    'The source\'s bound points the wrong way: a variational marginal r(t) gives an upper bound, E_x KL(p(t|x) ‖ r(t)) ≥ I(X;T), the gap being KL(p(t) ‖ r(t)). An upper bound is what a term being minimised needs. Its expression, H(T) minus a cross-entropy against q(t), is not a bound on I(X;T) at all.',
    'The bound on I(T;Y) needs a decoder q(y|t), not a marginal; "similarly for I(Y;T)" reuses the wrong form.',
    'Saxe et al. is an ICLR 2018 paper, not "2020+". The source\'s "Goldstein et al. (2020)" could not be traced; the closest work, Goldfeld et al. (ICML 2019), studied small networks with added noise and linked compression to clustering, not ResNets or Transformers.',
    'The "~100 then ~1000 epochs" schedule describes one small tanh network and one training run, not a law; our information-plane experiment reports where its own turn happens.',
    'For a deterministic network on continuous inputs the true I(X;T) is infinite (or constant for an injective map); plots show the estimator\'s behaviour, and the bin width alone can create or remove compression.',
    'Statements that Transformers "sharpen rather than compress" and that a "consensus" exists are unsourced in the source; present them as open questions.',
  ],
};
