import type { Question } from '../types.js';

/** Question 3: the cost of self-attention in sequence length, and linear and sparse attention. */
export const attentionComplexity: Question = {
  id: 3,
  slug: 'attention-complexity',
  title: 'Self-attention cost and two ways around it',
  difficulty: 'High',
  roles: ['Research Scientist', 'Senior Research Scientist'],
  topic: 'Large Language Models, Transformer Architecture',
  round: 'On-site Technical Deep Dive',
  researchArea: 'LLM Architecture',
  prompt:
    'Work out how the compute and memory of self-attention grow with sequence length, explain why that becomes the ' +
    'bottleneck for long inputs, and propose two different remedies, comparing their speed, memory and what they give ' +
    'up in modelling power.',
  summary:
    'For n tokens and width d, attention forms QKᵀ (n² dot products of length d, about 2n²d FLOPs), takes a softmax ' +
    'over each row (O(n²)) and multiplies by V (another 2n²d FLOPs), so time grows as O(n²d); if the n × n score matrix ' +
    'is materialised, memory grows as O(n²) per head. The four projections cost about 8nd² FLOPs, so the 4n²d of ' +
    'attention dominates once n exceeds 2d. Memory is the first wall and the easier one: computing the softmax online over blocks of keys ' +
    '(as FlashAttention does) gives exact attention with O(n) extra memory and leaves the quadratic time. Two remedies ' +
    'for the time. (1) Kernelised linear attention replaces exp(q·k) by φ(q)·φ(k) with an m-dimensional feature map ' +
    '(Performer\'s positive random features, or ELU + 1); then φ(K)ᵀV is formed once, the cost becomes O(nmd), and in ' +
    'the causal case an m × d state is carried from token to token like an RNN. It only approximates softmax, and a ' +
    'fixed-size state limits exact recall of far-away tokens. (2) Sparse attention lets each token attend to a local ' +
    'window of w neighbours plus a few global tokens (and random ones in BigBird), costing O(n(w + g)d). It is exact ' +
    'inside the pattern but cannot see pairs outside it except through global tokens or across layers. The right ' +
    'choice depends on context length, on whether the task needs exact long-range lookup, and on how efficient the ' +
    'kernels are on the hardware.',
  keyIdeas: [
    'Per layer, QKᵀ and the product with V are each about 2n²d FLOPs, the softmax is O(n²) and the four projections about 8nd²; attention dominates once n > 2d.',
    'The n × n score matrix is the memory problem, and it need not exist: an online softmax over key blocks gives exact outputs with O(n) extra memory.',
    'Linear attention reorders the product to φ(Q)(φ(K)ᵀV), costing O(nmd) instead of O(n²d); with a causal mask it becomes a prefix sum, an RNN with an m × d state.',
    'Random-feature estimates of the softmax kernel (FAVOR+) are unbiased but noisy where attention is sharp, and quality drops on tasks that need exact retrieval.',
    'Sliding-window attention is exact within w neighbours; L stacked layers see about L·w tokens back, and global tokens give every pair a two-hop path.',
    'Sparsity saves only with kernels that skip the masked blocks: masking a dense n × n matrix costs the full quadratic price.',
    'Grouped-query attention shrinks the KV cache, not the n² term; recurrence and retrieval change the architecture instead.',
    'Compare expressiveness by measurement at equal compute, on long-range and recall tasks, rather than by assumption.',
  ],
  formulas: [
    String.raw`\operatorname{Attention}(Q, K, V) = \operatorname{softmax}\!\Big(\frac{QK^\top}{\sqrt{d}}\Big)V`,
    String.raw`\text{FLOPs}_{\text{exact}} \approx \underbrace{2n^2d}_{QK^\top} + \underbrace{2n^2d}_{PV} = 4n^2d`,
    String.raw`\text{bytes}_{\text{scores}} = h \cdot n^2 \cdot b_{\text{value}}\quad\text{per layer, if materialised}`,
    String.raw`m_j = \max\big(m_{j-1},\, \max_{k \in \text{block } j} s_k\big),\qquad \ell_j = e^{m_{j-1} - m_j}\,\ell_{j-1} + \sum_{k \in \text{block } j} e^{s_k - m_j}`,
    String.raw`\operatorname{LinAttn}(Q, K, V)_i = \frac{\phi(q_i)^\top \sum_{j} \phi(k_j)\, v_j^\top}{\phi(q_i)^\top \sum_{j} \phi(k_j)},\qquad \text{cost } O(nmd)`,
    String.raw`\phi(x) = \frac{e^{-\|x\|^2/2}}{\sqrt{m}}\Big(e^{\omega_1^\top x}, \dots, e^{\omega_m^\top x}\Big),\qquad \omega_i \sim \mathcal{N}(0, I_d)`,
    String.raw`\frac{n^2 d}{n\,w\,d} = \frac{n}{w} = \frac{100\,000}{512} \approx 195`,
  ],
  packages: ['@prep/attention'],
  claims: [
    {
      id: 'q3-complexity',
      statement: 'Self-attention takes O(n²d) time: n² dot products of length d for QKᵀ, O(n²) for the softmax and O(n²d) for the product with V.',
      sourceValue: 'O(n²d)',
      measuredBy: 'attention/cost-model',
    },
    {
      id: 'q3-memory-100k',
      statement: 'At n = 100K and d = 4096, storing the attention matrices takes 10B × 4096 ≈ 40 TB.',
      sourceValue: '10B × 4096 = 40TB',
      measuredBy: 'attention/cost-model',
    },
    {
      id: 'q3-sparse-reduction',
      statement: 'A 512-token window at n = 100K cuts the attention cost by a factor of 195.',
      sourceValue: '195x reduction',
      measuredBy: 'attention/cost-model',
    },
    {
      id: 'q3-linear-complexity',
      statement: 'Linear attention costs O(nmd) + O(nd²) ≈ O(nd²) for m = O(d) features.',
      sourceValue: 'O(nd²)',
      measuredBy: 'attention/cost-model',
    },
    {
      id: 'q3-linear-memory',
      statement: 'Linear attention needs constant O(md) memory.',
      sourceValue: 'O(md)',
      measuredBy: 'attention/peak-memory-vs-n',
    },
    {
      id: 'q3-sparse-memory',
      statement: 'Sparse attention still needs O(nw) memory.',
      sourceValue: 'O(nw)',
      measuredBy: 'attention/peak-memory-vs-n',
    },
    {
      id: 'q3-training-time',
      statement: 'Relative to standard attention, training takes 0.7× the time with linear attention and 0.6× with sparse attention.',
      sourceValue: '0.7x / 0.6x',
      measuredBy: 'attention/time-vs-n',
    },
    {
      id: 'q3-max-sequence',
      statement: 'The practical maximum sequence length is 8K for standard, 1M+ for linear and 100K for sparse attention.',
      sourceValue: '8K / 1M+ / 100K',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q3-downstream',
      statement: 'Downstream quality drops by about 5% on average with linear attention and 2% with sparse attention.',
      sourceValue: '-5% / -2%',
      measuredBy: 'not-measurable',
    },
    {
      id: 'q3-openai-attention',
      statement: 'GPT-3 and GPT-4 use standard dense attention within 8K–32K tokens; o1/o3 use sparse patterns for long reasoning.',
      sourceValue: 'n ≤ 8K-32K',
      measuredBy: 'not-measurable',
    },
  ],
  pitfalls: [
    'The 100K memory figure confuses compute with storage: n² = 10¹⁰ scores per head, 20 GB in fp16 or 40 GB in fp32 for one head of one layer. n²·d counts the multiply-adds of QKᵀ, not stored values (and even taken literally, 10¹⁰ × 4096 values in fp16 would be 81.92 TB, not 40 TB).',
    'The score matrix never has to exist: chunked exact attention with an online softmax needs O(n) memory. What limits exact attention at long context is time, and the KV cache at inference.',
    '195 is n / w for the window alone; global tokens attend to and from everything and add O(n·g·d), and block-sparse kernels run below dense matrix-multiply efficiency, so wall-clock gains are smaller.',
    '"O(md) constant memory" holds for the recurrent state of causal linear attention while generating; a forward pass over a sequence still reads and writes O(nd) activations, and training stores more.',
    'The comparison table (maximum lengths 8K / 1M+ / 100K, training time 0.7× / 0.6×, quality −5% / −2%) has no source; timings depend on n, d, kernels and hardware, and a ratio without an n means little.',
    'GPT-3 did not use plain dense attention: its paper alternates dense and locally banded sparse attention layers, as in the Sparse Transformer, with a 2048-token context. What o1 and o3 use internally is not public.',
    'Performer-style linear attention approximates the softmax kernel; RWKV and other linear recurrent models are different architectures trained as such, not approximations of a softmax model.',
  ],
};
