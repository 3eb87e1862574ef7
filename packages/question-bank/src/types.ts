/**
 * One numeric (or otherwise checkable) claim that the source text makes, tied to the measurement that
 * will check it.
 *
 * The source's figure is kept as text in {@link Claim.sourceValue}, exactly as the source gives it, so a
 * reader can see what was claimed; the measured value and the verdict are not stored here: the `claims`
 * task of the monorepo computes them with the `@prep` packages and writes them to `claims.json`.
 *
 * @example
 * ```ts
 * import { getQuestion, type Claim } from '@prep/question-bank';
 *
 * const waste: Claim | undefined = getQuestion(1).claims.find((c) => c.id === 'q1-waste');
 * console.log(waste?.sourceValue); // '40% → <1%'
 * ```
 */
export interface Claim {
  /** Stable id, `q<question>-<topic>` (matches `/^q\d+-[a-z0-9-]+$/`), e.g. `'q1-waste'`. */
  id: string;
  /** What the source asserts, in our words. */
  statement: string;
  /** The source's figure as the source writes it (text, units included), e.g. `'40% → <1%'`. */
  sourceValue: string;
  /**
   * The id of the measurement that computes it, `'<package>/<measurement>'` (listed once in
   * `measurements`), or `'not-measurable'` for a claim that needs the real system (ImageNet accuracy,
   * production prices, a lab's internal practice).
   */
  measuredBy: string;
}

/**
 * One of the ten interview questions, rewritten in our own words and tied to the packages that make it
 * concrete.
 *
 * Instances exported by this package are deeply frozen: copy before editing.
 *
 * @example
 * ```ts
 * import { getQuestion, type Question } from '@prep/question-bank';
 *
 * const q: Question = getQuestion('mixture-of-experts');
 * console.log(q.id, q.difficulty, q.packages); // 4 'Very High' ['@prep/moe']
 * ```
 */
export interface Question {
  /** Position in the source, 1..10. */
  id: number;
  /** URL-safe name, e.g. `'kv-cache-fragmentation'`. */
  slug: string;
  /** Short title in our words. */
  title: string;
  /** The difficulty the source assigns. */
  difficulty: 'Medium' | 'High' | 'Very High';
  /** The roles the source says the question is asked for. */
  roles: string[];
  /** The topic line of the source. */
  topic: string;
  /** The interview round the source names. */
  round: string;
  /** The research area the source names. */
  researchArea: string;
  /** The interview question, paraphrased. */
  prompt: string;
  /** Our answer in one paragraph. */
  summary: string;
  /** The ideas a strong answer contains, one sentence each. */
  keyIdeas: string[];
  /** The formulas of the answer as LaTeX (KaTeX-compatible, display style, no surrounding `$`). */
  formulas: string[];
  /** The `@prep` packages that implement the question's concepts, e.g. `['@prep/paged-kv']`. */
  packages: string[];
  /** Every numeric claim of the source for this question. */
  claims: Claim[];
  /** Traps in answering, including the places where the source itself is wrong or unsourced. */
  pitfalls: string[];
}

/**
 * One measurement that the monorepo's `claims` task must implement: computed with the named package,
 * never typed in. Several claims may share one measurement.
 *
 * @example
 * ```ts
 * import { measurements, type Measurement } from '@prep/question-bank';
 *
 * const m: Measurement | undefined = measurements.find((x) => x.id === 'stats/fwer');
 * console.log(m?.package); // '@prep/stats'
 * ```
 */
export interface Measurement {
  /** `'<package>/<measurement>'`, where `<package>` is the package name without the `@prep/` scope. */
  id: string;
  /** The npm name of the package that computes it, e.g. `'@prep/paged-kv'`. */
  package: string;
  /** One line: what must be computed, with the inputs it takes from the source. */
  description: string;
}
