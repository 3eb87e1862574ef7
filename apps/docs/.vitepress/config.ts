import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { defineConfig, type DefaultTheme } from 'vitepress';
import markdownItKatex from '@vscode/markdown-it-katex';

interface PackageEntry {
  dir: string;
  name: string;
  pages: string[];
  api: string;
}

const dataFile = join(import.meta.dirname, 'data', 'packages.json');
const packages: PackageEntry[] = existsSync(dataFile) ? (JSON.parse(readFileSync(dataFile, 'utf8')) as PackageEntry[]) : [];

interface QuestionEntry {
  id: number;
  slug: string;
  title: string;
}
const questionsFile = join(import.meta.dirname, 'data', 'questions.json');
const questions: QuestionEntry[] = existsSync(questionsFile) ? (JSON.parse(readFileSync(questionsFile, 'utf8')) as QuestionEntry[]) : [];

const packageSidebar: DefaultTheme.SidebarItem[] = packages.map((p) => ({
  text: p.name,
  collapsed: true,
  items: [
    { text: 'Overview', link: `/packages/${p.dir}/` },
    ...(p.pages.includes('benchmarks') ? [{ text: 'Benchmarks', link: `/packages/${p.dir}/benchmarks` }] : []),
    ...(p.pages.includes('changelog') ? [{ text: 'Changelog', link: `/packages/${p.dir}/changelog` }] : []),
    { text: 'API', link: p.api, target: '_self' },
  ],
}));

const MATHML_TAGS = new Set([
  'math', 'annotation', 'semantics', 'mrow', 'mi', 'mn', 'mo', 'ms', 'mspace', 'mtext', 'menclose', 'merror',
  'mfenced', 'mfrac', 'mpadded', 'mphantom', 'mroot', 'msqrt', 'mstyle', 'mmultiscripts', 'mover', 'mprescripts',
  'msub', 'msubsup', 'msup', 'munder', 'munderover', 'mtable', 'mtd', 'mtr', 'mlabeledtr', 'maction', 'maligngroup',
  'malignmark', 'mglyph', 'none', 'semantics',
]);

export default defineConfig({
  title: '@prep',
  description: 'Small, reusable ML packages for TensorFlow.js, one concept each, with live demos',
  lang: 'en-US',
  head: [['link', { rel: 'icon', type: 'image/svg+xml', href: '/favicon.svg' }]],
  cleanUrls: false,
  lastUpdated: false,
  // The API pages are typedoc's own HTML under /api/, copied from public/; VitePress does not know them.
  ignoreDeadLinks: [/^\/api\//],
  themeConfig: {
    nav: [
      ...(questions.length ? [{ text: 'Questions', link: '/questions/' }] : []),
      { text: 'Guide', link: '/guide/backends' },
      { text: 'Packages', link: packages[0] ? `/packages/${packages[0].dir}/` : '/' },
      { text: 'API', link: '/api/index.html', target: '_self' },
    ],
    sidebar: [
      ...(questions.length
        ? [{ text: 'The ten questions', items: questions.map((q) => ({ text: `${q.id}. ${q.title}`, link: `/questions/${q.slug}` })) }]
        : []),
      { text: 'Guide', items: [{ text: 'Backends, wasm files and gradients', link: '/guide/backends' }] },
      { text: 'Packages', items: packageSidebar },
    ],
    search: { provider: 'local' },
    outline: [2, 3],
  },
  markdown: {
    // $…$ and $$…$$ in markdown pages, rendered by KaTeX at build time.
    config: (md) => {
      // The package is CommonJS with its plugin on `.default`; its markdown-it types lag VitePress's.
      const plugin = (markdownItKatex as unknown as { default?: unknown }).default ?? markdownItKatex;
      md.use(plugin as Parameters<typeof md.use>[0]);
    },
  },
  vue: {
    // KaTeX emits MathML next to its HTML; let Vue pass those elements through.
    template: { compilerOptions: { isCustomElement: (tag) => MATHML_TAGS.has(tag) } },
  },
  vite: {
    // tfjs is large; it loads only on pages with demos, in the browser.
    build: { chunkSizeWarningLimit: 4096 },
    ssr: { noExternal: [] },
  },
});
