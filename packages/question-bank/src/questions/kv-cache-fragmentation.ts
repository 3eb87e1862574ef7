import type { Question } from '../types.js';

/** Question 1: why a KV cache wastes memory under contiguous allocation, and how paging fixes it. */
export const kvCacheFragmentation: Question = {
  id: 1,
  slug: 'kv-cache-fragmentation',
  title: 'Diagnosing and fixing KV-cache fragmentation',
  difficulty: 'Very High',
  roles: ['Senior Research Scientist', 'Research Lead'],
  topic: 'Large Language Models, Inference Optimization',
  round: 'Final Round (On-site)',
  researchArea: 'LLM Inference / Systems',
  prompt:
    'Serving a language model costs ten times what the capacity plan predicted, and the KV cache is the suspect. ' +
    'How do you find the cause and fix it, and why would buying GPUs with more memory not make the problem go away?',
  summary:
    'The overrun comes from how KV memory is handed out, not from how much of it exists. A server that gives every ' +
    'request one contiguous region, sized for the longest output the request might produce, reserves slots the ' +
    'request never fills (internal fragmentation) and leaves holes between regions that a longer request cannot use ' +
    '(external fragmentation). With mixed request lengths much of the cache then holds nothing, the scheduler admits ' +
    'few sequences, decode batches stay small and the cost of each generated token climbs. A larger card scales the ' +
    'waste together with the capacity, so the fraction of useful memory, and the cost per useful token, stay where ' +
    'they were. The fix is paging, as in vLLM\'s PagedAttention: the cache is cut into fixed-size blocks of B tokens, ' +
    'each sequence keeps a block table that maps its logical token positions to whichever physical blocks were free, ' +
    'and a new block is taken only when the last one is full. The only waste left is the unfilled tail of each ' +
    'sequence\'s last block, fewer than B tokens. Blocks carry reference counts, so parallel samples and requests with ' +
    'a common prompt prefix share blocks and copy one only when they write to it (copy-on-write). Diagnose before ' +
    'fixing: measure the share of KV memory holding live tokens, the batch size the scheduler actually reaches and the ' +
    'request-length distribution, then replay that distribution through a paged allocator in simulation.',
  keyIdeas: [
    'Total memory and usable memory differ: the scheduler admits requests by reserved memory, so reserved-but-empty slots cap the batch just as a full card does.',
    'Contiguous reservation loses memory three ways: slots reserved for tokens not yet (or never) generated, rounding up to the reservation size, and gaps between regions too small for the next request.',
    'Paging separates logical from physical layout: a per-sequence block table maps token positions to fixed-size physical blocks, the way an operating system\'s page table maps virtual pages to frames.',
    'With blocks allocated on demand, waste is at most B − 1 tokens per sequence and about (B − 1)/2 on average.',
    'Block size is a trade-off: small blocks shrink the tail waste but lengthen block tables and make the attention kernel gather many small pieces.',
    'Reference-counted blocks let sequences share a prompt prefix or fork for parallel sampling; a shared block is copied only when one owner writes to it.',
    'When memory runs out, a paged server preempts whole sequences (swapping their blocks out or recomputing them later) instead of failing allocations.',
    'Uniform traffic hides the problem: when every request has the same length, contiguous allocation wastes almost nothing.',
  ],
  formulas: [
    String.raw`N_{\text{blocks}}(L) = \left\lceil \frac{L}{B} \right\rceil`,
    String.raw`\text{waste}_{\text{paged}}(L) = B\left\lceil \frac{L}{B} \right\rceil - L \;\le\; B - 1`,
    String.raw`\mathbb{E}\big[\text{waste fraction}_{\text{paged}}\big] \approx \frac{(B - 1)/2}{\mathbb{E}[L]}`,
    String.raw`\text{waste fraction}_{\text{contiguous}} = 1 - \frac{\sum_i L_i}{\sum_i R_i}\qquad (R_i = \text{tokens reserved for sequence } i)`,
    String.raw`\text{KV bytes per token} = 2 \cdot n_{\text{layers}} \cdot n_{\text{kv heads}} \cdot d_{\text{head}} \cdot b_{\text{value}}`,
    String.raw`\text{cost per token} \propto \frac{1}{\text{sequences decoded concurrently}}`,
  ],
  packages: ['@prep/paged-kv'],
  claims: [
    {
      id: 'q1-waste',
      statement:
        'On mixed-length traffic (50 to 4000 tokens, mean 800, SD 600) contiguous allocation traps about 40% of KV memory in fragments; paging brings the waste below 1% (a ~40% efficiency gain).',
      sourceValue: '40% → <1%',
      measuredBy: 'paged-kv/simulate-seed-workload',
    },
    {
      id: 'q1-uniform-waste',
      statement: 'When every sequence is about 2000 tokens long, contiguous allocation wastes less than 5%.',
      sourceValue: '<5%',
      measuredBy: 'paged-kv/uniform-workload',
    },
    {
      id: 'q1-theoretical-capacity',
      statement: 'An 80 GB GPU has room for the KV cache of 100 sequences of 2K tokens each.',
      sourceValue: '100 sequences @ 2K tokens on 80GB',
      measuredBy: 'paged-kv/kv-bytes-per-token',
    },
    {
      id: 'q1-actual-sequences',
      statement: 'Under contiguous allocation only 40 of those 100 sequences actually fit, which the source calls 60% waste.',
      sourceValue: '40 sequences (60% waste)',
      measuredBy: 'paged-kv/simulate-seed-workload',
    },
    {
      id: 'q1-sequences',
      statement: 'Paging raises the number of concurrent sequences from 40 to 95, a 2.4× gain.',
      sourceValue: '40 → 95 sequences (2.4x)',
      measuredBy: 'paged-kv/simulate-seed-workload',
    },
    {
      id: 'q1-throughput',
      statement: 'Better allocation gives 2–3× higher throughput on the same hardware.',
      sourceValue: '2-3x throughput',
      measuredBy: 'paged-kv/simulate-seed-workload',
    },
    {
      id: 'q1-cost-per-token',
      statement: 'Cost per token drops from 10× the planned cost to 4.2×, a 58% reduction.',
      sourceValue: '10x → 4.2x (58% reduction)',
      measuredBy: 'paged-kv/simulate-seed-workload',
    },
    {
      id: 'q1-block-counts',
      statement: 'With 64-token blocks, sequences of 2000, 500 and 1800 tokens take 32, 8 and 29 blocks.',
      sourceValue: '32 / 8 / 29 blocks',
      measuredBy: 'paged-kv/blocks-per-sequence',
    },
    {
      id: 'q1-block-size',
      statement: 'vLLM found block sizes of 64 to 256 tokens to be the best balance of fragmentation and overhead.',
      sourceValue: '64-256 tokens',
      measuredBy: 'paged-kv/block-size-sweep',
    },
  ],
  pitfalls: [
    'The source contradicts itself: 40 of 100 planned sequences is 60% of the capacity lost, yet the same scenario is summed up as "40% waste" and a "~40% efficiency gain".',
    '"Below 1%" is optimistic for 64-token blocks: with on-demand paging the waste is the unfilled part of each last block, about (B − 1)/2 = 31.5 tokens, which is 3.9% of an 800-token mean. That matches the vLLM paper\'s "under 4%"; waste falls below 1% only with smaller blocks or longer sequences.',
    'vLLM\'s default block size is 16 tokens, the value its paper settled on; "64–256 tokens" is not what vLLM reports.',
    'The vLLM paper measured reservation-based servers storing actual tokens in only 20.4–38.2% of their KV memory, and a 2–4× throughput gain over FasterTransformer and Orca at equal latency; the source\'s 40%, "2-3×" and "40 → 95" come without a workload or a source.',
    '"100 sequences of 2K tokens on 80 GB" depends on a model the source never names. OPT-13B needs 2 · 40 · 5120 · 2 = 819200 bytes of KV cache per token, so 100 × 2048 tokens would take 167.8 GB, before its 26 GB of weights; a grouped-query model such as Llama-3-8B needs 131072 bytes per token and fits far more.',
    'Without waste, memory planned for 100 × 2048 tokens holds about 246 sequences of the stated 800-token mean (plus a 31.5-token tail each), not 95: "40 → 95" mixes the 2K-token capacity plan with the 800-token workload.',
    'Cost per token follows from throughput: 10 × 40 / 95 ≈ 4.2, so the "58% reduction" is the 2.4× restated, not a second result.',
    'More memory does let more sequences in; the argument is that the wasted fraction, and so the cost per useful token, does not improve.',
    'Fragmentation is one cause among several: also check decode batches kept small by the scheduler, long shared prompts recomputed for lack of prefix caching, and outputs much longer than planned.',
  ],
};
