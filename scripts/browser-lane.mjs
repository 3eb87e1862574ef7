// `pnpm test:browser`: the browser lane alone (every tensor package's tests on webgl and webgpu in one
// headless Chromium), as `npm test` runs it. Expects the packages built (`pnpm build`).
import { join } from 'node:path';
import { ensureChromium, ensurePnpm, repo, run } from './lib/tools.mjs';
import { printTally, tally } from './lib/results.mjs';

const env = ensurePnpm();
const chromium = ensureChromium();
const report = join(repo, '.cache', 'browser-lane.json');
run('vitest', ['run', '--config', 'vitest.browser.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)], {
  env: { ...env, PREP_CHROMIUM: chromium },
});
if (!printTally('Browser lane', tally([report]), ['webgl', 'webgpu'])) process.exit(1);
