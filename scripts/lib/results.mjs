// Reads vitest JSON reports and counts tests per backend, so every lane shows what it really ran.
import { existsSync, readFileSync } from 'node:fs';

const BACKEND = /\[(cpu|wasm|webgl|webgpu)\]/;

/** Tallies passed/failed/skipped tests per backend tag ('pure' when a test names no backend). */
export function tally(files) {
  const counts = {};
  for (const file of files) {
    if (!existsSync(file)) continue;
    const report = JSON.parse(readFileSync(file, 'utf8'));
    for (const suite of report.testResults ?? []) {
      for (const test of suite.assertionResults ?? []) {
        const name = [...(test.ancestorTitles ?? []), test.title].join(' ');
        const backend = BACKEND.exec(name)?.[1] ?? 'pure';
        const entry = (counts[backend] ??= { passed: 0, failed: 0, skipped: 0 });
        if (test.status === 'passed') entry.passed++;
        else if (test.status === 'failed') entry.failed++;
        else entry.skipped++;
      }
    }
  }
  return counts;
}

/** Prints the tally; returns false when something failed or was skipped, or an expected backend ran nothing. */
export function printTally(lane, counts, expected) {
  let ok = true;
  console.log(`\n${lane}:`);
  for (const backend of [...new Set([...expected, ...Object.keys(counts)])]) {
    const c = counts[backend] ?? { passed: 0, failed: 0, skipped: 0 };
    const note = [];
    if (c.failed) note.push('FAILED');
    if (c.skipped) note.push('skipped tests are not allowed');
    if (expected.includes(backend) && c.passed === 0) note.push('no test ran on this backend');
    if (note.length) ok = false;
    console.log(`  ${backend.padEnd(7)} ${String(c.passed).padStart(5)} passed  ${c.failed} failed  ${c.skipped} skipped ${note.join('; ')}`);
  }
  return ok;
}
