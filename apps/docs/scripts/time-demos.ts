/**
 * `pnpm --filter @prep/docs run time-demos`: runs every question page's demo at its DEFAULT size (what a
 * reader gets) in headless Chromium against the built site, on the backends given (default: webgl), and
 * prints how long each took. Not part of the test command: SwiftShader runs WebGL/WebGPU on the CPU, so
 * these are upper bounds for a machine with a GPU. Build the site first (`pnpm docs`).
 *
 *   tsx scripts/time-demos.ts [--backend webgl|webgpu|wasm|cpu]
 */
import { join } from 'node:path';
import { serve } from '../../../scripts/serve.mjs';
import { launchChromium } from '../test/browser.js';
import { questions } from '@prep/question-bank';

const argv = process.argv.slice(2);
const backend = argv.includes('--backend') ? (argv[argv.indexOf('--backend') + 1] ?? 'webgl') : 'webgl';
const dist = join(import.meta.dirname, '..', '.vitepress', 'dist');
const { server, url } = await serve(dist, { port: 0, quiet: true });
const browser = await launchChromium();
const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
const rows: string[] = [];
try {
  for (const q of questions) {
    await page.goto(new URL(`questions/${q.slug}.html`, url).href, { waitUntil: 'networkidle' });
    const frame = page.getByTestId(`demo-${q.id}`);
    const select = frame.getByTestId('backend-select');
    const tensor = (await select.count()) > 0;
    if (tensor) await select.selectOption(backend);
    const t0 = performance.now();
    await frame.getByTestId('run').click();
    await page.waitForFunction(
      (id) => ['done', 'error', 'cancelled'].includes(document.querySelector(`[data-testid="demo-${id}"] [data-testid="status"]`)?.getAttribute('data-status') ?? ''),
      q.id,
      { timeout: 300_000, polling: 100 },
    );
    const seconds = (performance.now() - t0) / 1000;
    const status = await frame.getByTestId('status').getAttribute('data-status');
    const row = `| ${q.id}. ${q.title} | ${tensor ? backend : 'no tensors'} | ${seconds.toFixed(1)} s | ${status ?? '?'} |`;
    console.log(row);
    rows.push(row);
  }
} finally {
  await browser.close();
  server.close();
}
console.log(['', '| question | backend | default-size run (click to done) | status |', '| --- | --- | --- | --- |', ...rows].join('\n'));
