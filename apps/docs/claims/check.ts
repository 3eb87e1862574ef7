import type { Claim } from '@prep/question-bank';
import { VERDICTS, type ClaimsFile } from './lib/types.js';

/**
 * Checks a claims.json against the question bank: one result per claim id and no other, a known verdict, a
 * measured value and number for every 'holds'/'wrong', a reason for every claim, and no measured number for
 * claims the bank marks not measurable. Returns the problems found (empty when it checks out).
 */
export function checkClaimsFile(file: Pick<ClaimsFile, 'generatedAt' | 'machine' | 'command' | 'results'>, claims: readonly Claim[]): string[] {
  const problems: string[] = [];
  if (typeof file.generatedAt !== 'string' || Number.isNaN(Date.parse(file.generatedAt))) problems.push(`generatedAt is not an ISO date: ${String(file.generatedAt)}`);
  if (typeof file.machine !== 'string' || !/^\d+ cores, .+, Node \d/.test(file.machine)) problems.push(`machine does not read "<n> cores, <cpu>, Node <v>": ${String(file.machine)}`);
  if (file.command !== 'pnpm claims') problems.push(`command is ${String(file.command)}, not 'pnpm claims'`);
  const results = file.results ?? {};
  const ids = new Set(claims.map((c) => c.id));
  for (const id of Object.keys(results)) if (!ids.has(id)) problems.push(`${id}: not a claim of the question bank`);
  for (const claim of claims) {
    const r = results[claim.id];
    if (!r) {
      problems.push(`${claim.id}: no result`);
      continue;
    }
    if (!VERDICTS.includes(r.verdict)) problems.push(`${claim.id}: verdict '${String(r.verdict)}' is not one of ${VERDICTS.join(', ')}`);
    if (typeof r.reason !== 'string' || r.reason.trim().length < 10) problems.push(`${claim.id}: no reason`);
    if (typeof r.measured !== 'string') problems.push(`${claim.id}: 'measured' is not a string`);
    if (claim.measuredBy === 'not-measurable') {
      if (r.verdict !== 'not measurable here') problems.push(`${claim.id}: the bank marks it not measurable, but the verdict is '${r.verdict}'`);
      if (r.value !== undefined || r.measured !== '') problems.push(`${claim.id}: not measurable, yet it carries a measured value`);
    } else {
      if (r.verdict === 'not measurable here') problems.push(`${claim.id}: measured by ${claim.measuredBy}, yet marked not measurable`);
      if (r.verdict === 'holds' || r.verdict === 'wrong') {
        if (r.measured.trim() === '') problems.push(`${claim.id}: '${r.verdict}' without a measured value`);
        if (r.value === undefined || r.value === null) problems.push(`${claim.id}: '${r.verdict}' without the computed numbers in 'value'`);
      }
    }
  }
  return problems;
}
