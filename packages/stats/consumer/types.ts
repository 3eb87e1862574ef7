// Installed-tarball check: the published types, under moduleResolution node16 and bundler.
import {
  mean,
  quantile,
  variance,
  tTestWelch,
  wilcoxonSignedRank,
  adjustPValues,
  experimentReport,
  formatExperimentReport,
  type QuantileMethod,
  type VarianceOptions,
  type TTestResult,
  type WilcoxonResult,
  type PValueAdjustment,
  type ExperimentReport,
  type Comparison,
} from '@prep/stats';

const method: QuantileMethod = 'midpoint';
const options: VarianceOptions = { ddof: 0 };
export const checks: number[] = [mean([1, 2]), quantile([1, 2], 0.5, { method }), variance([1, 2], options)];
const t: TTestResult = tTestWelch([1, 2, 3], [2, 3, 5], { alternative: 'greater', confidence: 0.9 });
const w: WilcoxonResult = wilcoxonSignedRank([1, -2, 3], undefined, { zeroMethod: 'pratt', method: 'approx' });
const adjustment: PValueAdjustment = 'hochberg';
export const adjusted: number[] = adjustPValues([t.pValue, w.pValue], adjustment);
const report: ExperimentReport = experimentReport({ a: [1, 2, 3], b: [2, 3, 4] }, { baseline: 'a' });
export const first: Comparison | undefined = report.comparisons[0];
export const table: string = formatExperimentReport(report, { format: 'text' });
// @ts-expect-error: 'cubic' is not a quantile method
quantile([1, 2], 0.5, { method: 'cubic' });
// @ts-expect-error: 'fdr' is not an adjustment (R's names, lower case)
adjustPValues([0.1], 'fdr');
