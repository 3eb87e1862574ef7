import { deepFreeze } from './internal/deep-freeze.js';
import type { Measurement } from './types.js';

/**
 * Every measurement that some {@link Claim} of {@link questions} names in `measuredBy`, each listed once:
 * what the monorepo's `claims` task has to compute, and with which package. The task runs each one,
 * then gives every claim that names it a measured value and a verdict.
 *
 * Measurements that only recompute the source's own arithmetic from its own inputs (labelling cost,
 * dataset ratios) say so in their description; they are there because a figure that contradicts its own
 * inputs is `wrong` without any experiment.
 *
 * The array and its objects are frozen.
 *
 * @example
 * ```ts
 * import { measurements } from '@prep/question-bank';
 *
 * const forStats = measurements.filter((x) => x.package === '@prep/stats');
 * console.log(forStats.map((x) => x.id)); // ['stats/fwer', 'stats/p-adjust', …]
 * ```
 */
export const measurements: readonly Measurement[] = /* @__PURE__ */ deepFreeze([
  // paged-kv (question 1)
  {
    id: 'paged-kv/simulate-seed-workload',
    package: '@prep/paged-kv',
    description:
      'Seeded mixed-length workload (lengths 50–4000 tokens, mean ≈ 800, SD ≈ 600) on a KV budget of 100 × 2048 tokens: reserved-but-unused fraction and sequences admitted for a contiguous allocator that reserves each request\'s maximum length versus paged 64-token blocks; ratio of admitted sequences and of cost per token (∝ 1 / concurrent sequences).',
  },
  {
    id: 'paged-kv/uniform-workload',
    package: '@prep/paged-kv',
    description:
      'Same budget with every sequence ≈ 2000 tokens: waste of the contiguous allocator and of the paged one.',
  },
  {
    id: 'paged-kv/blocks-per-sequence',
    package: '@prep/paged-kv',
    description:
      'Blocks the allocator hands out for sequences of 2000, 500 and 1800 tokens at a block size of 64 (⌈L / B⌉).',
  },
  {
    id: 'paged-kv/block-size-sweep',
    package: '@prep/paged-kv',
    description:
      'Seed workload at block sizes 8, 16, 32, 64, 128, 256: internal-fragmentation waste and block-table entries per sequence.',
  },
  {
    id: 'paged-kv/kv-bytes-per-token',
    package: '@prep/paged-kv',
    description:
      'KV-cache bytes per token (2 · layers · KV heads · head dim · bytes per value) for OPT-13B, Llama-2-7B and Llama-3-8B in fp16, and how many 2048-token sequences fit in 80 GB after the weights.',
  },
  // attention (question 3)
  {
    id: 'attention/cost-model',
    package: '@prep/attention',
    description:
      'Exact FLOP and byte counts from the cost model for exact, linear (m features) and sliding-window (w) attention at n = 100 000, d = 4096 (and d_head = 128): growth orders, the n/w ratio with w = 512, the bytes of one n × n score matrix per head at fp16 and fp32 versus the source\'s n² · d figure.',
  },
  {
    id: 'attention/peak-memory-vs-n',
    package: '@prep/attention',
    description:
      'Peak tensor bytes (tf.profile) of exact, chunked-exact, linear and sliding-window attention for growing n: which grow as n² and which as n, and the size of the linear-attention state (m × d).',
  },
  {
    id: 'attention/time-vs-n',
    package: '@prep/attention',
    description:
      'Wall time on wasm of exact, linear and sliding-window attention for growing n; time of each variant relative to exact at each n.',
  },
  // moe (question 4)
  {
    id: 'moe/param-flop-count',
    package: '@prep/moe',
    description:
      'Parameters and FLOPs per token of a dense FFN (d → 4d → d) and of MoE layers with N experts and top-k routing: 8d² parameters, the effect of doubling d, 8 → 64 experts, k = 2 with N = 64, and the parameter / active-parameter ratio N / k for N = 8…64.',
  },
  {
    id: 'moe/mixtral-param-count',
    package: '@prep/moe',
    description:
      'Total and active parameters of Mixtral 8×7B computed from its published configuration (32 layers, d = 4096, SwiGLU width 14336, 8 experts, top-2, 8 KV heads, vocabulary 32000).',
  },
  {
    id: 'moe/collapse-experiment',
    package: '@prep/moe',
    description:
      'Seeded router training with 16 experts and no balancing loss: token share of the top two experts, number of experts under 1%, effective number of experts (1 / Σ share²) and the implied effective capacity.',
  },
  {
    id: 'moe/balancing-experiment',
    package: '@prep/moe',
    description:
      'The collapse experiment with the Switch load-balancing loss (α = 0.01), with the source\'s squared-deviation loss, and with router noise: final shares, max/min load, and the gradient each loss sends to the router.',
  },
  // rlhf (questions 2, 7, 9)
  {
    id: 'rlhf/closed-form-optimum',
    package: '@prep/rlhf',
    description:
      'On a toy categorical policy: maximise E[r] − β·KL(π‖π_ref) numerically and compare with π_ref·exp(r/β)/Z (the Bayesian posterior); report the gap, and the objective the source\'s ELBO yields when β is dropped.',
  },
  {
    id: 'rlhf/beta-sweep',
    package: '@prep/rlhf',
    description:
      'KL to the reference and expected reward of the closed-form optimum and of a PPO-trained toy policy for β ∈ {0.01, 0.02, 0.05, 0.1}, for two reward scales.',
  },
  {
    id: 'rlhf/constitutional-pipeline',
    package: '@prep/rlhf',
    description:
      'Run the toy critique → revision pipeline over a seeded prompt set: preference pairs produced, human labels used for validation, pairs per human label.',
  },
  {
    id: 'rlhf/label-cost-arithmetic',
    package: '@prep/rlhf',
    description:
      'Recompute labelling time and cost from the source\'s own inputs (30 s per comparison, $15–30 per hour, $50–100 per hour, ~$1K per 1M AI labels, 100K → 10K human labels): hours, dollars and ratios (source arithmetic only, no experiment).',
  },
  {
    id: 'rlhf/judge-bias',
    package: '@prep/rlhf',
    description:
      'RLAIF with a simulated judge that has a position and a length bias: agreement of its labels with the true preference alone, with position swapping, with an ensemble of 3 judges, and after confidence filtering.',
  },
  {
    id: 'rlhf/recursive-judging',
    package: '@prep/rlhf',
    description:
      'Chain of judges where generation g is trained on the labels of generation g − 1 (seeded noise): agreement with the original preference after 1…5 generations.',
  },
  // contrastive (question 8)
  {
    id: 'contrastive/negatives-count',
    package: '@prep/contrastive',
    description:
      'Positive and negative pairs in one N × N similarity matrix of the CLIP loss for N = 256 and 32768 (N positives, N(N − 1) negatives, N − 1 per image).',
  },
  {
    id: 'contrastive/temperature',
    package: '@prep/contrastive',
    description:
      'Learnable temperature: initial logit scale 1/0.07, the clamp at 100, and where the scale moves during a seeded synthetic training run.',
  },
  {
    id: 'contrastive/batch-size-sweep',
    package: '@prep/contrastive',
    description:
      'Synthetic image–text pairs, same number of examples seen: zero-shot accuracy and retrieval recall@1 against batch size 32…1024 (the trend, not ImageNet numbers).',
  },
  {
    id: 'contrastive/infonce-vs-pairwise',
    package: '@prep/contrastive',
    description:
      'Synthetic pairs: examples needed to reach a target retrieval recall with symmetric InfoNCE versus the pairwise binary cross-entropy baseline.',
  },
  {
    id: 'contrastive/scale-arithmetic',
    package: '@prep/contrastive',
    description:
      'Ratio of CLIP\'s 400M training pairs to the 1.28M ImageNet-1k training images (source arithmetic only, no experiment).',
  },
  // info-bottleneck (question 5)
  {
    id: 'info-bottleneck/information-plane-tanh-relu',
    package: '@prep/info-bottleneck',
    description:
      'Seeded small fully connected network trained with tanh and with ReLU activations: binned I(X;T) and I(T;Y) per layer over epochs; epoch of the I(X;T) peak and whether I(X;T) falls afterwards.',
  },
  {
    id: 'info-bottleneck/variational-bound-check',
    package: '@prep/info-bottleneck',
    description:
      'Gaussian encoder with known I(X;T): compare E_x KL(p(t|x) ‖ r(t)) for several marginals r with the true value (upper bound), and the decoder cross-entropy bound on I(T;Y) (lower bound).',
  },
  // stats (questions 6, 10)
  {
    id: 'stats/fwer',
    package: '@prep/stats',
    description:
      'Family-wise error rate 1 − (1 − α)^K of K independent tests at α = 0.05 for K = 1…10, checked by seeded simulation of null p-values.',
  },
  {
    id: 'stats/p-adjust',
    package: '@prep/stats',
    description:
      'Bonferroni per-test thresholds for K = 3 and 4, and the rejections of Bonferroni, Holm and Benjamini–Hochberg on the same p-values (BH rejects a superset).',
  },
  {
    id: 'stats/power-vs-seeds',
    package: '@prep/stats',
    description:
      'Power of the paired t-test at α = 0.05 for 3, 5 and 10 seeds at effect sizes d_z = 0.5, 1, 2; seeds needed for 80% power.',
  },
  {
    id: 'stats/seed-summary',
    package: '@prep/stats',
    description:
      'Mean, sample SD (n − 1) and population SD (n) of the per-seed accuracies 92.1, 91.8, 92.3, 91.9, 92.0.',
  },
  {
    id: 'stats/significance-of-gain',
    package: '@prep/stats',
    description:
      'p-value of a fixed mean gain (5 points; 0.1 points) over 5 and 10 seeds as the seed-to-seed SD varies: the same gain is or is not significant depending on the spread.',
  },
  {
    id: 'stats/implied-p-value',
    package: '@prep/stats',
    description:
      'Two-sided p of a paired t-test with effect size d = 0.4 on 5 seeds (t = d·√n), and the number of pairs needed before d = 0.4 reaches p = 0.003.',
  },
  {
    id: 'stats/preference-test',
    package: '@prep/stats',
    description:
      'Exact two-sided binomial test of 310 preferences out of 500 against 0.5.',
  },
  {
    id: 'stats/test-set-ci',
    package: '@prep/stats',
    description:
      '95% confidence half-width of an accuracy measured on 10 000 test examples at accuracies 0.5, 0.9 and 0.99, and of the difference of two models on the same set.',
  },
  {
    id: 'stats/protocol-arithmetic',
    package: '@prep/stats',
    description:
      'Runs in a full factorial protocol: methods × datasets × model sizes × seeds (source arithmetic only, no experiment).',
  },
]);
