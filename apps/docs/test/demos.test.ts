// The ten live demos, driven in headless Chromium against the built site (run `pnpm docs` first).
// Every question page opens at `?demo-size=test`, runs its demo to completion (tensor demos on webgl and
// on webgpu, through SwiftShader here; the others once), and the test checks the chart data, the tensors
// left behind, the console and the network, then saves a screenshot and runs axe-core on the page.
//
// One browser page visits the ten question pages in turn: the first by a full load, the others through
// VitePress's client-side router (a link click, as a reader moves between questions), so tfjs loads once
// and its WebGL context and WebGPU device, with their compiled shaders, carry over. site.test.ts loads
// every page, question pages included, from scratch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright';
import type { Server } from 'node:http';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { serve } from '../../../scripts/serve.mjs';
import { launchChromium, OUTPUT_DIR, watchProblems } from './browser.js';

interface Point {
  x: number;
  y: number;
}
interface ChartSeries {
  label: string;
  data: Point[];
}
interface ChartData {
  xTitle: string;
  yTitle: string;
  series: ChartSeries[];
}
/** The charts of one demo, by their test id. */
type Charts = Record<string, ChartData>;

interface DemoCase {
  id: number;
  slug: string;
  /** Tensor demos run on webgl and on webgpu; the others run once (no backend switch). */
  tensor: boolean;
  /** One sanity check on the demo's chart data that a broken demo would fail. */
  check: (charts: Charts) => void;
}

const dist = join(import.meta.dirname, '..', '.vitepress', 'dist');
const SCREENSHOTS = join(OUTPUT_DIR, 'screenshots');
mkdirSync(SCREENSHOTS, { recursive: true });
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** Longest a demo may take at its test size on SwiftShader (first runs compile every shader). */
const RUN_TIMEOUT_MS = 120_000;
/** `PREP_DEMO_TIMINGS=1` prints where each question's time went (for the CI budget). */
const TIMINGS = process.env.PREP_DEMO_TIMINGS === '1';

/** The series of `chart` whose label starts with `prefix`. */
function series(charts: Charts, chart: string, prefix: string): Point[] {
  const found = charts[chart]?.series.find((s) => s.label.startsWith(prefix));
  if (!found) throw new Error(`chart '${chart}' has no series starting with '${prefix}'`);
  return found.data;
}
const meanY = (points: Point[]): number => points.reduce((s, p) => s + p.y, 0) / points.length;
const byX = (points: Point[]): Point[] => [...points].sort((a, b) => a.x - b.x);

const DEMOS: DemoCase[] = [
  {
    id: 1,
    slug: 'kv-cache-fragmentation',
    tensor: false,
    check: (charts) => {
      // Paged allocation wastes a smaller share of the reserved slots than either contiguous allocator.
      const paged = meanY(series(charts, 'chart-waste', 'paged'));
      expect(paged).toBeLessThan(meanY(series(charts, 'chart-waste', 'max-length')));
      expect(paged).toBeLessThan(meanY(series(charts, 'chart-waste', 'exact-length first-fit')));
      expect(paged).toBeLessThan(10);
    },
  },
  {
    id: 2,
    slug: 'rlhf-objective',
    tensor: true,
    check: (charts) => {
      // The exact optimum of E[r] − β·KL: the smaller β, the larger both KL and the proxy reward.
      const optimum = byX(series(charts, 'chart-tradeoff', 'closed-form optimum: reward-model score'));
      expect(optimum.length).toBe(2);
      for (let i = 1; i < optimum.length; i++) expect(optimum[i]!.y).toBeGreaterThan(optimum[i - 1]!.y);
    },
  },
  {
    id: 3,
    slug: 'attention-complexity',
    tensor: true,
    check: (charts) => {
      // Doubling n: exact attention's peak memory grows faster than linear attention's (n² against n).
      const growth = (prefix: string) => {
        const points = byX(series(charts, 'chart-memory', prefix));
        return points[points.length - 1]!.y / points[0]!.y;
      };
      expect(growth('exact')).toBeGreaterThan(2.5);
      expect(growth('exact')).toBeGreaterThan(growth('linear (elu)'));
    },
  },
  {
    id: 4,
    slug: 'mixture-of-experts',
    tensor: true,
    check: (charts) => {
      // Every run's final expert shares are a distribution over the experts: they add up to 100%.
      for (const s of charts['chart-final-shares']!.series) {
        expect(s.data.length).toBe(4);
        expect(s.data.reduce((sum, p) => sum + p.y, 0)).toBeCloseTo(100, 6);
      }
    },
  },
  {
    id: 5,
    slug: 'information-bottleneck',
    tensor: true,
    check: (charts) => {
      // Binned estimates of a deterministic layer: I(T;Y) ≤ min(I(X;T), H(Y) = 1 bit), and both ≥ 0.
      for (const chart of ['chart-tanh', 'chart-relu']) {
        for (const s of charts[chart]!.series) {
          for (const p of s.data) {
            expect(p.x).toBeGreaterThanOrEqual(0);
            expect(p.y).toBeGreaterThanOrEqual(0);
            expect(p.y).toBeLessThanOrEqual(p.x + 1e-9);
            expect(p.y).toBeLessThanOrEqual(1 + 1e-9);
          }
        }
      }
    },
  },
  {
    id: 6,
    slug: 'research-impact',
    tensor: false,
    check: (charts) => {
      // Power rises with the number of seeds and stays a percentage.
      const power = byX(series(charts, 'chart-power', 'power at the observed effect'));
      expect(power.length).toBeGreaterThan(10);
      for (let i = 1; i < power.length; i++) expect(power[i]!.y).toBeGreaterThanOrEqual(power[i - 1]!.y);
      expect(power[0]!.y).toBeGreaterThan(0);
      expect(power[power.length - 1]!.y).toBeLessThanOrEqual(100);
    },
  },
  {
    id: 7,
    slug: 'constitutional-ai',
    tensor: false,
    check: (charts) => {
      // A revision never has more flaws under its principle than the answer it revised, and some were fixed.
      const before = series(charts, 'chart-flaws', 'initial answer');
      const after = series(charts, 'chart-flaws', 'revision (chosen)');
      expect(after.length).toBe(before.length);
      after.forEach((p, i) => expect(p.y).toBeLessThanOrEqual(before[i]!.y));
      expect(meanY(after)).toBeLessThan(meanY(before));
    },
  },
  {
    id: 8,
    slug: 'clip-contrastive',
    tensor: true,
    check: (charts) => {
      // Both batch sizes ran; recall@5 ≥ recall@1 at each; accuracies are percentages.
      const r1 = byX(series(charts, 'chart-accuracy', 'image→text recall@1'));
      const r5 = byX(series(charts, 'chart-accuracy', 'image→text recall@5'));
      expect(r1.map((p) => p.x)).toEqual([8, 16]);
      r1.forEach((p, i) => expect(r5[i]!.y).toBeGreaterThanOrEqual(p.y));
      for (const p of series(charts, 'chart-accuracy', 'zero-shot accuracy')) {
        expect(p.y).toBeGreaterThanOrEqual(0);
        expect(p.y).toBeLessThanOrEqual(100);
      }
    },
  },
  {
    id: 9,
    slug: 'rlhf-vs-rlaif',
    tensor: true,
    check: (charts) => {
      // Six label sets; the verbosity-biased judge (set 2) picks the longer answer more often than humans (set 1).
      const longer = byX(series(charts, 'chart-labels', 'longer answer chosen'));
      expect(longer.length).toBe(6);
      expect(longer[1]!.y).toBeGreaterThan(longer[0]!.y);
      for (const p of longer) expect(p.y).toBeLessThanOrEqual(100);
    },
  },
  {
    id: 10,
    slug: 'experimental-design',
    tensor: false,
    check: (charts) => {
      // Corrected p-values are never below the raw ones; each difference lies inside its interval.
      const raw = series(charts, 'chart-p-values', 'raw p');
      const adjusted = series(charts, 'chart-p-values', 'p after holm');
      expect(raw.length).toBe(4);
      raw.forEach((p, i) => expect(adjusted[i]!.y).toBeGreaterThanOrEqual(p.y));
      const diff = series(charts, 'chart-differences', 'difference');
      const lower = series(charts, 'chart-differences', 'CI lower end');
      const upper = series(charts, 'chart-differences', 'CI upper end');
      diff.forEach((p, i) => {
        expect(lower[i]!.y).toBeLessThanOrEqual(p.y);
        expect(upper[i]!.y).toBeGreaterThanOrEqual(p.y);
      });
    },
  },
];

let server: Server;
let baseUrl: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let problems: { errors: string[] };

beforeAll(async () => {
  ({ server, url: baseUrl } = await serve(dist, { port: 0, quiet: true }));
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  problems = watchProblems(page);
});
afterAll(async () => {
  await context?.close();
  await browser?.close();
  server?.close();
});

/**
 * Opens a question page at the test size: a full load the first time (or after a failure left the page
 * elsewhere), else a click on a link, which VitePress's router turns into a client-side navigation.
 */
async function openQuestion(demo: DemoCase): Promise<void> {
  const href = `/questions/${demo.slug}.html?demo-size=test`;
  const onSite = page.url().startsWith(baseUrl) && page.url().includes('/questions/');
  if (!onSite) {
    const res = await page.goto(new URL(href, baseUrl).href, { waitUntil: 'networkidle' });
    expect(res?.status()).toBe(200);
  } else {
    await page.evaluate((target) => {
      const link = document.createElement('a');
      link.href = target;
      link.textContent = 'next question';
      document.body.append(link);
      link.click();
      link.remove();
    }, href);
    await page.waitForURL((url) => url.pathname.endsWith(`/questions/${demo.slug}.html`) && url.search === '?demo-size=test');
    await page.waitForLoadState('networkidle');
  }
  await page.getByTestId(`demo-${demo.id}`).waitFor({ state: 'visible' });
  expect(await page.locator('h1').first().innerText()).toMatch(new RegExp(`^${demo.id}\\. `));
}

/** Clicks Run (on `backend` for tensor demos) and waits until the demo is done, failed or cancelled. */
async function runDemo(id: number, backend: string | null): Promise<void> {
  const frame = page.getByTestId(`demo-${id}`);
  if (backend) await frame.getByTestId('backend-select').selectOption(backend);
  // Keyboard, as a reader without a mouse: focus Run and press Enter.
  await frame.getByTestId('run').focus();
  await page.keyboard.press('Enter');
  // The status row keeps the previous run's 'done' until Vue re-renders: wait for this run's backend.
  await page.waitForFunction(
    ({ id, backend }) => {
      const status = document.querySelector(`[data-testid="demo-${id}"] [data-testid="status"]`);
      const state = status?.getAttribute('data-status');
      if (state === 'error' || state === 'cancelled') return true;
      return state === 'done' && (backend === null || (status?.textContent ?? '').includes(`on ${backend}`));
    },
    { id, backend },
    { timeout: RUN_TIMEOUT_MS, polling: 200 },
  );
  const status = await frame.getByTestId('status').getAttribute('data-status');
  const error = frame.getByTestId('error');
  const message = (await error.count()) > 0 ? await error.innerText() : '';
  expect({ status, message }, `demo ${id} on ${backend ?? 'its own'} backend`).toEqual({ status: 'done', message: '' });
}

/** Every chart of the demo, parsed from `data-chart`, checked to hold non-empty series of finite numbers. */
async function readCharts(id: number): Promise<Charts> {
  const raw = await page
    .getByTestId(`demo-${id}`)
    .locator('[data-chart]')
    .evaluateAll((els) => els.map((el) => [el.getAttribute('data-testid') ?? '', el.getAttribute('data-chart') ?? '{}']));
  expect(raw.length, `demo ${id} draws at least one chart`).toBeGreaterThan(0);
  const charts: Charts = {};
  for (const [testId, json] of raw) {
    const chart = JSON.parse(json!) as ChartData;
    expect(chart.series.length, `${testId} has series`).toBeGreaterThan(0);
    for (const s of chart.series) {
      expect(s.data.length, `${testId} / ${s.label} has points`).toBeGreaterThan(0);
      for (const p of s.data) {
        expect(Number.isFinite(p.x) && Number.isFinite(p.y), `${testId} / ${s.label}: ${JSON.stringify(p)}`).toBe(true);
      }
    }
    charts[testId!] = chart;
  }
  return charts;
}

/**
 * Violations that belong to VitePress's own chrome, not to our pages, and that we cannot fix from the
 * theme: the local-search button's accessible name ("Search") does not contain its visible keyboard hint
 * (label-content-name-mismatch), and collapsible sidebar groups put a role="button" caret around the group
 * link (nested-interactive). Only nodes inside the nav bar or the sidebar are waived, and only for these
 * two rules; the same rules still apply to everything else on the page.
 */
const VITEPRESS_CHROME = '.VPNav, .VPNavBar, .VPSidebar, .VPLocalNav, .DocSearch';
const WAIVED_IN_CHROME = new Set(['label-content-name-mismatch', 'nested-interactive']);

/** Rules enforced whatever impact axe gives them: the accessibility basics of the issue. */
const ALWAYS = ['heading-order', 'image-alt', 'button-name', 'label', 'select-name', 'empty-heading', 'page-has-heading-one'];

/** axe-core's serious and critical violations on the page, and any of {@link ALWAYS} (less the waived VitePress chrome nodes). */
async function seriousViolations(): Promise<string[]> {
  await page.addScriptTag({ path: AXE });
  return page.evaluate(
    async ({ chrome, waived, always }) => {
      interface AxeResult {
        violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
      }
      const axe = (window as unknown as { axe: { run: (ctx: Document, opts: object) => Promise<AxeResult> } }).axe;
      const { violations } = await axe.run(document, { resultTypes: ['violations'] });
      const inChrome = (selector: string): boolean => document.querySelector(selector)?.closest(chrome) != null;
      return violations
        .filter((v) => v.impact === 'serious' || v.impact === 'critical' || always.includes(v.id))
        .map((v) => ({ ...v, nodes: waived.includes(v.id) ? v.nodes.filter((n) => !inChrome(n.target[0] ?? '')) : v.nodes }))
        .filter((v) => v.nodes.length > 0)
        .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
    },
    { chrome: VITEPRESS_CHROME, waived: [...WAIVED_IN_CHROME], always: ALWAYS },
  );
}

describe('live demos', () => {
  for (const demo of DEMOS) {
    it(`question ${demo.id} (${demo.slug}): the demo runs ${demo.tensor ? 'on webgl and webgpu' : 'once'}, plots sane data, leaks nothing, runs from the keyboard, passes axe`, async () => {
      const seen = problems.errors.length;
      const times: string[] = [];
      let t0 = performance.now();
      const lap = (what: string) => {
        times.push(`${what} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        t0 = performance.now();
      };
      try {
        await openQuestion(demo);
        lap('open');
        for (const backend of demo.tensor ? ['webgl', 'webgpu'] : [null]) {
          await runDemo(demo.id, backend);
          lap(backend ?? 'run');
          demo.check(await readCharts(demo.id));
          const leaked = await page.getByTestId(`demo-${demo.id}`).getByTestId('demo-result').getAttribute('data-leaked-tensors');
          expect(leaked, `tensors left by demo ${demo.id} on ${backend ?? 'its own backend'}`).toBe('0');
        }
        await page.screenshot({ path: join(SCREENSHOTS, `${demo.slug}.png`), fullPage: true });
        lap('screenshot');
        expect(await seriousViolations()).toEqual([]);
        lap('axe');
        expect(problems.errors.slice(seen)).toEqual([]);
        if (TIMINGS) console.log(`question ${demo.id}: ${times.join(', ')}`);
      } catch (err) {
        // Start the next question from a fresh page load, so one failure does not cascade.
        await page.goto('about:blank');
        throw err;
      }
    });
  }
});
