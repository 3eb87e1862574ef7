import { chromium, type Browser, type Page } from 'playwright';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--enable-unsafe-swiftshader',
  '--enable-unsafe-webgpu',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.PREP_CHROMIUM ?? '/usr/bin/chromium', args: CHROMIUM_ARGS });
}

/** Problems a page reported: console errors, uncaught exceptions, failed or 4xx/5xx requests. */
export interface PageProblems {
  errors: string[];
}

export function watchProblems(page: Page): PageProblems {
  const problems: PageProblems = { errors: [] };
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.errors.push(`console: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.errors.push(`pageerror: ${err.message}`));
  page.on('requestfailed', (req) => problems.errors.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`));
  page.on('response', (res) => {
    if (res.status() >= 400) problems.errors.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  return problems;
}

export const OUTPUT_DIR = join(import.meta.dirname, '..', 'test-output');
mkdirSync(OUTPUT_DIR, { recursive: true });
