// Every figure our texts quote when they check the source's arithmetic is recomputed by
// fixtures/gen_source_arithmetic.py (scipy for the statistics); here each value is rendered at the
// precision the text prints it and must appear in that question's text. Tolerance: the printed rounding.
import { describe, expect, it } from 'vitest';
import { loadFixture } from '@prep/test-utils';
import { getQuestion } from '../src/index.js';
import raw from './fixtures/source-arithmetic.json';

const v = loadFixture<Record<string, number>>(raw);

function value(key: string): number {
  const x = v[key];
  if (x === undefined) throw new Error(`fixture has no '${key}'`);
  return x;
}

/** All prose of one question, as one string. */
function text(id: number): string {
  const q = getQuestion(id);
  return [q.summary, ...q.keyIdeas, ...q.pitfalls, ...q.claims.map((c) => c.statement), ...q.formulas].join('\n');
}

const fixed = (digits: number) => (x: number): string => x.toFixed(digits);
const floor = (x: number): string => String(Math.floor(x));
const thousands = (x: number): string => (x / 1000).toFixed(1).replace(/\.0$/, '');

// [question, fixture key, how the text prints it, the context it appears in]
const checks: [number, string, (x: number) => string, (shown: string) => string][] = [
  [1, 'paged_tail_tokens', fixed(1), (s) => `${s} tokens`],
  [1, 'paged_tail_fraction', (x) => (100 * x).toFixed(1), (s) => `${s}% of an 800-token mean`],
  [1, 'opt13b_kv_bytes_per_token', String, (s) => `2 · 40 · 5120 · 2 = ${s} bytes`],
  [1, 'opt13b_kv_gb_100x2048', fixed(1), (s) => `${s} GB`],
  [1, 'llama3_8b_kv_bytes_per_token', String, (s) => `${s} bytes per token`],
  [1, 'sequences_without_waste', floor, (s) => `about ${s} sequences`],
  [1, 'cost_multiple_after_paging', fixed(1), (s) => `10 × 40 / 95 ≈ ${s}`],
  [1, 'sequence_gain', fixed(1), (s) => `the ${s}× restated`],
  [3, 'scores_gb_fp16_per_head', fixed(0), (s) => `${s} GB in fp16`],
  [3, 'scores_gb_fp32_per_head', fixed(0), (s) => `${s} GB in fp32`],
  [3, 'source_n2d_tb_fp16', fixed(2), (s) => `${s} TB`],
  [3, 'window_ratio', floor, (s) => `${s} is n / w`],
  [4, 'mixtral_total_params', (x) => (x / 1e9).toFixed(1), (s) => `about ${s}B parameters`],
  [4, 'mixtral_active_params', (x) => (x / 1e9).toFixed(1), (s) => `${s}B of them active`],
  [4, 'collapse_effective_experts', fixed(1), (s) => `is about ${s}`],
  [6, 'gain5_p_sd2', fixed(3), (s) => `p ≈ ${s}) when the per-seed differences have SD 2`],
  [6, 'gain5_p_sd8', fixed(2), (s) => `(p ≈ ${s}) when they have SD 8`],
  [6, 'accuracy_se_points_p90_n10000', fixed(1), (s) => `is ${s} points`],
  [6, 'accuracy_halfwidth_points_p90_n10000', fixed(2), (s) => `±${s}`],
  [7, 'cai_human_label_cut', fixed(0), (s) => `a ${s}× cut`],
  [7, 'cai_all_label_cut', fixed(1), (s) => `about ${s}×`],
  [8, 'clip_data_ratio', floor, (s) => `about ${s}×, not 100×`],
  [8, 'clip_initial_logit_scale', fixed(1), (s) => `\\approx ${s}`],
  [9, 'label_hours_100k', floor, (s) => `about ${s} annotator-hours`],
  [9, 'label_cost_low_usd', thousands, (s) => `$${s}K–`],
  [9, 'label_cost_high_usd', thousands, (s) => `–${s}K, not $150K–500K`],
  [9, 'budget_ratio_low', fixed(0), (s) => `is ${s}–`],
  [9, 'budget_ratio_high', fixed(0), (s) => `–${s}× what the hourly rate implies`],
  [9, 'total_cost_ratio', fixed(0), (s) => `$1K is ${s}×`],
  [9, 'per_label_cost_ratio', fixed(0), (s) => `it is ${s}×`],
  [10, 'fwer_4', (x) => (100 * x).toFixed(1), (s) => `${s}% for K = 4`],
  [10, 'bonferroni_4', String, (s) => `\\frac{0.05}{4} = ${s}`],
  [10, 'seed_sd_population', fixed(2), (s) => `${s} is the population SD`],
  [10, 'seed_sd_sample', fixed(2), (s) => `is ${s}`],
  [10, 'implied_t_d04_n5', fixed(2), (s) => `t = d·√n = ${s}`],
  [10, 'implied_p_d04_n5', fixed(2), (s) => `two-sided p of ${s}`],
  [10, 'pairs_for_p003_at_d04', String, (s) => `about ${s} pairs`],
  [10, 'preference_binomial_p', (x) => x.toExponential(0), (s) => `p ≈ ${s}`],
  [10, 'protocol_comparisons', String, (s) => `all ${s} comparisons`],
];

describe('figures quoted in the texts match their computation (scipy / published configs)', () => {
  it('every check finds its figure, rendered at the printed precision, in the question text', () => {
    const missing: string[] = [];
    for (const [id, key, render, context] of checks) {
      const phrase = context(render(value(key)));
      if (!text(id).includes(phrase)) missing.push(`q${id} ${key}: "${phrase}"`);
    }
    expect(missing).toEqual([]);
  });

  it('the claims the texts re-derive agree with the source where the source is right', () => {
    // Source figures we call correct must match the computation: 18.5%, 0.0125, 0.017, 195, mean 92.0, 180 runs.
    expect((100 * value('fwer_4')).toFixed(1)).toBe('18.5');
    expect(value('bonferroni_4')).toBe(0.0125);
    expect(value('bonferroni_3').toFixed(3)).toBe('0.017');
    expect(Math.floor(value('window_ratio'))).toBe(195);
    expect(value('seed_mean').toFixed(1)).toBe('92.0');
    expect(value('protocol_runs')).toBe(180);
    const q10 = getQuestion(10);
    expect(q10.claims.find((c) => c.id === 'q10-run-count')?.sourceValue).toContain(String(value('protocol_runs')));
  });

  it('the fixture covers every check and nothing unused', () => {
    const used = new Set(checks.map(([, key]) => key));
    const unusedKeys = Object.keys(v).filter((k) => !used.has(k) && !['bonferroni_3', 'seed_mean', 'protocol_runs'].includes(k));
    expect(unusedKeys).toEqual([]);
  });
});
