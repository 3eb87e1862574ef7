// The README's worked example, as code: `pnpm run readme` rewrites the block between the report markers
// in README.md with this output, and test/readme.test.ts fails when the two drift apart.
import { readFileSync, writeFileSync } from 'node:fs';
import { experimentReport, formatExperimentReport, sampleSize } from '../src/index.js';

/** Five seeds (seed i shares the data order across methods), one new optimizer and four baselines. */
export const fiveSeedsFourBaselines = {
  ours: [92.1, 91.8, 92.3, 91.9, 92.0],
  adamw: [91.6, 91.5, 91.9, 91.4, 91.7],
  lion: [91.9, 91.6, 92.2, 91.7, 91.8],
  'adamw+cosine': [91.8, 91.9, 92.1, 91.6, 92.0],
  sgd: [89.2, 88.7, 89.9, 89.1, 88.8],
};

export function readmeExampleOutput(): string {
  const report = experimentReport(fiveSeedsFourBaselines, { baseline: ['adamw', 'lion', 'adamw+cosine', 'sgd'], paired: true });
  const table = formatExperimentReport(report, { format: 'text' });
  const cosine = report.comparisons.find((c) => c.baseline === 'adamw+cosine')!;
  const seeds = sampleSize({ effectSize: cosine.effectSize.value, power: 0.8, design: 'paired', alpha: 0.05 / 4 });
  return `${table}\n\n// seeds for 80% power against adamw+cosine at d_z = ${cosine.effectSize.value.toFixed(2)}, Bonferroni α = 0.0125: ${seeds.toFixed(1)}`;
}

const START = '<!-- report:start -->';
const END = '<!-- report:end -->';

/** The README with its report block replaced by `output`. */
export function withReport(readme: string, output: string): string {
  const start = readme.indexOf(START);
  const end = readme.indexOf(END);
  if (start < 0 || end < start) throw new Error('README.md: report markers not found');
  return `${readme.slice(0, start + START.length)}\n\`\`\`text\n${output}\n\`\`\`\n${readme.slice(end)}`;
}

if (process.argv[1]?.endsWith('readme-example.ts')) {
  const path = new URL('../README.md', import.meta.url);
  writeFileSync(path, withReport(readFileSync(path, 'utf8'), readmeExampleOutput()));
  console.log(readmeExampleOutput());
}
