import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';

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
