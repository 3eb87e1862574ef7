// The README's test command: `npm test`. Installs what it needs (pinned pnpm, Node 24 from the npm
// registry, Chromium via apt-get when root), then runs every lane and check. Fails on the first red step.
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { capture, ensureChromium, ensureNode24, ensurePnpm, repo, run, stopwatch, withPath } from './lib/tools.mjs';
import { printTally, tally } from './lib/results.mjs';

const clock = stopwatch();
const env = ensurePnpm();
// Packages and examples: each writes its Node-lane report to .test-results/<lane>.json.
const projectDirs = ['packages', 'examples'].flatMap((group) =>
  existsSync(join(repo, group))
    ? readdirSync(join(repo, group)).filter((d) => existsSync(join(repo, group, d, 'package.json'))).map((d) => join(repo, group, d))
    : [],
);
const laneReports = (lane) => projectDirs.map((dir) => join(dir, '.test-results', `${lane}.json`));
let allOk = true;

try {
  clock.step('install (pnpm --frozen-lockfile)', () => run('pnpm', ['install', '--frozen-lockfile'], { env }));
  clock.step('build, typecheck, lint', () =>
    run('turbo', ['run', 'build', 'typecheck', 'lint', '--output-logs=errors-only'], { env }),
  );

  const node24 = clock.step('fetch Node 24', () => ensureNode24());
  for (const [lane, laneEnv] of [
    ['node-20', { ...env, PREP_NODE_LANE: 'node-20' }],
    ['node-24', withPath({ ...env, PREP_NODE_LANE: 'node-24' }, node24)],
  ]) {
    clock.step(`Node lane on ${capture('node', ['--version'], { env: laneEnv })} (cpu, wasm)`, () =>
      run('turbo', ['run', 'test', '--concurrency=2', '--output-logs=new-only'], { env: laneEnv }),
    );
    allOk = printTally(`Node lane ${lane}`, tally(laneReports(lane)), ['cpu', 'wasm', 'pure']) && allOk;
  }

  const chromium = clock.step('Chromium', () => ensureChromium());
  const browserReport = join(repo, '.cache', 'browser-lane.json');
  clock.step('browser lane (headless Chromium: webgl, webgpu)', () =>
    run('vitest', ['run', '--config', 'vitest.browser.config.ts', '--reporter=default', '--reporter=json', `--outputFile.json=${browserReport}`], {
      env: { ...env, PREP_CHROMIUM: chromium },
    }),
  );
  allOk = printTally('Browser lane', tally([browserReport]), ['webgl', 'webgpu']) && allOk;

  clock.step('packaging: publint --strict, attw --pack', () =>
    run('turbo', ['run', 'pack-check', '--output-logs=errors-only'], { env }),
  );
  clock.step('packaging: install the tarballs into an empty npm project (Node 20 and 24)', () =>
    run('node', ['scripts/pack-install-check.mjs', '--node', process.execPath, '--node', join(node24, 'node')], { env }),
  );
  clock.step('size of one named import per package', () => run('node', ['scripts/size-report.mjs'], { env }));
  clock.step('docs site: build and browser tests', () => {
    run('turbo', ['run', 'docs', '--output-logs=errors-only'], { env });
    run('pnpm', ['--filter', '@prep/docs', 'run', 'test:site'], { env: { ...env, PREP_CHROMIUM: chromium } });
  });
} catch (err) {
  clock.report();
  console.error(`\n✗ ${err.message}`);
  process.exit(1);
}
clock.report();
if (!allOk) {
  console.error('\n✗ a lane failed, skipped tests, or ran nothing on a backend (see the tallies above)');
  process.exit(1);
}
console.log('\n✓ all lanes and checks passed');
