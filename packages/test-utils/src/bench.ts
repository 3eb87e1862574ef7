import { cpus } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';

/** Median wall time of `fn` in milliseconds over `repeats` runs after `warmup` runs. */
export async function timeMs(fn: () => unknown, { repeats = 5, warmup = 1 } = {}): Promise<number> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

/** One line describing the machine, for BENCHMARKS.md. */
export function machineLine(): string {
  const list = cpus();
  let model = list[0]?.model ?? 'unknown CPU';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const m = /model name\s*:\s*(.*)/.exec(info);
    if (m?.[1]) model = m[1].trim();
  } catch {
    // not Linux: keep os.cpus()
  }
  return `${list.length} cores (nproc), ${model}, Node ${process.version}`;
}

/** Renders rows as a GitHub markdown table. */
export function markdownTable(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** A section of BENCHMARKS.md: a heading, a sentence on what is measured, a table. */
export interface BenchSection {
  heading: string;
  description?: string;
  table: string;
}

/**
 * Rewrites `path` (a package's BENCHMARKS.md) with the date, machine, backend and command, then the
 * sections. Benchmarks report ratios against baselines measured in the same run.
 */
export function writeBenchmarks(path: string, options: { title: string; command: string; backend: string; intro?: string; sections: BenchSection[] }): void {
  const date = new Date().toISOString().slice(0, 10);
  const lines = [
    `# ${options.title}`,
    '',
    options.intro ?? '',
    '',
    `- Date: ${date}`,
    `- Machine: ${machineLine()}`,
    `- Backend: ${options.backend}`,
    `- Command: \`${options.command}\``,
    '',
  ];
  for (const section of options.sections) {
    lines.push(`## ${section.heading}`, '');
    if (section.description) lines.push(section.description, '');
    lines.push(section.table, '');
  }
  writeFileSync(path, lines.filter((l, i, all) => !(l === '' && all[i - 1] === '')).join('\n'));
}
