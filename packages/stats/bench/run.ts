// `pnpm bench`: accuracy against the scipy fixtures and speed, for @prep/stats and for jStat,
// simple-statistics and @stdlib where they have the function, all in the same run; rewrites BENCHMARKS.md.
// Pure TypeScript: no tfjs backend is involved. Timings on a shared machine are noisy; we report what we
// measured and never tune workloads to a target.
import { readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { markdownTable, writeBenchmarks } from '@prep/test-utils/bench';
import ttest from '@stdlib/stats-ttest';
import ttest2 from '@stdlib/stats-ttest2';
import stdlibWilcoxon from '@stdlib/stats-wilcoxon';
import padjust from '@stdlib/stats-padjust';
import stdlibTCdf from '@stdlib/stats-base-dists-t-cdf';
import stdlibTQuantile from '@stdlib/stats-base-dists-t-quantile';
import jStatModule from 'jstat';
import * as ss from 'simple-statistics';
import {
  adjustPValues,
  bootstrapCI,
  meanCI,
  sampleSize,
  tTestOneSample,
  tTestPaired,
  tTestStudent,
  tTestWelch,
  wilcoxonSignedRank,
  type Alternative,
} from '../src/index.js';
import { normalQuantile, studentTCdf, studentTQuantile } from '../src/internal/distributions.js';

const { jStat } = jStatModule;
const here = import.meta.dirname;
const fixture = <T>(name: string): T => JSON.parse(readFileSync(join(here, '..', 'test', 'fixtures', name), 'utf8')) as T;
const quick = process.argv.includes('--quick');

// ---------------------------------------------------------------- accuracy
interface Ref {
  statistic: number;
  df: number;
  pValue: number;
  ci: [number, number];
}
type TCase = {
  n: number;
  kind: string;
  x: number[];
  y: number[];
  y2: number[];
  results: ({ alternative: Alternative; confidence: number; mu: number } & Record<'oneSample' | 'paired' | 'welch' | 'student', Ref>)[];
};
const tt = fixture<{ cases: TCase[]; tails: ({ x: number[]; alternative: Alternative } & Ref)[] }>('ttest.json');
const plain = tt.cases.filter((c) => c.kind === 'plain');

/** Worst relative error |a − e| / |e| over pairs; a non-finite or thrown answer counts as 1 (100%). */
class Worst {
  value = 0;
  add(actual: number | undefined, expected: number): void {
    if (!Number.isFinite(expected)) return;
    const err = actual === undefined || !Number.isFinite(actual) ? 1 : expected === 0 ? Math.abs(actual) : Math.abs(actual - expected) / Math.abs(expected);
    this.value = Math.max(this.value, Math.min(err, 1));
  }
}
const fmt = (err: Worst | null): string => (err === null ? '—' : err.value === 0 ? '0' : err.value.toExponential(1));
const attempt = <T>(fn: () => T): T | undefined => {
  try {
    return fn();
  } catch {
    return undefined;
  }
};

const rows: string[][] = [];
function accuracyRow(what: string, ours: Worst, peers: { jStat?: Worst | null; simple?: Worst | null; stdlib?: Worst | null }): void {
  rows.push([what, fmt(ours), fmt(peers.jStat ?? null), fmt(peers.simple ?? null), fmt(peers.stdlib ?? null)]);
}

{
  const ours = new Worst();
  const jstat = new Worst();
  const stdlib = new Worst();
  const simple = new Worst();
  const oursStat = new Worst();
  for (const c of plain) {
    for (const r of c.results.filter((k) => k.alternative === 'two-sided' && k.confidence === 0.95)) {
      ours.add(tTestOneSample(c.x, { mu: r.mu }).pValue, r.oneSample.pValue);
      jstat.add(attempt(() => jStat.ttest(r.mu, c.x, 2)), r.oneSample.pValue);
      stdlib.add(attempt(() => ttest(c.x, { mu: r.mu }).pValue), r.oneSample.pValue);
      oursStat.add(tTestOneSample(c.x, { mu: r.mu }).statistic, r.oneSample.statistic);
      simple.add(attempt(() => ss.tTest(c.x, r.mu)), r.oneSample.statistic);
    }
  }
  accuracyRow('one-sample t-test p (two-sided), n = 2 … 500', ours, { jStat: jstat, stdlib });
  accuracyRow('one-sample t statistic', oursStat, { simple });
}
{
  const ours = new Worst();
  const stdlib = new Worst();
  for (const c of plain) {
    for (const r of c.results.filter((k) => k.confidence === 0.95)) {
      ours.add(tTestOneSample(c.x, { mu: r.mu, alternative: r.alternative }).pValue, r.oneSample.pValue);
      ours.add(tTestPaired(c.x, c.y, { alternative: r.alternative }).pValue, r.paired.pValue);
      stdlib.add(attempt(() => ttest(c.x, { mu: r.mu, alternative: r.alternative }).pValue), r.oneSample.pValue);
      stdlib.add(attempt(() => ttest(c.x, c.y, { alternative: r.alternative }).pValue), r.paired.pValue);
    }
  }
  accuracyRow('one-sample and paired p, all alternatives', ours, { stdlib });
}
{
  const ours = new Worst();
  const jstat = new Worst();
  const stdlib = new Worst();
  for (const c of plain) {
    for (const r of c.results.filter((k) => k.alternative === 'two-sided')) {
      const ci = meanCI(c.x, { confidence: r.confidence });
      const width = r.oneSample.ci[1] - r.oneSample.ci[0];
      const rel = (a: number | undefined, e: number): number | undefined => (a === undefined ? undefined : 1 + (a - e) / width);
      // interval ends, relative to the interval's width
      ours.add(rel(ci.lower, r.oneSample.ci[0]), 1);
      ours.add(rel(ci.upper, r.oneSample.ci[1]), 1);
      const m = c.x.reduce((s, v) => s + v, 0) / c.x.length;
      const j = attempt(() => jStat.tci(m, 1 - r.confidence, jStat.stdev(c.x, true), c.x.length));
      jstat.add(rel(j?.[0], r.oneSample.ci[0]), 1);
      jstat.add(rel(j?.[1], r.oneSample.ci[1]), 1);
      const s = attempt(() => ttest(c.x, { mu: r.mu, alpha: 1 - r.confidence }).ci);
      stdlib.add(rel(s?.[0], r.oneSample.ci[0]), 1);
      stdlib.add(rel(s?.[1], r.oneSample.ci[1]), 1);
    }
  }
  accuracyRow('t confidence interval for the mean (error / width)', ours, { jStat: jstat, stdlib });
}
{
  const ours = new Worst();
  const stdlib = new Worst();
  const oursStudent = new Worst();
  const stdlibStudent = new Worst();
  const simpleStudent = new Worst();
  const oursStudentStat = new Worst();
  for (const c of plain) {
    for (const r of c.results.filter((k) => k.confidence === 0.95)) {
      ours.add(tTestWelch(c.x, c.y2, { alternative: r.alternative }).pValue, r.welch.pValue);
      stdlib.add(attempt(() => ttest2(c.x, c.y2, { variance: 'unequal', alternative: r.alternative }).pValue), r.welch.pValue);
      oursStudent.add(tTestStudent(c.x, c.y2, { alternative: r.alternative }).pValue, r.student.pValue);
      stdlibStudent.add(attempt(() => ttest2(c.x, c.y2, { variance: 'equal', alternative: r.alternative }).pValue), r.student.pValue);
      oursStudentStat.add(tTestStudent(c.x, c.y2).statistic, c.results[0]!.student.statistic);
      simpleStudent.add(attempt(() => ss.tTestTwoSample(c.x, c.y2, 0) ?? undefined), c.results[0]!.student.statistic);
    }
  }
  accuracyRow('Welch t-test p, all alternatives', ours, { stdlib });
  accuracyRow('Student (pooled) t-test p, all alternatives', oursStudent, { stdlib: stdlibStudent });
  accuracyRow('Student t statistic', oursStudentStat, { simple: simpleStudent });
}
{
  const ours = new Worst();
  const jstat = new Worst();
  const stdlib = new Worst();
  for (const r of tt.tails.filter((k) => k.alternative === 'greater')) {
    ours.add(tTestOneSample(r.x, { alternative: 'greater' }).pValue, r.pValue);
    stdlib.add(attempt(() => ttest(r.x, { alternative: 'greater' }).pValue), r.pValue);
    jstat.add(attempt(() => jStat.ttest(0, r.x, 1)), r.pValue);
  }
  accuracyRow('far-tail p (1e-9 … 1e-72), one-sided', ours, { jStat: jstat, stdlib });
}
{
  const d = fixture<{ studentT: { t: number; df: number; cdf: number }[]; studentTQuantile: { p: number; df: number; x: number }[]; normalQuantile: { p: number; x: number }[] }>(
    'distributions.json',
  );
  const ours = new Worst();
  const jstat = new Worst();
  const stdlib = new Worst();
  for (const r of d.studentT) {
    ours.add(studentTCdf(r.t, r.df), r.cdf);
    jstat.add(attempt(() => jStat.studentt.cdf(r.t, r.df)), r.cdf);
    stdlib.add(attempt(() => stdlibTCdf(r.t, r.df)), r.cdf);
  }
  accuracyRow('Student t CDF (df 1 … 1e4, tails to 1e-200; mpmath)', ours, { jStat: jstat, stdlib });
  const oursQ = new Worst();
  const jstatQ = new Worst();
  const stdlibQ = new Worst();
  for (const r of d.studentTQuantile) {
    oursQ.add(studentTQuantile(r.p, r.df), r.x);
    jstatQ.add(attempt(() => jStat.studentt.inv(r.p, r.df)), r.x);
    stdlibQ.add(attempt(() => stdlibTQuantile(r.p, r.df)), r.x);
  }
  accuracyRow('Student t quantile (p 1e-50 … 1 − 1e-6)', oursQ, { jStat: jstatQ, stdlib: stdlibQ });
  const oursN = new Worst();
  const jstatN = new Worst();
  const simpleN = new Worst();
  for (const r of d.normalQuantile) {
    oursN.add(normalQuantile(r.p), r.x);
    jstatN.add(attempt(() => jStat.normal.inv(r.p, 0, 1)), r.x);
    simpleN.add(attempt(() => ss.probit(r.p)), r.x);
  }
  accuracyRow('normal quantile (p 1e-300 … 1 − 1e-10)', oursN, { jStat: jstatN, simple: simpleN });
}
{
  interface WRow { zeroMethod: string; correction: boolean; alternative: Alternative; method: 'exact' | 'approx'; pValue: number }
  const w = fixture<{ cases: { n: number; x: number[]; y: number[]; tiesOrZeros: boolean; results: WRow[] }[] }>('wilcoxon.json');
  const ours = new Worst();
  const stdlib = new Worst();
  for (const c of w.cases.filter((k) => k.n >= 2)) {
    // stdlib's own rule: exact for n ≤ 50 without ties or zeros, as ours with method 'auto'
    const method = c.n <= 50 && !c.tiesOrZeros ? 'exact' : 'approx';
    for (const r of c.results.filter((k) => k.zeroMethod === 'wilcox' && k.method === method)) {
      if (!Number.isFinite(r.pValue)) continue;
      ours.add(wilcoxonSignedRank(c.x, c.y, { alternative: r.alternative, correction: r.correction }).pValue, r.pValue);
      stdlib.add(attempt(() => stdlibWilcoxon(c.x, c.y, { alternative: r.alternative, correction: r.correction }).pValue), r.pValue);
    }
  }
  accuracyRow('Wilcoxon signed-rank p (auto method, n = 2 … 500)', ours, { stdlib });
}
{
  const p = fixture<{ cases: (Record<string, number[]> & { p: number[] })[] }>('padjust.json');
  for (const method of ['bonferroni', 'holm', 'hochberg', 'bh', 'by'] as const) {
    const ours = new Worst();
    const stdlib = method === 'hochberg' ? null : new Worst();
    for (const c of p.cases) {
      const mine = adjustPValues(c.p, method);
      // a copy: @stdlib's padjust sorts its argument in place
      const theirs = method !== 'hochberg' ? attempt(() => padjust(c.p.slice(), method)) : undefined;
      c[method]!.forEach((e, i) => {
        ours.add(mine[i], e);
        stdlib?.add(theirs?.[i], e);
      });
    }
    accuracyRow(`p.adjust '${method}' (n = 1 … 500, ties, 0 and 1)`, ours, { stdlib });
  }
}

// ---------------------------------------------------------------- speed
const speedRows: string[][] = [];
/** Median wall and CPU time per call, in µs, over batches of `calls` calls (see wallAndCpu below). */
function perCall(fn: () => unknown, calls: number): { wall: number; cpu: number } {
  const t = wallAndCpu(() => {
    for (let i = 0; i < calls; i++) fn();
  }, quick ? 3 : 9);
  return { wall: (t.wall / calls) * 1000, cpu: (t.cpu / calls) * 1000 };
}
function us(value: number): string {
  return value >= 1000 ? `${(value / 1000).toFixed(2)} ms` : `${value.toFixed(value < 10 ? 2 : 1)} µs`;
}
function speedRow(what: string, ours: () => unknown, peers: { name: string; fn: () => unknown }[], calls: number): void {
  const mine = perCall(ours, calls);
  const cells = peers.map((peer) => {
    const theirs = perCall(peer.fn, calls);
    return `${peer.name}: ${us(theirs.cpu)} CPU (${(theirs.cpu / mine.cpu).toFixed(1)}×)`;
  });
  speedRows.push([what, `${us(mine.cpu)} CPU (${us(mine.wall)} wall)`, cells.join('; ') || '— (no peer has it)']);
}

/** Median wall time and median CPU time (user + system of this process) in ms: on a machine shared with
 * other jobs the wall time includes waiting for a core, the CPU time does not. */
function wallAndCpu(fn: () => unknown, repeats: number): { wall: number; cpu: number } {
  fn();
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    walls.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpus.push((c.user + c.system) / 1000);
  }
  const median = (v: number[]): number => v.sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  return { wall: median(walls), cpu: median(cpus) };
}

const rand = (seed: number) => () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) | 0;
  return (seed >>> 0) / 4294967296;
};
const gauss = (r: () => number) => () => Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
const g = gauss(rand(42));
const x30 = Array.from({ length: 30 }, () => g() + 0.3);
const y30 = Array.from({ length: 30 }, () => g());
const x50 = Array.from({ length: 50 }, (_, i) => (i + 1) * (i % 3 === 0 ? -1 : 1) + 0.001 * i); // no ties, no zeros
const p1000 = Array.from({ length: 1000 }, () => rand(7)());
const pr = rand(9);
for (let i = 0; i < p1000.length; i++) p1000[i] = pr();
const x1000 = Float64Array.from({ length: 1000 }, () => Math.exp(g()));
const meanOfSample = (s: Float64Array): number => {
  let sum = 0;
  for (let i = 0; i < s.length; i++) sum += s[i]!;
  return sum / s.length;
};

speedRow('one-sample t-test, n = 30', () => tTestOneSample(x30), [
  { name: 'jStat (p only)', fn: () => jStat.ttest(0, x30, 2) },
  { name: '@stdlib', fn: () => ttest(x30) },
], 2000);
speedRow('Welch t-test, n = 30 + 30', () => tTestWelch(x30, y30), [{ name: '@stdlib', fn: () => ttest2(x30, y30, { variance: 'unequal' }) }], 2000);
speedRow('exact Wilcoxon, n = 50 (target ≤ 5 ms)', () => wilcoxonSignedRank(x50), [{ name: '@stdlib', fn: () => stdlibWilcoxon(x50) }], 50);
speedRow('p.adjust Holm, m = 1000', () => adjustPValues(p1000, 'holm'), [{ name: '@stdlib (on a copy: it sorts its input)', fn: () => padjust(p1000.slice(), 'holm') }], 50);
speedRow('p.adjust BH, m = 1000', () => adjustPValues(p1000, 'bh'), [{ name: '@stdlib (on a copy)', fn: () => padjust(p1000.slice(), 'bh') }], 50);
speedRow('sampleSize, two-sample, d = 0.5, power 0.8', () => sampleSize({ effectSize: 0.5, power: 0.8, design: 'two-sample' }), [], 20);

const load = loadavg()[0]!;
const bca = wallAndCpu(() => bootstrapCI(x1000, meanOfSample, { resamples: 10_000, method: 'bca', seed: 1 }), quick ? 3 : 9);
const percentile = wallAndCpu(() => bootstrapCI(x1000, meanOfSample, { resamples: 10_000, method: 'percentile', seed: 1 }), quick ? 3 : 5);
const wilcoxonUs = perCall(() => wilcoxonSignedRank(x50), 50);
const w = { wall: wilcoxonUs.wall / 1000, cpu: wilcoxonUs.cpu / 1000 };

const targets = markdownTable(
  ['target (issue 3)', 'wall (median)', 'CPU time (median)', 'target', 'ratio wall / target', 'ratio CPU / target'],
  [
    ['BCa, 10,000 resamples, n = 1,000, mean', `${bca.wall.toFixed(1)} ms`, `${bca.cpu.toFixed(1)} ms`, '≤ 100 ms', (bca.wall / 100).toFixed(2), (bca.cpu / 100).toFixed(2)],
    ['(percentile, same resamples, for scale)', `${percentile.wall.toFixed(1)} ms`, `${percentile.cpu.toFixed(1)} ms`, '', '', ''],
    ['exact Wilcoxon, n = 50', `${w.wall.toFixed(3)} ms`, `${w.cpu.toFixed(3)} ms`, '≤ 5 ms', (w.wall / 5).toFixed(3), (w.cpu / 5).toFixed(3)],
  ],
);

console.log(markdownTable(['accuracy: max relative error vs scipy', '@prep/stats', 'jStat 1.9.6', 'simple-statistics 7.12.1', '@stdlib 0.2.x'], rows));
console.log();
console.log(markdownTable(['speed (median per call)', '@prep/stats', 'peers: CPU time (peer / ours)'], speedRows));
console.log();
console.log(targets);

writeBenchmarks(join(here, '..', 'BENCHMARKS.md'), {
  title: '@prep/stats benchmarks',
  command: 'pnpm --filter @prep/stats bench',
  backend: 'none (pure TypeScript, no tfjs)',
  intro:
    'Accuracy is the largest relative error against the committed scipy/mpmath fixtures (`test/fixtures/gen_stats.py`), ' +
    'capped at 1 (100%: a wrong, zero or thrown answer). A dash means the library has no such function. Speed is the ' +
    'median time per call in one process, peers measured in the same run; ratios above 1 mean the peer is slower.',
  sections: [
    {
      heading: 'Accuracy against scipy',
      description:
        'jStat has no paired, Welch or Student p-values and no Wilcoxon or p.adjust; simple-statistics returns t statistics ' +
        "but no p-values; @stdlib has no Hochberg. Rows for a function the peer lacks show '—'. Where a peer's error is " +
        "large, the cause is one of: an upper tail computed as 1 − cdf (@stdlib's one-sided p-values lose everything below " +
        "1e-16 and return 0 in the far tail), the population SD in a t statistic (simple-statistics' `tTest`, wrong by " +
        "√(n/(n − 1))), a normal quantile from a table or a low-order formula (simple-statistics' `probit`, jStat's " +
        "`normal.inv`); @stdlib's Wilcoxon also takes its small normal-approximation p-values as 1 − Φ(z).",
      table: markdownTable(['function', '@prep/stats', 'jStat 1.9.6', 'simple-statistics 7.12.1', '@stdlib 0.2.x'], rows),
    },
    {
      heading: 'Speed',
      description: 'Median per call; ratios compare CPU time, which waiting for a busy core does not inflate.',
      table: markdownTable(['operation', '@prep/stats', 'peers: CPU time (peer / ours)'], speedRows),
    },
    {
      heading: 'Targets',
      description:
        `No peer has bootstrap intervals; the BCa time includes the 1,000 jackknife evaluations. The machine's load ` +
        `average was ${load.toFixed(1)} on ${String(availableParallelism())} cores when this ran: wall times include waiting for a core, CPU ` +
        'times (this process only) do not.',
      table: targets,
    },
  ],
});
console.log('\nwrote BENCHMARKS.md');
