// The README's first command: `npm start`. Installs (pinned pnpm, frozen lockfile), builds every package
// and the docs site, and serves the site on 127.0.0.1 (PORT env var, default 4173, next free port if taken).
import { join } from 'node:path';
import { ensurePnpm, repo, run, stopwatch } from './lib/tools.mjs';
import { serve } from './serve.mjs';

const clock = stopwatch();
const env = ensurePnpm();
try {
  clock.step('install (pnpm --frozen-lockfile)', () => run('pnpm', ['install', '--frozen-lockfile'], { env }));
  clock.step('build packages and the docs site', () => run('turbo', ['run', 'build', 'docs', '--output-logs=errors-only'], { env }));
} catch (err) {
  clock.report();
  console.error(`\n✗ ${err.message}`);
  process.exit(1);
}
clock.report();
const { url } = await serve(join(repo, 'apps', 'docs', '.vitepress', 'dist'), { port: Number(process.env.PORT ?? 4173), quiet: true });
console.log(`\n@prep docs: ${url}`);
console.log(`API of @prep/stats: ${url}api/modules/_prep_stats.html`);
console.log('Press Ctrl+C to stop.');
