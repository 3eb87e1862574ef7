/**
 * The browser lane: every tensor package's suite in one headless Chromium (vitest browser mode), so the
 * browser starts once. `describeBackends` runs each suite on webgl and webgpu there and asserts that tfjs
 * really uses the backend asked for. On a machine without a GPU Chromium renders both through SwiftShader.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';

const root = import.meta.dirname;

/** Packages that take @tensorflow/tfjs-core as a peer dependency are tensor packages. */
function tensorPackages(): string[] {
  const dir = join(root, 'packages');
  return readdirSync(dir).filter((name) => {
    const manifest = join(dir, name, 'package.json');
    if (!existsSync(manifest)) return false;
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as { peerDependencies?: Record<string, string> };
    return Boolean(pkg.peerDependencies?.['@tensorflow/tfjs-core']);
  });
}

const chromium = process.env.PREP_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  optimizeDeps: {
    // Pre-bundled up front so that discovering them mid-run does not reload the page.
    include: [
      '@prep/test-utils > @tensorflow/tfjs',
      '@prep/test-utils > @tensorflow/tfjs-core',
      '@prep/test-utils > @tensorflow/tfjs-backend-webgpu',
    ],
  },
  test: {
    include: tensorPackages().map((name) => `packages/${name}/test/**/*.test.ts`),
    exclude: ['**/*.node.test.ts', '**/node_modules/**'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: {
          executablePath: chromium,
          args: [
            '--no-sandbox',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--enable-unsafe-swiftshader',
            '--enable-unsafe-webgpu',
          ],
        },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
});
