// Packs every publishable package, installs the tarballs with npm into an empty project outside the
// workspace together with @tensorflow/tfjs (what most users install), and runs each package's
// consumer/ checks there: an ESM script, a CJS script (on every --node given) and a TypeScript consumer
// type-checked with moduleResolution node16 and bundler.
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { repo, run, capture } from './lib/tools.mjs';

const args = process.argv.slice(2);
const nodes = args.flatMap((a, i) => (a === '--node' && args[i + 1] ? [resolve(args[i + 1])] : []));
if (nodes.length === 0) nodes.push(process.execPath);
const keep = args.includes('--keep');

const rootManifest = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8'));
const tsVersion = rootManifest.devDependencies.typescript;

const publishable = readdirSync(join(repo, 'packages'))
  .filter((dir) => existsSync(join(repo, 'packages', dir, 'package.json')))
  .map((dir) => ({ dir, pkg: JSON.parse(readFileSync(join(repo, 'packages', dir, 'package.json'), 'utf8')) }))
  .filter(({ pkg }) => !pkg.private);
// Examples are installed from the same tarballs when they carry a consumer/ folder (issue: examples use
// only what is published).
const examples = existsSync(join(repo, 'examples'))
  ? readdirSync(join(repo, 'examples')).filter((dir) => existsSync(join(repo, 'examples', dir, 'consumer')))
  : [];

const work = mkdtempSync(join(tmpdir(), 'prep-pack-'));
const tarballs = join(work, 'tarballs');
const project = join(work, 'project');
mkdirSync(tarballs);
mkdirSync(project);
console.log(`[pack] working in ${work}`);

try {
  for (const { dir } of publishable) {
    run('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(repo, 'packages', dir), label: `pnpm pack ${dir}` });
  }
  const files = readdirSync(tarballs).filter((f) => f.endsWith('.tgz'));
  for (const f of files) {
    const listing = capture('tar', ['-tzf', join(tarballs, f)]) ?? '';
    const unexpected = listing.split('\n').filter((p) => !/^package\/(dist\/|package\.json$|README\.md$|LICENSE$|CHANGELOG\.md$)/.test(p));
    if (unexpected.length) throw new Error(`${f} ships files outside dist/: ${unexpected.join(', ')}`);
  }

  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'prep-consumer', private: true, type: 'module' }, null, 2));
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--loglevel=error', ...files.map((f) => join(tarballs, f)), '@tensorflow/tfjs@4.22.0', `typescript@${tsVersion}`, '@types/node@20'],
    { cwd: project, label: 'npm install tarballs' },
  );

  const consumers = [
    ...publishable.filter(({ dir }) => existsSync(join(repo, 'packages', dir, 'consumer'))).map(({ dir }) => ({ name: dir, from: join(repo, 'packages', dir, 'consumer') })),
    ...examples.map((dir) => ({ name: `example-${dir}`, from: join(repo, 'examples', dir, 'consumer') })),
  ];
  for (const { name, from } of consumers) cpSync(from, join(project, name), { recursive: true });
  // An example's own sources go beside its consumer scripts: type-checked below with the consumers, and
  // compiled to <name>/dist (node16 ESM) against the installed tarballs, so its consumer runs the example
  // exactly as published packages let it.
  for (const dir of examples) {
    const name = `example-${dir}`;
    cpSync(join(repo, 'examples', dir, 'src'), join(project, name, 'src'), { recursive: true });
    const config = `tsconfig.${name}.json`;
    const compilerOptions = { strict: true, skipLibCheck: true, target: 'ES2022', lib: ['ES2022', 'DOM'], types: [], module: 'node16', moduleResolution: 'node16', rootDir: `${name}/src`, outDir: `${name}/dist` };
    writeFileSync(join(project, config), JSON.stringify({ compilerOptions, include: [`${name}/src/**/*.ts`] }));
    run(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], { cwd: project, label: `tsc -p ${config} (compile the example)` });
  }

  for (const node of nodes) {
    const version = capture(node, ['--version']);
    for (const { name } of consumers) {
      for (const script of ['esm.mjs', 'cjs.cjs']) {
        if (existsSync(join(project, name, script))) run(node, [join(name, script)], { cwd: project, label: `${name}/${script} on Node ${version}` });
      }
    }
  }

  const base = { strict: true, noEmit: true, skipLibCheck: true, target: 'ES2022', lib: ['ES2022', 'DOM'], types: ['node'] };
  const include = consumers.map(({ name }) => `${name}/**/*.ts`);
  writeFileSync(join(project, 'tsconfig.node16.json'), JSON.stringify({ compilerOptions: { ...base, module: 'node16', moduleResolution: 'node16' }, include }));
  writeFileSync(join(project, 'tsconfig.bundler.json'), JSON.stringify({ compilerOptions: { ...base, module: 'esnext', moduleResolution: 'bundler' }, include }));
  for (const config of ['tsconfig.node16.json', 'tsconfig.bundler.json']) {
    run(process.execPath, [join(project, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', config], { cwd: project, label: `tsc -p ${config}` });
  }
  console.log(`[pack] ${files.length} tarballs installed; ${consumers.length} consumers passed on ${nodes.length} Node version(s) and 2 module resolutions`);
} finally {
  if (!keep) rmSync(work, { recursive: true, force: true });
}
