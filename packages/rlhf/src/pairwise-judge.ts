import { describeError, enumOption, functionArg, got, numberOption, optionsObject } from './internal/args.js';

/** Which response a judge prefers: 0 = the first (`a`), 1 = the second (`b`), −1 = no preference (abstain or tie). */
export type Preference = 0 | 1 | -1;

/** What a {@link PairwiseJudge} answers. */
export interface JudgeVerdict {
  /** 0 = `a`, 1 = `b`, −1 = abstain. */
  preferred: Preference;
  /** How sure the judge is, in [0, 1]; default 1. Ignored when `preferred` is −1. */
  confidence?: number;
  /**
   * Set by composite judges: the share of the sub-verdicts (the two orders of {@link positionSwapJudge},
   * the members of {@link ensembleJudge}) that agree with this verdict, in [0, 1].
   */
  agreement?: number;
}

/**
 * An AI (or human) labeler: given a prompt and two responses, which is better? Model-agnostic: wrap any
 * LLM call, a reward model, a rule, or a human queue. `R` is the response type, `P` the prompt type.
 */
export type PairwiseJudge<R = string, P = string> = (prompt: P, a: R, b: R) => Promise<JudgeVerdict>;

/**
 * Raised when a judge (or an ensemble member) fails, after any retries: names the item or member and keeps
 * the last error as `cause`.
 *
 * @example
 * ```ts
 * import { JudgeError, labelPreferences, type PairwiseJudge } from '@prep/rlhf';
 * const down: PairwiseJudge = () => Promise.reject(new Error('HTTP 503'));
 * try {
 *   await labelPreferences([{ prompt: 'q', a: 'x', b: 'y' }], down, { retries: 1 });
 * } catch (err) {
 *   if (err instanceof JudgeError) console.log(err.index, err.attempts, err.cause); // 0 2 Error: HTTP 503
 * }
 * ```
 */
export class JudgeError extends Error {
  override readonly name = 'JudgeError';
  /** The item (labelPreferences) or ensemble member index the failure belongs to, when known. */
  readonly index: number | undefined;
  /** How many calls were made before giving up. */
  readonly attempts: number;

  constructor(message: string, options: { cause?: unknown; index?: number; attempts?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.index = options.index;
    this.attempts = options.attempts ?? 1;
  }
}

/** Checks a verdict a judge returned; returns it with a numeric confidence. */
export function checkVerdict(value: unknown, fn: string, who: string): Required<Pick<JudgeVerdict, 'preferred' | 'confidence'>> & JudgeVerdict {
  if (value === null || typeof value !== 'object') {
    throw new TypeError(`${fn}: ${who} must resolve to { preferred: 0 | 1 | -1, confidence? }; got ${got(value)}`);
  }
  const verdict = value as JudgeVerdict;
  if (verdict.preferred !== 0 && verdict.preferred !== 1 && verdict.preferred !== -1) {
    throw new RangeError(`${fn}: ${who} returned 'preferred' ${got(verdict.preferred)}; expected 0, 1 or -1`);
  }
  const confidence = verdict.confidence ?? 1;
  if (typeof confidence !== 'number' || !(confidence >= 0 && confidence <= 1)) {
    throw new RangeError(`${fn}: ${who} returned 'confidence' ${got(verdict.confidence)}; expected a number in [0, 1]`);
  }
  return { ...verdict, confidence };
}

/** +confidence for `a`, −confidence for `b`, 0 for abstain. */
function signedScore(verdict: { preferred: Preference; confidence: number }): number {
  if (verdict.preferred === -1) return 0;
  return verdict.preferred === 0 ? verdict.confidence : -verdict.confidence;
}

function fromSignedScore(score: number, agreement: number): JudgeVerdict {
  if (score === 0) return { preferred: -1, confidence: 0, agreement };
  return { preferred: score > 0 ? 0 : 1, confidence: Math.min(1, Math.abs(score)), agreement };
}

/** Options of {@link positionSwapJudge}. */
export interface PositionSwapJudgeOptions {
  /**
   * What to do when the two orders disagree. `'abstain'` (default; MT-Bench's convention: an inconsistent
   * pair is a tie) answers −1. `'average'` (the RLAIF paper's convention: average both orders) answers the
   * side with the larger mean signed confidence, with confidence |c₁ − c₂|/2, which is lower than either.
   */
  onDisagreement?: 'abstain' | 'average';
}

/**
 * Debiases a judge against position bias: asks (a, b) and (b, a) concurrently and maps the second answer
 * back. When both orders pick the same response the verdict is that response with the mean confidence and
 * `agreement` 1; otherwise see {@link PositionSwapJudgeOptions.onDisagreement} (`agreement` 0). Both orders
 * abstaining gives an abstention with `agreement` 1. Position swap removes a bias towards a slot; it does
 * not remove a bias both orders share (such as preferring the longer answer).
 *
 * @param judge - the judge to wrap
 * @param options - `onDisagreement` (see {@link PositionSwapJudgeOptions})
 * @returns a judge that makes two calls per comparison
 * @throws TypeError when `judge` is not a function or an option has the wrong kind; RangeError for an
 *   unknown `onDisagreement`. The returned judge rejects with the wrapped judge's error, or with a
 *   TypeError/RangeError naming `positionSwapJudge` when the wrapped judge returns a malformed verdict.
 * @example
 * ```ts
 * import { positionSwapJudge, type PairwiseJudge } from '@prep/rlhf';
 * const alwaysFirst: PairwiseJudge = async () => ({ preferred: 0 }); // pure position bias
 * const fair = positionSwapJudge(alwaysFirst);
 * await fair('q', 'x', 'y'); // { preferred: -1, confidence: 0, agreement: 0 }
 * ```
 */
export function positionSwapJudge<R, P>(judge: PairwiseJudge<R, P>, options?: PositionSwapJudgeOptions): PairwiseJudge<R, P> {
  const fn = 'positionSwapJudge';
  const inner = functionArg<PairwiseJudge<R, P>>(judge, fn, 'judge');
  const opts = optionsObject<PositionSwapJudgeOptions>(options, fn);
  const onDisagreement = enumOption(opts.onDisagreement, fn, 'options.onDisagreement', ['abstain', 'average'] as const, 'abstain');
  return async (prompt: P, a: R, b: R): Promise<JudgeVerdict> => {
    const [first, second] = await Promise.all([inner(prompt, a, b), inner(prompt, b, a)]);
    const forward = checkVerdict(first, fn, "the judge's (a, b) call");
    const swapped = checkVerdict(second, fn, "the judge's (b, a) call");
    const s1 = signedScore(forward);
    const s2 = -signedScore(swapped); // back in (a, b) orientation
    const samePick = forward.preferred === (swapped.preferred === -1 ? -1 : 1 - swapped.preferred);
    if (samePick) return fromSignedScore((s1 + s2) / 2, 1);
    if (onDisagreement === 'abstain') return { preferred: -1, confidence: 0, agreement: 0 };
    return fromSignedScore((s1 + s2) / 2, 0);
  };
}

/** Options of {@link ensembleJudge}. */
export interface EnsembleJudgeOptions {
  /**
   * `'majority'` (default): the response with more votes wins (a tie abstains), confidence = winner's votes /
   * members that answered. `'mean'`: the sign of the mean signed confidence (+c for `a`, −c for `b`, 0 for
   * abstain) wins, confidence = its magnitude.
   */
  aggregate?: 'majority' | 'mean';
  /**
   * Failure policy when members throw. `'throw'`: any member failure rejects with a {@link JudgeError}.
   * `'skip'` (default): failed members are left out; fewer than `quorum` answers rejects with a JudgeError.
   * `'abstain'`: failed members are left out; fewer than `quorum` answers gives an abstention.
   */
  onFailure?: 'throw' | 'skip' | 'abstain';
  /** Members that must answer, 1..n; default a majority, ⌊n/2⌋ + 1. */
  quorum?: number;
}

/**
 * Combines several judges (different models, prompts or seeds) into one: all members are asked
 * concurrently and their verdicts aggregated by majority vote or mean confidence. `agreement` is the share of
 * answering members whose verdict matches the final one: a direct measure of inter-judge agreement.
 * An ensemble averages out idiosyncratic noise; a bias every member shares passes through.
 *
 * @param judges - at least one judge
 * @param options - `aggregate`, `onFailure`, `quorum` (see {@link EnsembleJudgeOptions})
 * @returns a judge that calls every member once per comparison
 * @throws TypeError when `judges` is not an array of functions or an option has the wrong kind; RangeError
 *   for an empty list, an unknown mode or a quorum outside 1..n. The returned judge rejects with a
 *   {@link JudgeError} per the failure policy.
 * @example
 * ```ts
 * import { ensembleJudge, type PairwiseJudge } from '@prep/rlhf';
 * const a: PairwiseJudge = async () => ({ preferred: 0, confidence: 0.9 });
 * const b: PairwiseJudge = async () => ({ preferred: 0, confidence: 0.6 });
 * const c: PairwiseJudge = async () => ({ preferred: 1, confidence: 0.8 });
 * await ensembleJudge([a, b, c])('q', 'x', 'y'); // { preferred: 0, confidence: 2/3, agreement: 2/3 }
 * ```
 */
export function ensembleJudge<R, P>(judges: readonly PairwiseJudge<R, P>[], options?: EnsembleJudgeOptions): PairwiseJudge<R, P> {
  const fn = 'ensembleJudge';
  if (!Array.isArray(judges)) throw new TypeError(`${fn}: 'judges' must be an array of judge functions; got ${got(judges)}`);
  if (judges.length === 0) throw new RangeError(`${fn}: 'judges' must hold at least one judge; got an empty array`);
  const members: PairwiseJudge<R, P>[] = (judges as readonly unknown[]).map((j, i) => functionArg<PairwiseJudge<R, P>>(j, fn, `judges[${i}]`));
  const opts = optionsObject<EnsembleJudgeOptions>(options, fn);
  const aggregate = enumOption(opts.aggregate, fn, 'options.aggregate', ['majority', 'mean'] as const, 'majority');
  const onFailure = enumOption(opts.onFailure, fn, 'options.onFailure', ['throw', 'skip', 'abstain'] as const, 'skip');
  const quorum = numberOption(opts.quorum, fn, 'options.quorum', Math.floor(members.length / 2) + 1, {
    integer: true,
    min: 1,
    max: members.length,
  });
  return async (prompt: P, a: R, b: R): Promise<JudgeVerdict> => {
    const settled = await Promise.allSettled(members.map((judge) => judge(prompt, a, b)));
    const verdicts: { preferred: Preference; confidence: number }[] = [];
    let failures = 0;
    let firstFailure = null as { index: number; reason: unknown } | null;
    for (const [index, outcome] of settled.entries()) {
      if (outcome.status === 'fulfilled') {
        verdicts.push(checkVerdict(outcome.value, fn, `judges[${index}]`));
      } else {
        failures++;
        firstFailure ??= { index, reason: outcome.reason as unknown };
      }
    }
    if (firstFailure && onFailure === 'throw') {
      const { index, reason } = firstFailure;
      throw new JudgeError(`${fn}: judges[${index}] failed: ${describeError(reason)}`, { cause: reason, index });
    }
    if (verdicts.length < quorum) {
      if (onFailure === 'abstain') return { preferred: -1, confidence: 0, agreement: 0 };
      const reason = firstFailure?.reason;
      throw new JudgeError(
        `${fn}: only ${verdicts.length} of ${members.length} judges answered (quorum ${quorum}); ${failures} failed` +
          (reason === undefined ? '' : `, first: ${describeError(reason)}`),
        { cause: reason, ...(firstFailure ? { index: firstFailure.index } : {}) },
      );
    }
    let result: JudgeVerdict;
    if (aggregate === 'majority') {
      const forA = verdicts.filter((v) => v.preferred === 0).length;
      const forB = verdicts.filter((v) => v.preferred === 1).length;
      if (forA === forB) result = { preferred: -1, confidence: 0 };
      else result = { preferred: forA > forB ? 0 : 1, confidence: Math.max(forA, forB) / verdicts.length };
    } else {
      const mean = verdicts.reduce((sum, v) => sum + signedScore(v), 0) / verdicts.length;
      result = fromSignedScore(mean, 0);
    }
    const agreeing = verdicts.filter((v) => v.preferred === result.preferred).length;
    return { ...result, agreement: agreeing / verdicts.length };
  };
}
