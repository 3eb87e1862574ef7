import { adjustValidated, type PValueAdjustment } from './adjust-p-values.js';
import { alternativeOption, booleanOption, finiteArray, got, oneOf, openUnitOption, optionsObject } from './internal/validate.js';
import { familywiseErrorRate } from './familywise-error-rate.js';
import { tTestFromMoments, twoSampleMoments, type Alternative } from './t-test.js';
import { sumSquaredDeviations } from './variance.js';
import { signedRankFromDifferences } from './wilcoxon-signed-rank.js';

/** Options of {@link experimentReport}. */
export interface ExperimentReportOptions {
  /**
   * The method (or methods) every other method is compared with. A single name compares each other
   * method against it; a list compares each remaining method against every listed one (the "one new
   * method, four baselines" layout). Each comparison is one test of the family that is corrected.
   */
  baseline: string | readonly string[];
  /**
   * Whether seed i of every method is paired (same data order, split or initialization). Paired uses the
   * paired t-test (or Wilcoxon) on per-seed differences and Cohen's d_z; unpaired uses Welch's t-test and
   * Cohen's d. Default false.
   */
  paired?: boolean;
  /** 't' (default) or 'wilcoxon' (signed-rank, paired only; exact when possible). */
  test?: 't' | 'wilcoxon';
  /** Multiple-comparison correction across the comparisons. Default 'holm' (FWER, uniformly better than Bonferroni). */
  correction?: PValueAdjustment;
  /** Family-wise significance level, in (0, 1). Default 0.05. */
  alpha?: number;
  /** Confidence level of every interval, in (0, 1). Default 0.95. */
  confidence?: number;
  /** Alternative for method − baseline. Default 'two-sided'. */
  alternative?: Alternative;
  /** Whether a larger score is better (accuracy) or worse (loss, perplexity). Sets the verdict words. Default true. */
  higherIsBetter?: boolean;
}

/** Per-method summary over seeds. */
export interface MethodSummary {
  name: string;
  /** Number of seeds (runs). */
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1). */
  sd: number;
  /** t-based confidence interval for the mean. */
  ci: [number, number];
}

/** One method compared with one baseline. */
export interface Comparison {
  method: string;
  baseline: string;
  /** mean(method − baseline) when paired, else mean(method) − mean(baseline). */
  difference: number;
  /** t-based confidence interval for `difference` (paired t or Welch), whatever test gives the p-value. */
  ci: [number, number];
  /** The test behind `pValue`. */
  test: 'paired t-test' | 'Welch t-test' | 'Wilcoxon signed-rank';
  /** t, or the Wilcoxon statistic. */
  statistic: number;
  /** Degrees of freedom of the t-test; null for Wilcoxon. */
  df: number | null;
  /** Raw p-value of this comparison. */
  pValue: number;
  /** p-value after the correction across all comparisons. */
  adjustedPValue: number;
  /** Cohen's d_z (paired) or Cohen's d with the pooled SD (unpaired). */
  effectSize: { name: 'd_z' | 'd'; value: number };
  /** adjustedPValue ≤ alpha (statsmodels' `multipletests` convention). */
  significant: boolean;
  /** 'better' / 'worse' when significant (by `higherIsBetter`), else 'inconclusive'. */
  verdict: 'better' | 'worse' | 'inconclusive';
}

/** The result of {@link experimentReport}: plain JSON, ready for a table or a chart. */
export interface ExperimentReport {
  baselines: string[];
  paired: boolean;
  test: 't' | 'wilcoxon';
  correction: PValueAdjustment;
  alpha: number;
  confidence: number;
  alternative: Alternative;
  higherIsBetter: boolean;
  /** Number of comparisons m: the size of the corrected family. */
  tests: number;
  /** 1 − (1 − alpha)^m: the chance of at least one false "win" had the p-values not been corrected. */
  uncorrectedFamilywiseErrorRate: number;
  /** Every method, in the input's order. */
  methods: MethodSummary[];
  /** Every (method, baseline) comparison, methods in input order, baselines in the given order. */
  comparisons: Comparison[];
  /** Warnings a reader should see (too few seeds for the test, unequal seeds, zero variance). */
  notes: string[];
}

const FN = 'experimentReport';
const CORRECTIONS: readonly PValueAdjustment[] = ['bonferroni', 'holm', 'hochberg', 'bh', 'by', 'none'];

function baselineList(value: unknown, names: readonly string[]): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string')) {
    throw new TypeError(`${FN}: 'options.baseline' must be a method name or a non-empty list of names; got ${got(value)}`);
  }
  for (const name of list as string[]) {
    if (!names.includes(name)) {
      throw new RangeError(`${FN}: 'options.baseline' must name a method of 'results' (${names.map((n) => `'${n}'`).join(', ')}); got '${name}'`);
    }
  }
  if (new Set(list).size === names.length) {
    throw new RangeError(`${FN}: 'options.baseline' must leave at least one method to compare; got every method`);
  }
  return [...new Set(list as string[])];
}

/**
 * The question-10 protocol in one call: for per-seed scores of several methods, the mean of each with
 * its confidence interval, and for every method against the baseline(s) the difference with its
 * interval, the test used, the raw and corrected p-values, the effect size, and whether it survives the
 * correction. Render it with {@link formatExperimentReport}.
 *
 * @param results - method name → one score per seed (at least 2 seeds each; equal counts when `paired`)
 * @param options - `baseline` (required), `paired`, `test`, `correction`, `alpha`, `confidence`,
 *   `alternative`, `higherIsBetter`; see {@link ExperimentReportOptions}
 * @returns an {@link ExperimentReport}
 * @throws TypeError for a non-object `results`, non-numeric scores or wrong option kinds; RangeError for
 *   fewer than 2 methods or 2 seeds, NaN/±Infinity scores, unequal seed counts when paired, an unknown
 *   baseline, 'wilcoxon' without `paired`, or bad option values
 * @example
 * ```ts
 * import { experimentReport, formatExperimentReport } from '@prep/stats';
 * const report = experimentReport(
 *   { ours: [92.1, 91.8, 92.3, 91.9, 92.0], adamw: [91.6, 91.5, 91.9, 91.4, 91.7] },
 *   { baseline: 'adamw', paired: true },
 * );
 * report.comparisons[0].pValue;      // ≈ 0.0009 (paired t-test, one comparison: no correction bites)
 * report.comparisons[0].significant; // true
 * console.log(formatExperimentReport(report));
 * ```
 */
export function experimentReport(results: Record<string, readonly number[]>, options: ExperimentReportOptions): ExperimentReport {
  if (results === null || typeof results !== 'object' || Array.isArray(results)) {
    throw new TypeError(`${FN}: 'results' must be an object of method name → scores; got ${got(results)}`);
  }
  if (options === undefined) throw new TypeError(`${FN}: 'options' must be an object with a 'baseline'; got undefined`);
  const opts = optionsObject<ExperimentReportOptions>(options, FN);
  const names = Object.keys(results);
  if (names.length < 2) throw new RangeError(`${FN}: 'results' must hold at least 2 methods; got ${names.length}`);
  const baselines = baselineList(opts.baseline, names);
  const paired = booleanOption(opts.paired, false, FN, 'options.paired');
  const test = opts.test === undefined ? 't' : oneOf(opts.test, ['t', 'wilcoxon'] as const, FN, 'options.test');
  if (test === 'wilcoxon' && !paired) {
    throw new RangeError(`${FN}: 'options.test' 'wilcoxon' is the signed-rank test and needs paired: true; got paired: false`);
  }
  const correction = opts.correction === undefined ? 'holm' : oneOf(opts.correction, CORRECTIONS, FN, 'options.correction');
  const alpha = openUnitOption(opts.alpha, 0.05, FN, 'options.alpha');
  const confidence = openUnitOption(opts.confidence, 0.95, FN, 'options.confidence');
  const alternative = alternativeOption(opts.alternative, FN);
  const higherIsBetter = booleanOption(opts.higherIsBetter, true, FN, 'options.higherIsBetter');

  const samples = new Map<string, Float64Array>();
  for (const name of names) samples.set(name, finiteArray(results[name], FN, `results.${name}`, 2));
  if (paired) {
    const first = samples.get(names[0] as string) as Float64Array;
    for (const name of names) {
      const length = (samples.get(name) as Float64Array).length;
      if (length !== first.length) {
        throw new RangeError(`${FN}: 'results.${name}' must have one score per seed like '${names[0]}' when paired; got ${length} and ${first.length}`);
      }
    }
  }

  const notes: string[] = [];
  const methods: MethodSummary[] = names.map((name) => {
    const values = samples.get(name) as Float64Array;
    const n = values.length;
    const { mean, m2 } = sumSquaredDeviations(values);
    const sd = Math.sqrt(m2 / (n - 1));
    const { ci } = tTestFromMoments(mean, 0, sd / Math.sqrt(n), n - 1, 'two-sided', confidence);
    if (sd === 0) notes.push(`'${name}' has the same score on every seed (zero variance): its interval has zero width.`);
    return { name, n, mean, sd, ci };
  });

  const pairs: [string, string][] = [];
  for (const name of names) if (!baselines.includes(name)) for (const base of baselines) pairs.push([name, base]);
  const raw = pairs.map(([name, base]) => compare(samples.get(name) as Float64Array, samples.get(base) as Float64Array, paired, test, alternative, confidence));
  const adjusted = adjustValidated(Float64Array.from(raw, (r) => (Number.isNaN(r.pValue) ? 1 : r.pValue)), correction);
  const comparisons: Comparison[] = pairs.map(([method, baseline], i) => {
    const r = raw[i] as RawComparison;
    const adjustedPValue = Number.isNaN(r.pValue) ? NaN : (adjusted[i] as number);
    const significant = adjustedPValue <= alpha;
    const up = r.difference > 0 === higherIsBetter;
    return { method, baseline, ...r, adjustedPValue, significant, verdict: significant ? (up ? 'better' : 'worse') : 'inconclusive' };
  });

  const n = Math.min(...methods.map((m) => m.n));
  if (test === 'wilcoxon' && 2 / 2 ** n > alpha && alternative === 'two-sided') {
    notes.push(
      `With ${n} paired seeds the exact two-sided Wilcoxon p-value cannot go below ${2 / 2 ** n}, above alpha = ${alpha}; ` +
        'comparisons with tied or zero differences use the normal approximation, which is rough at this n.',
    );
  }
  if (pairs.length > 1 && correction === 'none') {
    notes.push(`${pairs.length} uncorrected tests at alpha = ${alpha} have a family-wise error rate of ${familywiseErrorRate(alpha, pairs.length).toFixed(3)}.`);
  }
  return {
    baselines,
    paired,
    test,
    correction,
    alpha,
    confidence,
    alternative,
    higherIsBetter,
    tests: pairs.length,
    uncorrectedFamilywiseErrorRate: familywiseErrorRate(alpha, pairs.length),
    methods,
    comparisons,
    notes,
  };
}

type RawComparison = Pick<Comparison, 'difference' | 'ci' | 'test' | 'statistic' | 'df' | 'pValue' | 'effectSize'>;

function compare(x: Float64Array, y: Float64Array, paired: boolean, test: 't' | 'wilcoxon', alternative: Alternative, confidence: number): RawComparison {
  if (paired) {
    const d = new Float64Array(x.length);
    for (let i = 0; i < d.length; i++) d[i] = (x[i] as number) - (y[i] as number);
    const { mean, m2 } = sumSquaredDeviations(d);
    const sd = Math.sqrt(m2 / (d.length - 1));
    const t = tTestFromMoments(mean, 0, sd / Math.sqrt(d.length), d.length - 1, alternative, confidence);
    const effectSize = { name: 'd_z' as const, value: mean / sd };
    if (test === 'wilcoxon') {
      const w = signedRankFromDifferences(d, alternative, 'wilcox', false, 'auto');
      return { difference: mean, ci: t.ci, test: 'Wilcoxon signed-rank', statistic: w.statistic, df: null, pValue: w.pValue, effectSize };
    }
    return { difference: mean, ci: t.ci, test: 'paired t-test', statistic: t.statistic, df: t.df, pValue: t.pValue, effectSize };
  }
  const { difference, m2x, m2y } = twoSampleMoments(x, y);
  const vx = m2x / (x.length - 1) / x.length;
  const vy = m2y / (y.length - 1) / y.length;
  const df = ((vx + vy) * (vx + vy)) / ((vx * vx) / (x.length - 1) + (vy * vy) / (y.length - 1));
  const t = tTestFromMoments(difference, 0, Math.sqrt(vx + vy), df, alternative, confidence);
  const pooledSd = Math.sqrt((m2x + m2y) / (x.length + y.length - 2));
  return {
    difference: t.estimate,
    ci: t.ci,
    test: 'Welch t-test',
    statistic: t.statistic,
    df: t.df,
    pValue: t.pValue,
    effectSize: { name: 'd', value: t.estimate / pooledSd },
  };
}

/** Options of {@link formatExperimentReport}. */
export interface FormatReportOptions {
  /** 'markdown' (default, a GitHub table) or 'text' (aligned columns for a terminal). */
  format?: 'markdown' | 'text';
  /** Decimals for means, differences and intervals. Default: enough to show the smallest SD to 2 digits. */
  decimals?: number;
}

function formatP(p: number): string {
  if (Number.isNaN(p)) return 'NaN';
  if (p < 0.0001) return p.toExponential(1);
  return p < 0.001 ? p.toFixed(4) : p.toFixed(3);
}

/**
 * Renders an {@link ExperimentReport} as a table, one row per method: mean and CI; for each comparison
 * the difference with its CI, the raw and corrected p-values, the effect size and the verdict; then the
 * notes. Markdown for READMEs and papers' appendices, text for terminals and logs.
 *
 * @param report - the result of {@link experimentReport}
 * @param options - `format` ('markdown' | 'text'), `decimals`
 * @returns the table as a string (lines joined by '\n')
 * @throws TypeError when `report` is not an experiment report; RangeError for a bad option
 * @example
 * ```ts
 * import { experimentReport, formatExperimentReport } from '@prep/stats';
 * const report = experimentReport({ a: [1, 2, 3], b: [2, 3, 4.5] }, { baseline: 'a' });
 * formatExperimentReport(report, { format: 'text' }).split('\n').length > 2; // true
 * ```
 */
export function formatExperimentReport(report: ExperimentReport, options?: FormatReportOptions): string {
  const fn = 'formatExperimentReport';
  if (report === null || typeof report !== 'object' || !Array.isArray(report.methods) || !Array.isArray(report.comparisons)) {
    throw new TypeError(`${fn}: 'report' must be the result of experimentReport; got ${got(report)}`);
  }
  const opts = optionsObject<FormatReportOptions>(options, fn);
  const format = opts.format === undefined ? 'markdown' : oneOf(opts.format, ['markdown', 'text'] as const, fn, 'options.format');
  const smallestSd = Math.min(...report.methods.map((m) => m.sd).filter((s) => s > 0), Infinity);
  const auto = Number.isFinite(smallestSd) ? Math.max(0, Math.min(8, 1 - Math.floor(Math.log10(smallestSd)))) : 2;
  const decimals =
    opts.decimals === undefined ? auto : decimalsOption(opts.decimals, fn);
  const num = (v: number): string => (Number.isFinite(v) ? v.toFixed(decimals) : String(v));
  const signed = (v: number): string => (v > 0 ? `+${num(v)}` : num(v));
  const interval = (ci: [number, number]): string => `[${num(ci[0])}, ${num(ci[1])}]`;
  const confidence = `${Math.round(report.confidence * 1000) / 10}%`;
  const header = [
    'method',
    'n',
    `mean [${confidence} CI]`,
    'vs',
    `difference [${confidence} CI]`,
    'test',
    'p',
    `p (${report.correction})`,
    'effect',
    'verdict',
  ];
  const rows: string[][] = [];
  for (const m of report.methods) {
    const comparisons = report.comparisons.filter((c) => c.method === m.name);
    const base = [m.name, String(m.n), `${num(m.mean)} ${interval(m.ci)}`];
    if (comparisons.length === 0) {
      rows.push([...base, report.baselines.includes(m.name) ? '(baseline)' : '', '', '', '', '', '', '']);
      continue;
    }
    comparisons.forEach((c, i) => {
      rows.push([
        ...(i === 0 ? base : ['', '', '']),
        c.baseline,
        `${signed(c.difference)} ${interval(c.ci)}`,
        c.test,
        formatP(c.pValue),
        formatP(c.adjustedPValue),
        `${c.effectSize.name} = ${c.effectSize.value.toFixed(2)}`,
        c.significant ? `${c.verdict} *` : c.verdict,
      ]);
    });
  }
  const footer = [
    `${report.tests} comparison${report.tests === 1 ? '' : 's'}, ${report.paired ? 'paired' : 'unpaired'}, ${report.alternative}; ` +
      `* = significant after ${report.correction} at alpha = ${report.alpha} ` +
      `(uncorrected family-wise error rate would be ${report.uncorrectedFamilywiseErrorRate.toFixed(3)}).`,
    ...report.notes,
  ];
  if (format === 'markdown') {
    const line = (cells: readonly string[]): string => `| ${cells.map((c) => c.replace(/\|/g, '\\|')).join(' | ')} |`;
    return [line(header), line(header.map(() => '---')), ...rows.map(line), '', ...footer.map((f) => `${f}`)].join('\n');
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: readonly string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line), '', ...footer].join('\n');
}

function decimalsOption(value: unknown, fn: string): number {
  if (typeof value !== 'number') throw new TypeError(`${fn}: 'options.decimals' must be a number; got ${got(value)}`);
  if (!Number.isInteger(value) || value < 0 || value > 12) {
    throw new RangeError(`${fn}: 'options.decimals' must be an integer in [0, 12]; got ${value}`);
  }
  return value;
}
