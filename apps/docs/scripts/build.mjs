// Builds the docs site: typedoc API → public/api, package pages from each README, the tfjs wasm
// binaries → public/tfjs-wasm (served from the site itself, no CDN), then `vitepress build`.
// `--prepare-only` stops before the VitePress build (for `vitepress dev`); `--data-only` writes only the
// package pages and their index (what type-checking the theme needs).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(dirname(fileURLToPath(import.meta.url)));
const repo = join(here, '..', '..');
const require = createRequire(import.meta.url);
const bin = (name) => join(here, 'node_modules', '.bin', name);
const started = performance.now();
const step = (label) => console.log(`[docs] ${label} (${((performance.now() - started) / 1000).toFixed(1)} s)`);

// 1. Publishable packages, in a stable order, with their READMEs.
const packages = readdirSync(join(repo, 'packages'))
  .map((dir) => ({ dir, manifest: join(repo, 'packages', dir, 'package.json') }))
  .filter(({ manifest }) => existsSync(manifest))
  .map(({ dir, manifest }) => ({ dir, pkg: JSON.parse(readFileSync(manifest, 'utf8')) }))
  .filter(({ dir, pkg }) => !pkg.private && existsSync(join(repo, 'packages', dir, 'src', 'index.ts')) && existsSync(join(repo, 'packages', dir, 'README.md')))
  .sort((a, b) => a.dir.localeCompare(b.dir));
// typedoc (entryPointStrategy: packages) documents exactly these packages.
const typedocArgs = packages.flatMap(({ dir }) => ['--entryPoints', join(repo, 'packages', dir)]);

// 2. Package pages: README → packages/<dir>/index.md, BENCHMARKS.md and CHANGELOG.md beside it.
const pagesDir = join(here, 'packages');
rmSync(pagesDir, { recursive: true, force: true });
const rewriteLinks = (markdown) =>
  markdown
    .replace(/\]\(\.?\/?BENCHMARKS\.md\)/g, '](./benchmarks.md)')
    .replace(/\]\(\.?\/?CHANGELOG\.md\)/g, '](./changelog.md)')
    .replace(/\]\(\.?\/?README\.md\)/g, '](./index.md)');
const index = [];
for (const { dir, pkg } of packages) {
  const out = join(pagesDir, dir);
  mkdirSync(out, { recursive: true });
  const files = { 'README.md': 'index.md', 'BENCHMARKS.md': 'benchmarks.md', 'CHANGELOG.md': 'changelog.md' };
  const present = [];
  for (const [source, target] of Object.entries(files)) {
    const path = join(repo, 'packages', dir, source);
    if (!existsSync(path)) continue;
    present.push(target.replace('.md', ''));
    writeFileSync(join(out, target), rewriteLinks(readFileSync(path, 'utf8')));
  }
  index.push({
    dir,
    name: pkg.name,
    version: pkg.version,
    description: pkg.description ?? '',
    question: pkg.prep?.question ?? '',
    status: pkg.prep?.status ?? 'in progress',
    pages: present,
    api: `/api/modules/${pkg.name.replace('@', '_').replace('/', '_')}.html`,
  });
}
mkdirSync(join(here, '.vitepress', 'data'), { recursive: true });
writeFileSync(join(here, '.vitepress', 'data', 'packages.json'), JSON.stringify(index, null, 2) + '\n');
step(`${index.length} package pages written`);

// 2b. Question pages from @prep/question-bank: our explanation, the claims table, the live demo.
const questionsDir = join(here, 'questions');
rmSync(questionsDir, { recursive: true, force: true });
const questionBank = join(repo, 'packages', 'question-bank', 'dist', 'index.js');
const questionIndex = [];
if (existsSync(questionBank)) {
  const { questions } = await import(pathToFileURL(questionBank).href);
  mkdirSync(questionsDir, { recursive: true });
  const demosDir = join(here, '.vitepress', 'theme', 'components', 'demos');
  for (const q of questions) {
    const demo = existsSync(join(demosDir, `Demo${q.id}.vue`));
    const page = [
      '---',
      `title: ${JSON.stringify(`Question ${q.id}: ${q.title}`)}`,
      `description: ${JSON.stringify(q.summary.slice(0, 150))}`,
      '---',
      '',
      `# ${q.id}. ${q.title}`,
      '',
      `<QuestionView :id="${q.id}" />`,
      '',
      '## The source\'s claims, checked {#claims}',
      '',
      'Each figure the source text gives, the value our packages measure or compute, and the verdict. The',
      'measurements run with `pnpm claims`; the table shows the committed `claims.json`.',
      '',
      `<ClaimsTable :question="${q.id}" />`,
      '',
      ...(demo ? ['## Try it {#demo}', '', `<ClientOnly><Demo${q.id} /></ClientOnly>`, ''] : []),
    ].join('\n');
    writeFileSync(join(questionsDir, `${q.slug}.md`), page);
    questionIndex.push({ id: q.id, slug: q.slug, title: q.title, difficulty: q.difficulty, packages: q.packages, demo });
  }
  writeFileSync(
    join(questionsDir, 'index.md'),
    [
      '# The ten questions',
      '',
      'Each page explains one interview question in our words, checks the source\'s figures against our',
      'measurements, and runs the concept live in your browser.',
      '',
      '| # | question | difficulty | packages |',
      '| --- | --- | --- | --- |',
      ...questionIndex.map((q) => `| ${q.id} | [${q.title}](./${q.slug}.md) | ${q.difficulty} | ${q.packages.join(', ')} |`),
      '',
    ].join('\n'),
  );
}
writeFileSync(join(here, '.vitepress', 'data', 'questions.json'), JSON.stringify(questionIndex, null, 2) + '\n');
// The claims table reads the committed claims.json (written by `pnpm claims`); none yet means no rows.
const claimsFile = join(here, 'claims.json');
writeFileSync(
  join(here, '.vitepress', 'data', 'claims.json'),
  existsSync(claimsFile) ? readFileSync(claimsFile, 'utf8') : JSON.stringify({ generatedAt: null, machine: null, results: {} }) + '\n',
);
step(`${questionIndex.length} question pages written`);
if (process.argv.includes('--data-only')) process.exit(0);

// 3. The wasm backend's binaries, served by the site itself (see guide/backends.md).
const wasmDist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
const wasmOut = join(here, 'public', 'tfjs-wasm');
mkdirSync(wasmOut, { recursive: true });
for (const file of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDist, file), join(wasmOut, file));
step('wasm binaries copied to public/tfjs-wasm');

if (process.argv.includes('--prepare-only')) {
  execFileSync(bin('typedoc'), typedocArgs, { cwd: here, stdio: 'inherit' });
  process.exit(0);
}

// 4. typedoc: one API site for every package (entryPointStrategy: packages).
execFileSync(bin('typedoc'), typedocArgs, { cwd: here, stdio: 'inherit' });
step('typedoc API written to public/api');

// 5. VitePress.
execFileSync(bin('vitepress'), ['build'], { cwd: here, stdio: 'inherit' });
step('site built in .vitepress/dist');
