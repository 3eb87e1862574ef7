import { describe, expect, it } from 'vitest';
import { expectThrowsNaming } from '@prep/test-utils';
import {
  adjustPValues,
  cohensD,
  cohensDz,
  experimentReport,
  familywiseErrorRate,
  formatExperimentReport,
  meanCI,
  standardDeviation,
  tTestPaired,
  tTestWelch,
  wilcoxonSignedRank,
} from '../src/index.js';

// Five seeds, one new optimizer and four baselines (accuracy, %); seed i shares the data order.
const results = {
  ours: [92.1, 91.8, 92.3, 91.9, 92.0],
  adamw: [91.6, 91.5, 91.9, 91.4, 91.7],
  lion: [91.9, 91.6, 92.2, 91.7, 91.8],
  'adamw+cosine': [91.8, 91.9, 92.1, 91.6, 92.0],
  sgd: [89.2, 88.7, 89.9, 89.1, 88.8],
};
const baselines = ['adamw', 'lion', 'adamw+cosine', 'sgd'];

describe('experimentReport', () => {
  it('paired: each comparison is tTestPaired, d_z, and Holm across the four tests', () => {
    const report = experimentReport(results, { baseline: baselines, paired: true });
    expect(report.tests).toBe(4);
    expect(report.correction).toBe('holm');
    expect(report.uncorrectedFamilywiseErrorRate).toBe(familywiseErrorRate(0.05, 4));
    expect(report.comparisons.map((c) => `${c.method}-${c.baseline}`)).toEqual(baselines.map((b) => `ours-${b}`));
    const raw = baselines.map((b) => tTestPaired(results.ours, results[b as keyof typeof results]).pValue);
    const adjusted = adjustPValues(raw, 'holm');
    report.comparisons.forEach((c, i) => {
      const base = results[c.baseline as keyof typeof results];
      const t = tTestPaired(results.ours, base);
      expect(c.test).toBe('paired t-test');
      expect(c.statistic).toBe(t.statistic);
      expect(c.df).toBe(4);
      expect(c.pValue).toBe(t.pValue);
      expect(c.ci).toEqual(t.ci);
      expect(c.difference).toBe(t.estimate);
      expect(c.adjustedPValue).toBe(adjusted[i]);
      expect(c.effectSize).toEqual({ name: 'd_z', value: cohensDz(results.ours, base) });
      expect(c.significant).toBe(c.adjustedPValue <= 0.05);
      expect(c.verdict).toBe(c.significant ? (c.difference > 0 ? 'better' : 'worse') : 'inconclusive');
    });
    for (const m of report.methods) {
      const values = results[m.name as keyof typeof results];
      const ci = meanCI(values);
      expect(m).toEqual({ name: m.name, n: 5, mean: ci.estimate, sd: standardDeviation(values), ci: [ci.lower, ci.upper] });
    }
    // the gains over adamw, lion and sgd survive Holm; the one over the tuned schedule does not
    const verdicts = Object.fromEntries(report.comparisons.map((c) => [c.baseline, c.verdict]));
    expect(verdicts).toEqual({ adamw: 'better', lion: 'better', 'adamw+cosine': 'inconclusive', sgd: 'better' });
  });
  it('unpaired: Welch and Cohen d; one baseline compared with every other method', () => {
    const report = experimentReport(results, { baseline: 'adamw', correction: 'bonferroni', alpha: 0.01, confidence: 0.9 });
    expect(report.tests).toBe(4);
    expect(report.baselines).toEqual(['adamw']);
    for (const c of report.comparisons) {
      const x = results[c.method as keyof typeof results];
      const t = tTestWelch(x, results.adamw, { confidence: 0.9 });
      expect(c.test).toBe('Welch t-test');
      expect(c.pValue).toBe(t.pValue);
      expect(c.df).toBe(t.df);
      expect(c.ci).toEqual(t.ci);
      expect(c.adjustedPValue).toBe(Math.min(1, 4 * t.pValue));
      expect(c.effectSize.name).toBe('d');
      expect(c.effectSize.value).toBeCloseTo(cohensD(x, results.adamw), 12);
      expect(c.significant).toBe(c.adjustedPValue <= 0.01);
    }
    // sgd is significantly worse than adamw (higher is better)
    expect(report.comparisons.find((c) => c.method === 'sgd')!.verdict).toBe('worse');
    const loss = experimentReport({ a: [2.0, 2.1, 2.05], b: [3.0, 3.1, 3.2] }, { baseline: 'b', higherIsBetter: false });
    expect(loss.comparisons[0]!.verdict).toBe('better');
  });
  it("Wilcoxon with five seeds: the report warns that p can't go below 0.0625", () => {
    const report = experimentReport(results, { baseline: baselines, paired: true, test: 'wilcoxon' });
    for (const c of report.comparisons) {
      const w = wilcoxonSignedRank(results.ours, results[c.baseline as keyof typeof results]);
      expect(c.test).toBe('Wilcoxon signed-rank');
      expect(c.df).toBeNull();
      expect(c.pValue).toBe(w.pValue);
      expect(c.significant).toBe(false);
    }
    expect(report.notes.join(' ')).toContain('0.0625');
  });
  it('notes zero variance and the uncorrected family-wise error rate', () => {
    const report = experimentReport({ a: [1, 1, 1], b: [1, 2, 3], c: [2, 3, 4] }, { baseline: 'a', correction: 'none' });
    expect(report.notes.some((n) => n.includes("'a'") && n.includes('zero variance'))).toBe(true);
    expect(report.notes.some((n) => n.includes('0.098'))).toBe(true); // 1 − 0.95² = 0.0975
  });
  it('renders markdown and text tables with every method, comparison and the notes', () => {
    const report = experimentReport(results, { baseline: baselines, paired: true });
    const markdown = formatExperimentReport(report);
    const lines = markdown.split('\n');
    expect(lines[0]).toMatch(/^\| method \| n \| mean \[95% CI\] \| vs \| difference \[95% CI\] \| test \| p \| p \(holm\) \| effect \| verdict \|$/);
    expect(lines[1]).toMatch(/^\| ---/);
    expect(lines.filter((l) => l.startsWith('| ')).length).toBe(2 + 4 + 4); // header, rule, 4 rows for ours, 4 baselines
    expect(markdown).toContain('| ours | 5 | 92.02 [91.78, 92.26] | adamw | +0.40 [');
    expect(markdown).toContain('better *');
    expect(markdown).toContain('(baseline)');
    expect(markdown).toContain('4 comparisons, paired, two-sided');
    const text = formatExperimentReport(report, { format: 'text', decimals: 3 });
    expect(text).not.toContain('|');
    expect(text).toContain('92.020 [91.781, 92.259]');
    const widths = text.split('\n').slice(0, 2).map((l) => l.length);
    expect(widths[0]).toBeLessThanOrEqual(widths[1]!);
  });
});

describe('bad input', () => {
  it('names the function and the argument', () => {
    const ok = { baseline: 'a' };
    const two = { a: [1, 2, 3], b: [2, 3, 4] };
    expectThrowsNaming(() => experimentReport(null as never, ok), 'experimentReport', 'results');
    expectThrowsNaming(() => experimentReport([[1, 2]] as never, ok), 'experimentReport', 'results');
    expectThrowsNaming(() => experimentReport({ a: [1, 2, 3] }, ok), 'experimentReport', 'results');
    expectThrowsNaming(() => experimentReport({ a: [1, 2, 3], b: [1] }, ok), 'experimentReport', 'results.b');
    expectThrowsNaming(() => experimentReport({ a: [1, 2, 3], b: [1, NaN] }, ok), 'experimentReport', 'results.b');
    expectThrowsNaming(() => experimentReport({ a: [1, 2, 3], b: 'x' as never }, ok), 'experimentReport', 'results.b');
    expectThrowsNaming(() => experimentReport({ a: [1, 2, 3], b: [1, 2] }, { baseline: 'a', paired: true }), 'experimentReport', 'results.b');
    expectThrowsNaming(() => experimentReport(two, undefined as never), 'experimentReport', 'options');
    for (const baseline of [undefined, 3, [], ['a', 4]]) expectThrowsNaming(() => experimentReport(two, { baseline } as never), 'experimentReport', 'options.baseline');
    for (const baseline of ['c', ['a', 'b']]) expectThrowsNaming(() => experimentReport(two, { baseline }), 'experimentReport', 'options.baseline');
    expectThrowsNaming(() => experimentReport(two, { ...ok, test: 'wilcoxon' }), 'experimentReport', 'options.test');
    expectThrowsNaming(() => experimentReport(two, { ...ok, test: 'z' as never }), 'experimentReport', 'options.test');
    expectThrowsNaming(() => experimentReport(two, { ...ok, correction: 'BH' as never }), 'experimentReport', 'options.correction');
    expectThrowsNaming(() => experimentReport(two, { ...ok, alpha: 0 }), 'experimentReport', 'options.alpha');
    expectThrowsNaming(() => experimentReport(two, { ...ok, confidence: 1 }), 'experimentReport', 'options.confidence');
    expectThrowsNaming(() => experimentReport(two, { ...ok, paired: 'yes' as never }), 'experimentReport', 'options.paired');
    expectThrowsNaming(() => experimentReport(two, { ...ok, alternative: 'up' as never }), 'experimentReport', 'options.alternative');
    expectThrowsNaming(() => experimentReport(two, { ...ok, higherIsBetter: 1 as never }), 'experimentReport', 'options.higherIsBetter');
    const report = experimentReport(two, ok);
    expectThrowsNaming(() => formatExperimentReport({} as never), 'formatExperimentReport', 'report');
    expectThrowsNaming(() => formatExperimentReport(report, { format: 'html' as never }), 'formatExperimentReport', 'options.format');
    expectThrowsNaming(() => formatExperimentReport(report, { decimals: -1 }), 'formatExperimentReport', 'options.decimals');
    expectThrowsNaming(() => formatExperimentReport(report, { decimals: '2' as never }), 'formatExperimentReport', 'options.decimals');
  });
});
