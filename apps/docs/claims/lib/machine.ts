import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** "<nproc> cores, <cpu model>, Node <version>" for the provenance line of claims.json. */
export function machineLine(): string {
  let model = cpus()[0]?.model?.trim() ?? 'unknown CPU';
  try {
    const info = readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.+)$/m);
    if (info?.[1]) model = info[1].trim();
  } catch {
    // not Linux: keep os.cpus()'s model
  }
  return `${cpus().length} cores, ${model}, Node ${process.versions.node}`;
}
