import { deepFreeze } from './internal/deep-freeze.js';
import { attentionComplexity } from './questions/attention-complexity.js';
import { clipContrastive } from './questions/clip-contrastive.js';
import { constitutionalAi } from './questions/constitutional-ai.js';
import { experimentalDesign } from './questions/experimental-design.js';
import { informationBottleneck } from './questions/information-bottleneck.js';
import { kvCacheFragmentation } from './questions/kv-cache-fragmentation.js';
import { mixtureOfExperts } from './questions/mixture-of-experts.js';
import { researchImpact } from './questions/research-impact.js';
import { rlhfObjective } from './questions/rlhf-objective.js';
import { rlhfVsRlaif } from './questions/rlhf-vs-rlaif.js';
import type { Question } from './types.js';

/**
 * The ten interview questions in source order (`questions[i].id === i + 1`), in our own words, each with
 * its key ideas, LaTeX formulas, the `@prep` packages that make it concrete, every numeric claim of the
 * source (with the measurement that checks it) and the pitfalls, including where the source is wrong.
 *
 * Slugs, in order: `kv-cache-fragmentation`, `rlhf-objective`, `attention-complexity`,
 * `mixture-of-experts`, `information-bottleneck`, `research-impact`, `constitutional-ai`,
 * `clip-contrastive`, `rlhf-vs-rlaif`, `experimental-design`.
 *
 * The array and everything in it are frozen: copy before editing.
 *
 * @example
 * ```ts
 * import { questions } from '@prep/question-bank';
 *
 * for (const q of questions) console.log(`${q.id}. ${q.title} (${q.packages.join(', ')})`);
 * const claimCount = questions.reduce((n, q) => n + q.claims.length, 0); // every numeric claim of the source
 * ```
 */
export const questions: readonly Question[] = /* @__PURE__ */ deepFreeze([
  kvCacheFragmentation,
  rlhfObjective,
  attentionComplexity,
  mixtureOfExperts,
  informationBottleneck,
  researchImpact,
  constitutionalAi,
  clipContrastive,
  rlhfVsRlaif,
  experimentalDesign,
]);
