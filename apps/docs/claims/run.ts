// The `claims` task: runs every measurement the question bank names with the @prep packages' public
// exports on the wasm backend, decides each claim's verdict by an explicit rule, and writes
// apps/docs/claims.json. Usage (from the repo root): pnpm --filter @prep/docs run claims
//   --only <measurement id>[,<id>…]   run some measurements and print them; writes nothing
//   --out <path>                      write somewhere else than apps/docs/claims.json
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { questions } from '@prep/question-bank';
import { machineLine } from './lib/machine.js';
import type { ClaimResult, ClaimsFile, MeasurementRunner } from './lib/types.js';
import { attentionMeasurements } from './measurements/attention.js';
import { contrastiveMeasurements } from './measurements/contrastive.js';
import { infoBottleneckMeasurements } from './measurements/info-bottleneck.js';
import { moeMeasurements } from './measurements/moe.js';
import { pagedKvMeasurements } from './measurements/paged-kv.js';
import { rlhfMeasurements } from './measurements/rlhf.js';
import { statsMeasurements } from './measurements/stats.js';
import { notMeasurableReasons } from './not-measurable.js';
import { checkClaimsFile } from './check.js';

const here = dirname(fileURLToPath(import.meta.url));

/** Every implementation, cheapest first, so a broken package shows up early. */
export const runners: readonly MeasurementRunner[] = [
  ...statsMeasurements,
  ...pagedKvMeasurements,
  ...moeMeasurements,
  ...attentionMeasurements,
  ...rlhfMeasurements,
  ...contrastiveMeasurements,
  ...infoBottleneckMeasurements,
];

function argValue(flag: string): string | undefined {
  const i = process.argv.indexOf(flag);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const only = argValue('--only')?.split(',').map((s) => s.trim());
  const out = resolve(argValue('--out') ?? join(here, '..', 'claims.json'));
  const claims = questions.flatMap((q) => q.claims);
  const byMeasurement = new Map<string, string[]>();
  for (const c of claims) byMeasurement.set(c.measuredBy, [...(byMeasurement.get(c.measuredBy) ?? []), c.id]);

  // Every measurement the bank names must have exactly one implementation, and every implementation a use.
  const known = new Set(runners.map((r) => r.id));
  const missing = [...byMeasurement.keys()].filter((id) => id !== 'not-measurable' && !known.has(id));
  if (missing.length > 0) throw new Error(`claims: no implementation for measurement(s) ${missing.join(', ')}`);
  const unused = runners.filter((r) => !byMeasurement.has(r.id)).map((r) => r.id);
  if (unused.length > 0) throw new Error(`claims: no claim names measurement(s) ${unused.join(', ')}`);
  if (only) {
    const unknown = only.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new Error(`claims: '--only' names unknown measurement(s) ${unknown.join(', ')}`);
  }

  await tf.setBackend('wasm');
  await tf.ready();
  if (tf.getBackend() !== 'wasm') throw new Error(`claims: the wasm backend did not start (got ${tf.getBackend()})`);

  const results: Record<string, ClaimResult> = {};
  const timings: ClaimsFile['measurements'] = {};
  const failures: string[] = [];
  const started = performance.now();
  for (const runner of runners) {
    if (only && !only.includes(runner.id)) continue;
    const expected = byMeasurement.get(runner.id)!;
    const t0 = performance.now();
    const tensorsBefore = tf.memory().numTensors;
    try {
      const got = await runner.run();
      const ids = Object.keys(got).sort();
      if (ids.join() !== [...expected].sort().join()) {
        throw new Error(`returned claims [${ids.join(', ')}], the bank expects [${[...expected].sort().join(', ')}]`);
      }
      Object.assign(results, got);
    } catch (error) {
      failures.push(`${runner.id}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    }
    const seconds = (performance.now() - t0) / 1000;
    timings[runner.id] = { seconds: Math.round(seconds * 10) / 10, claims: expected };
    const leaked = tf.memory().numTensors - tensorsBefore;
    console.log(`[claims] ${runner.id}: ${seconds.toFixed(1)} s${leaked > 0 ? ` (${leaked} tensors left behind)` : ''}`);
    for (const id of expected) if (results[id]) console.log(`  ${id}: ${results[id].verdict} — ${results[id].measured}`);
  }
  console.log(`[claims] ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
  if (failures.length > 0) {
    console.error(`[claims] ${failures.length} measurement(s) failed; claims.json not written:\n${failures.join('\n')}`);
    process.exitCode = 1;
    return;
  }
  if (only) return;

  for (const [id, reason] of Object.entries(notMeasurableReasons)) results[id] = { measured: '', verdict: 'not measurable here', reason };
  const ordered: Record<string, ClaimResult> = {};
  for (const c of claims) ordered[c.id] = results[c.id]!;
  const file: ClaimsFile = {
    generatedAt: new Date().toISOString(),
    machine: machineLine(),
    command: 'pnpm claims',
    backend: 'wasm',
    measurements: timings,
    results: ordered,
  };
  const problems = checkClaimsFile(file, claims);
  if (problems.length > 0) throw new Error(`claims: the result does not check out:\n${problems.join('\n')}`);
  writeFileSync(out, JSON.stringify(file, null, 2) + '\n');
  const counts = Object.values(ordered).reduce<Record<string, number>>((acc, r) => ({ ...acc, [r.verdict]: (acc[r.verdict] ?? 0) + 1 }), {});
  console.log(`[claims] wrote ${out}: ${claims.length} claims, ${Object.entries(counts).map(([v, n]) => `${n} ${v}`).join(', ')}`);
}

await main();
