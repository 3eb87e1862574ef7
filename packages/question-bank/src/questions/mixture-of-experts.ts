import type { Question } from '../types.js';

/** Question 4: sparse mixture-of-experts versus dense transformers, and expert collapse. */
export const mixtureOfExperts: Question = {
  id: 4,
  slug: 'mixture-of-experts',
  title: 'Mixture-of-experts versus dense transformers, and expert collapse',
  difficulty: 'Very High',
  roles: ['Senior Research Scientist', 'Research Lead'],
  topic: 'Model Architecture, Sparse Computation',
  round: 'Technical On-site',
  researchArea: 'LLM Architecture',
  prompt:
    'Compare sparse mixture-of-experts layers with dense transformer layers on compute, parameter efficiency, ease of ' +
    'optimisation and downstream quality. Why do MoE models tend to collapse onto a few experts, and what prevents it?',
  summary:
    'A dense feed-forward block of width 4d has 8d² weights and spends about two FLOPs per weight per token, so ' +
    'capacity and compute grow together. An MoE layer holds N expert feed-forward blocks and a router that sends each ' +
    'token to its top-k experts (k = 1 or 2): parameters grow with N while compute per token grows only with k, plus a ' +
    'small routing cost of d·N. At equal compute, MoE models usually reach lower loss than dense ones; at equal total ' +
    'parameters a dense model is usually better, and MoE pays in memory (every expert must be resident), in ' +
    'communication (tokens are exchanged all-to-all between devices) and in training instability. Collapse is a ' +
    'rich-get-richer loop: only the experts a token is routed to receive its gradient, the chosen experts improve, ' +
    'the router picks them more, and eventually a few experts take most tokens while the rest stop learning. The ' +
    'remedies are an auxiliary load-balancing loss (the Switch Transformer\'s α·N·Σ f_i·P_i, where f_i is the fraction ' +
    'of tokens sent to expert i and P_i its mean router probability, which carries the gradient), noise or jitter on ' +
    'the router logits early in training, a capacity limit per expert that drops or reroutes overflow tokens, the ' +
    'router z-loss that keeps logits small, and a small router initialisation. Some recent models balance with a ' +
    'per-expert bias on the routing scores instead of an auxiliary loss.',
  keyIdeas: [
    'Dense FFN: 8d² parameters and about 16d² FLOPs per token (two per multiply-add); doubling d multiplies both by four.',
    'MoE: N experts hold N·8d² FFN parameters; top-k routing costs about k·16d² FLOPs per token plus 2dN for the router.',
    'Capacity grows with N at fixed compute, so MoE wins compute-matched comparisons and usually loses parameter-matched ones.',
    'Collapse comes from the feedback between routing and learning: experts that are not chosen get no gradient and fall further behind.',
    'The Switch balancing loss works because P_i is differentiable; token fractions f_i alone are piecewise constant and give the router no gradient.',
    'A capacity factor bounds each expert\'s tokens per batch; overflow tokens are dropped (they pass through the residual) or go to their next choice.',
    'The router z-loss penalises large logits and stabilises training in low precision.',
    'Serving cost depends on total parameters (memory) as well as active ones (compute); expert parallelism adds all-to-all communication.',
  ],
  formulas: [
    String.raw`y = \sum_{i \in \mathcal{T}_k(x)} g_i(x)\, E_i(x),\qquad g(x) = \operatorname{softmax}(W_r x)`,
    String.raw`P_{\text{dense}} = 8d^2,\qquad P_{\text{MoE}} = N \cdot 8d^2,\qquad \text{FLOPs per token} \approx 2k \cdot 8d^2 + 2dN`,
    String.raw`\mathcal{L}_{\text{aux}} = \alpha\, N \sum_{i=1}^{N} f_i\, P_i,\qquad f_i = \frac{1}{T}\sum_{t=1}^{T} \mathbb{1}\big[\arg\max_j g_j(x_t) = i\big],\qquad P_i = \frac{1}{T}\sum_{t=1}^{T} g_i(x_t)`,
    String.raw`\mathcal{L}_{\text{sq}} = \alpha \sum_{i=1}^{N} \Big(f_i - \frac{1}{N}\Big)^2`,
    String.raw`C = \Big\lfloor c_f \cdot \frac{k\,T}{N} \Big\rfloor`,
    String.raw`\mathcal{L}_z = \frac{1}{T}\sum_{t=1}^{T}\Big(\log \sum_{i=1}^{N} e^{z_{t,i}}\Big)^2`,
    String.raw`N_{\text{eff}} = \frac{1}{\sum_{i=1}^{N} s_i^2},\qquad s_i = \text{share of tokens routed to expert } i`,
  ],
  packages: ['@prep/moe'],
  claims: [
    {
      id: 'q4-dense-params',
      statement: 'A dense FFN with W1 of d × 4d and W2 of 4d × d has 8d² parameters and costs 8d² FLOPs per token.',
      sourceValue: '8d² parameters, 8d² FLOPs',
      measuredBy: 'moe/param-flop-count',
    },
    {
      id: 'q4-double-d',
      statement: 'Doubling d gives four times the parameters and four times the FLOPs.',
      sourceValue: '4x parameters, 4x FLOPs',
      measuredBy: 'moe/param-flop-count',
    },
    {
      id: 'q4-8-to-64-experts',
      statement: 'Going from 8 to 64 experts gives eight times the parameters at the same FLOPs.',
      sourceValue: '8x parameters, same FLOPs',
      measuredBy: 'moe/param-flop-count',
    },
    {
      id: 'q4-params-flops',
      statement: 'With k = 2 of N = 64 experts, an MoE layer has 64× the parameters of the dense FFN at 2× its FLOPs.',
      sourceValue: '64x parameters at 2x FLOPs',
      measuredBy: 'moe/param-flop-count',
    },
    {
      id: 'q4-scaling-range',
      statement: 'Typical settings (k = 2, N = 8–64) scale parameters 10–31× at matched compute.',
      sourceValue: '10-31x',
      measuredBy: 'moe/param-flop-count',
    },
    {
      id: 'q4-mixtral-size',
      statement: 'Mixtral has 1.8T parameters in total, 47B of them active: ten times the parameters of a dense 175B model at a quarter of its compute.',
      sourceValue: '1.8T total, 47B active',
      measuredBy: 'moe/mixtral-param-count',
    },
    {
      id: 'q4-mixtral-table',
      statement: 'Mixtral 8×7B has 56B parameters of which 13B are active.',
      sourceValue: '56B / 13B',
      measuredBy: 'moe/mixtral-param-count',
    },
    {
      id: 'q4-collapse-shares',
      statement:
        'With 16 experts (6.25% each when balanced), a collapsed router sends 78% of tokens to one expert, 12% to a second and under 1% to each of the other 14 (the narrative puts the top expert at 90%).',
      sourceValue: '78% / 12% / <1% each',
      measuredBy: 'moe/collapse-experiment',
    },
    {
      id: 'q4-effective-capacity',
      statement: 'A collapsed 1.8T model is worth no more than a 112B one (elsewhere: 1.6T is reduced to 100B), so over 90% of its capacity is wasted.',
      sourceValue: '1.8T → 112B',
      measuredBy: 'moe/collapse-experiment',
    },
    {
      id: 'q4-aux-loss',
      statement: 'An auxiliary loss α·Σ(f_i − 1/N)² with α ≈ 0.01 spreads tokens evenly and prevents collapse.',
      sourceValue: 'α = 0.01',
      measuredBy: 'moe/balancing-experiment',
    },
    {
      id: 'q4-flops-matched-ppl',
      statement: 'At matched compute, an MoE with 47B parameters (6B active) reaches perplexity 11.8 against 12.4 for a dense 7B model.',
      sourceValue: '11.8 vs 12.4',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q4-param-matched-ppl',
      statement: 'At matched parameters a dense 47B model (perplexity 10.1) beats the 47B MoE (11.8).',
      sourceValue: '10.1 vs 11.8',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q4-model-table',
      statement:
        'Dense GPT 175B, Mixtral 8×7B and Switch-C 1.6T (23B active) reach perplexity 10.2 / 10.8 / 9.7, Code@1 45% / 52% / 58% and Math@1 38% / 43% / 47%.',
      sourceValue: 'ppl 10.2 / 10.8 / 9.7; Code@1 45 / 52 / 58%; Math@1 38 / 43 / 47%',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q4-parameter-efficiency',
      statement: 'MoE models match dense performance with 10–100× parameter efficiency.',
      sourceValue: '10-100x',
      measuredBy: 'not-measurable',
    },
  ],
  pitfalls: [
    'Mixtral 8×7B has about 46.7B parameters, 12.9B of them active per token (two of eight experts; attention and embeddings are shared), as its published configuration gives. "1.8T" is an unconfirmed figure rumoured for GPT-4, not Mixtral, and "56B" (8 × 7B) double-counts the shared layers.',
    'The source counts one FLOP per multiply-add (8d² FLOPs for 8d² weights); the usual convention is two, 16d² per token. Ratios are unaffected.',
    '"64× parameters at 2× FLOPs" compares with one dense FFN of the same width and leaves out attention, which every token still runs; for the whole model the parameter ratio is smaller.',
    'With N = 8…64 and k = 2, total over active FFN parameters is N / k = 4–32×, not "10–31×".',
    'The squared-deviation loss on hard token fractions has zero gradient almost everywhere (f_i changes only in jumps as tokens switch experts), so as written it cannot steer the router. The Switch loss multiplies f_i by the differentiable P_i; use that, or soft fractions.',
    'α = 0.01 is the Switch Transformer\'s value for its own loss, which equals α at perfect balance whatever N is; the squared form has a different scale, so the coefficient does not carry over.',
    'The perplexity and pass-rate tables have no source. Switch-C is a T5-style encoder–decoder with 2048 top-1 experts that was never evaluated on code or maths, and the Codex paper reports GPT-3 solving essentially none of HumanEval.',
    '"Effective 112B" assumes a collapsed model is worth one expert (1.8T / 16); under the quoted shares the effective number of experts, 1 / Σ s², is about 1.6, and attention parameters are never lost to collapse.',
    'Dropping tokens is not free: dropped tokens skip the expert computation, and at inference a capacity limit makes a token\'s output depend on the rest of the batch.',
  ],
};
