import { JudgeError, checkVerdict, type PairwiseJudge, type Preference } from './pairwise-judge.js';
import { delay, runPool, throwIfAborted } from './internal/pool.js';
import { callbackOption, describeError, functionArg, got, numberOption, optionsObject, signalOption } from './internal/args.js';

/** One comparison to label. */
export interface PreferenceItem<R = string, P = string> {
  prompt: P;
  /** First response (slot 0). */
  a: R;
  /** Second response (slot 1). */
  b: R;
  /** Optional known-good label (0 = `a`, 1 = `b`), e.g. a human label, to measure the judge's agreement with it. */
  reference?: 0 | 1;
}

/** A labeled pair, ready for a reward model (Bradley-Terry) or DPO. */
export interface PreferencePair<R = string, P = string> {
  /** Position of the item in the input list. */
  index: number;
  prompt: P;
  chosen: R;
  rejected: R;
  /** The judge's confidence in [0, 1]. */
  confidence: number;
}

/** Progress of {@link labelPreferences}, reported after every item. */
export interface LabelProgress {
  done: number;
  total: number;
  labeled: number;
  abstained: number;
}

/** Options of {@link labelPreferences}. */
export interface LabelPreferencesOptions {
  /** Keep only verdicts with confidence ≥ this, in [0, 1]; default 0 (keep every non-abstaining verdict). */
  minConfidence?: number;
  /** Judge calls in flight at once, ≥ 1; default 4. */
  concurrency?: number;
  /** Extra attempts after a judge call throws, ≥ 0; default 2. */
  retries?: number;
  /** Wait before each retry, in milliseconds, doubled after every failed retry; default 0. */
  retryDelayMs?: number;
  /** Aborts the run: the promise rejects with the signal's reason and no new judge call starts. */
  signal?: AbortSignal;
  /** Called after every item. */
  onProgress?: (progress: LabelProgress) => void;
}

/** Agreement and abstention statistics of a labeling run. */
export interface LabelStats {
  /** Items given. */
  total: number;
  /** Items that became pairs. */
  labeled: number;
  /** Items the judge abstained on (preferred −1). */
  abstained: number;
  /** Items with a verdict below `minConfidence`. */
  belowConfidence: number;
  /** (abstained + belowConfidence) / total; 0 for no items. */
  abstentionRate: number;
  /** Mean confidence of the kept pairs; null when none was kept. */
  meanConfidence: number | null;
  /**
   * Mean `agreement` over the verdicts that report one (position-swap consistency, inter-judge agreement of
   * an ensemble); null when the judge reports none.
   */
  meanAgreement: number | null;
  /** Items with a `reference` label that were kept. */
  referenceCount: number;
  /** Share of those where the judge chose the reference's response; null when none. */
  referenceAgreement: number | null;
}

/** Result of {@link labelPreferences}. */
export interface LabelPreferencesResult<R = string, P = string> {
  /** Kept pairs in input order. */
  pairs: PreferencePair<R, P>[];
  stats: LabelStats;
  /** The final verdict per item in input order (preferred, confidence), including abstentions. */
  verdicts: { preferred: Preference; confidence: number; agreement?: number }[];
}

const FN = 'labelPreferences';

/**
 * Labels comparisons with a judge (RLAIF): turns `{ prompt, a, b }` items into chosen/rejected pairs,
 * dropping abstentions and verdicts below `minConfidence`, and reports agreement and abstention statistics.
 *
 * Calls run with bounded concurrency. A call that throws is retried up to `retries` times (with an optional
 * doubling delay); when it still fails the whole run rejects with a {@link JudgeError} naming the item and
 * carrying the last error as `cause`, and no new call starts. A malformed verdict rejects at once with a
 * TypeError/RangeError. Nothing is mutated: the items are read, never changed.
 *
 * @param items - the comparisons (see {@link PreferenceItem})
 * @param judge - any {@link PairwiseJudge}, e.g. a {@link positionSwapJudge} over an {@link ensembleJudge}
 * @param options - `minConfidence`, `concurrency`, `retries`, `retryDelayMs`, `signal`, `onProgress`
 * @returns `{ pairs, stats, verdicts }`
 * @throws TypeError when an argument has the wrong kind; RangeError for an out-of-range option (thrown
 *   synchronously). The promise rejects with {@link JudgeError} when the judge keeps failing and with the
 *   abort reason when `signal` aborts.
 * @example
 * ```ts
 * import { labelPreferences, type PairwiseJudge } from '@prep/rlhf';
 * const prefersShorter: PairwiseJudge = async (_p, a, b) =>
 *   a.length === b.length ? { preferred: -1 } : { preferred: a.length < b.length ? 0 : 1, confidence: 0.8 };
 * const { pairs, stats } = await labelPreferences(
 *   [{ prompt: 'hi', a: 'hello', b: 'hello there' }, { prompt: 'hi', a: 'yo', b: 'ok' }],
 *   prefersShorter,
 *   { minConfidence: 0.5 },
 * );
 * pairs[0]?.chosen; // 'hello'
 * stats.abstained;  // 1
 * ```
 */
export function labelPreferences<R, P>(
  items: readonly PreferenceItem<R, P>[],
  judge: PairwiseJudge<R, P>,
  options?: LabelPreferencesOptions,
): Promise<LabelPreferencesResult<R, P>> {
  if (!Array.isArray(items)) throw new TypeError(`${FN}: 'items' must be an array of { prompt, a, b }; got ${got(items)}`);
  items.forEach((item: unknown, i) => {
    if (item === null || typeof item !== 'object' || !('a' in item) || !('b' in item) || !('prompt' in item)) {
      throw new TypeError(`${FN}: 'items[${i}]' must be an object { prompt, a, b }; got ${got(item)}`);
    }
    const reference = (item as PreferenceItem<R, P>).reference;
    if (reference !== undefined && reference !== 0 && reference !== 1) {
      throw new RangeError(`${FN}: 'items[${i}].reference' must be 0 or 1; got ${got(reference)}`);
    }
  });
  const callJudge = functionArg<PairwiseJudge<R, P>>(judge, FN, 'judge');
  const opts = optionsObject<LabelPreferencesOptions>(options, FN);
  const minConfidence = numberOption(opts.minConfidence, FN, 'options.minConfidence', 0, { min: 0, max: 1 });
  const concurrency = numberOption(opts.concurrency, FN, 'options.concurrency', 4, { integer: true, min: 1 });
  const retries = numberOption(opts.retries, FN, 'options.retries', 2, { integer: true, min: 0 });
  const retryDelayMs = numberOption(opts.retryDelayMs, FN, 'options.retryDelayMs', 0, { min: 0 });
  const signal = signalOption(opts.signal, FN);
  const onProgress = callbackOption<(p: LabelProgress) => void>(opts.onProgress, FN, 'options.onProgress');
  const list: PreferenceItem<R, P>[] = (items as readonly PreferenceItem<R, P>[]).slice();

  const verdicts: LabelPreferencesResult<R, P>['verdicts'] = new Array<LabelPreferencesResult<R, P>['verdicts'][number]>(list.length);
  let done = 0;
  let labeled = 0;
  let abstained = 0;

  const labelOne = async (index: number): Promise<void> => {
    const item = list[index]!;
    let lastError: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      throwIfAborted(signal);
      if (attempt > 0) await delay(retryDelayMs * 2 ** (attempt - 1), signal);
      let answer: unknown;
      try {
        answer = await callJudge(item.prompt, item.a, item.b);
      } catch (err) {
        lastError = err;
        continue;
      }
      const verdict = checkVerdict(answer, FN, 'the judge');
      verdicts[index] = {
        preferred: verdict.preferred,
        confidence: verdict.confidence,
        ...(verdict.agreement === undefined ? {} : { agreement: verdict.agreement }),
      };
      done++;
      if (verdict.preferred === -1) abstained++;
      else if (verdict.confidence >= minConfidence) labeled++;
      onProgress?.({ done, total: list.length, labeled, abstained });
      return;
    }
    const detail = describeError(lastError);
    throw new JudgeError(`${FN}: the judge failed on item ${index} after ${retries + 1} attempt(s): ${detail}`, {
      cause: lastError,
      index,
      attempts: retries + 1,
    });
  };

  return runPool(list.length, concurrency, labelOne, signal).then(() => summarize(list, verdicts, minConfidence));
}

function summarize<R, P>(
  items: readonly PreferenceItem<R, P>[],
  verdicts: LabelPreferencesResult<R, P>['verdicts'],
  minConfidence: number,
): LabelPreferencesResult<R, P> {
  const pairs: PreferencePair<R, P>[] = [];
  let abstained = 0;
  let belowConfidence = 0;
  let confidenceSum = 0;
  let agreementSum = 0;
  let agreementCount = 0;
  let referenceCount = 0;
  let referenceHits = 0;
  verdicts.forEach((verdict, index) => {
    const item = items[index]!;
    if (verdict.agreement !== undefined) {
      agreementSum += verdict.agreement;
      agreementCount++;
    }
    if (verdict.preferred === -1) {
      abstained++;
      return;
    }
    if (verdict.confidence < minConfidence) {
      belowConfidence++;
      return;
    }
    const aWins = verdict.preferred === 0;
    pairs.push({
      index,
      prompt: item.prompt,
      chosen: aWins ? item.a : item.b,
      rejected: aWins ? item.b : item.a,
      confidence: verdict.confidence,
    });
    confidenceSum += verdict.confidence;
    if (item.reference !== undefined) {
      referenceCount++;
      if (item.reference === verdict.preferred) referenceHits++;
    }
  });
  const total = items.length;
  return {
    pairs,
    verdicts,
    stats: {
      total,
      labeled: pairs.length,
      abstained,
      belowConfidence,
      abstentionRate: total === 0 ? 0 : (abstained + belowConfidence) / total,
      meanConfidence: pairs.length === 0 ? null : confidenceSum / pairs.length,
      meanAgreement: agreementCount === 0 ? null : agreementSum / agreementCount,
      referenceCount,
      referenceAgreement: referenceCount === 0 ? null : referenceHits / referenceCount,
    },
  };
}
