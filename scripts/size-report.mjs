// Minified + gzipped size of one named import from each publishable package (tfjs external), against the
// budget in the package's package.json ("prep": { "size": { "import", "budgetBytes" } }). Over budget fails.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { repo } from './lib/tools.mjs';

let over = 0;
const rows = [];
for (const dir of readdirSync(join(repo, 'packages'))) {
  const manifestPath = join(repo, 'packages', dir, 'package.json');
  if (!existsSync(manifestPath)) continue;
  const pkg = JSON.parse(readFileSync(manifestPath, 'utf8'));
  if (pkg.private) continue;
  const size = pkg.prep?.size;
  if (!size) {
    console.error(`${pkg.name}: no "prep.size" budget in package.json`);
    over++;
    continue;
  }
  const entry = join(repo, 'packages', dir, 'dist', 'index.js');
  const result = await build({
    stdin: { contents: `export { ${size.import} } from ${JSON.stringify(entry)};`, resolveDir: repo, loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    external: ['@tensorflow/*', '@prep/*'],
    logLevel: 'silent',
  });
  const code = result.outputFiles[0].contents;
  const gz = gzipSync(code, { level: 9 }).length;
  const ok = gz <= size.budgetBytes;
  if (!ok) over++;
  rows.push(`  ${pkg.name.padEnd(26)} ${size.import.padEnd(30)} ${String(code.length).padStart(7)} B min  ${String(gz).padStart(6)} B gz  budget ${size.budgetBytes} B ${ok ? '' : '  OVER BUDGET'}`);
}
console.log('Size of one named import (minified, gzip -9; tfjs and other @prep packages external):');
console.log(rows.join('\n'));
if (over) {
  console.error(`${over} package(s) over budget or without one`);
  process.exit(1);
}
