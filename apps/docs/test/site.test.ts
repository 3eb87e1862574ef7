import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright';
import type { Server } from 'node:http';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { serve } from '../../../scripts/serve.mjs';
import { launchChromium, watchProblems } from './browser.js';

const dist = join(import.meta.dirname, '..', '.vitepress', 'dist');
let server: Server;
let baseUrl: string;
let browser: Browser;

beforeAll(async () => {
  ({ server, url: baseUrl } = await serve(dist, { port: 0, quiet: true }));
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
  server?.close();
});

function sitePages(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) {
        if (!['api', 'assets', 'tfjs-wasm'].includes(name) || dir !== dist) walk(path);
      } else if (name.endsWith('.html') && name !== '404.html') out.push(relative(dist, path));
    }
  };
  walk(dist);
  return out;
}

/**
 * Loads each path in Chromium (no console error, no failed request, HTTP 200), collects the internal
 * links of every page, and checks that each of them answers 200.
 */
async function expectPagesClean(paths: readonly string[]): Promise<void> {
    const context = await browser.newContext();
    const links = new Set<string>();
    for (const path of paths) {
      const page = await context.newPage();
      const problems = watchProblems(page);
      const res = await page.goto(new URL(path, baseUrl).href, { waitUntil: 'networkidle' });
      expect(res?.status(), path).toBe(200);
      expect(problems.errors, path).toEqual([]);
      const hrefs = await page.$$eval('a[href]', (as) => as.map((a) => (a as HTMLAnchorElement).href));
      for (const href of hrefs) if (href.startsWith(baseUrl)) links.add(href.split('#')[0]!);
      await page.close();
    }
    await context.close();
    const broken: string[] = [];
    for (const link of links) {
      const res = await fetch(link);
      if (res.status !== 200) broken.push(`${link} → ${res.status}`);
    }
    expect(broken).toEqual([]);
}

describe('docs site', () => {
  it('serves the typedoc API page of @prep/stats', async () => {
    const res = await fetch(new URL('api/modules/_prep_stats.html', baseUrl));
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('@prep/stats');
    expect(html).toContain('quantile');
  });

  it('the typedoc API: its index and every package page load without console errors, and their links resolve', async () => {
    const modules = readdirSync(join(dist, 'api', 'modules')).filter((name) => name.endsWith('.html'));
    expect(modules.length).toBeGreaterThanOrEqual(8);
    await expectPagesClean(['api/index.html', ...modules.map((name) => `api/modules/${name}`)]);
  });

  it('every page loads without console errors or failed requests, and its internal links resolve', async () => {
    const pages = sitePages();
    expect(pages.length).toBeGreaterThanOrEqual(4);
    await expectPagesClean(pages);
  });

  for (const backend of ['wasm', 'webgl', 'webgpu', 'cpu'] as const) {
    it(`runs attention on ${backend} in the browser (wasm binaries served by the site)`, async () => {
      const page = await browser.newPage();
      const problems = watchProblems(page);
      await page.goto(new URL('guide/backends.html', baseUrl).href, { waitUntil: 'networkidle' });
      await page.getByTestId('backend-select').selectOption(backend);
      await page.getByTestId('run').click();
      await page.locator('[data-status="done"], [data-status="error"]').waitFor({ state: 'attached', timeout: 60_000 });
      const failure = page.getByTestId('error');
      expect(await failure.count(), (await failure.count()) ? await failure.innerText() : '').toBe(0);
      const result = page.getByTestId('result');
      const data = JSON.parse((await result.getAttribute('data-result')) ?? '{}') as { backend: string; maxAbsError: number };
      expect(data.backend).toBe(backend);
      expect(data.maxAbsError).toBeLessThan(1e-4);
      expect(problems.errors).toEqual([]);
      await page.close();
    });
  }
});
