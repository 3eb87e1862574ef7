/** What `claims.json` holds for one claim of the question bank (the shape ClaimsTable.vue renders). */
export interface ClaimResult {
  /** What we measured, one short line with units (empty only for 'not measurable here'). */
  measured: string;
  verdict: Verdict;
  /** Why: the rule applied, with the source's number and ours. */
  reason: string;
  /** The computed numbers behind `measured` (absent for 'not measurable here'). */
  value?: number | Record<string, unknown>;
}

export type Verdict = 'holds' | 'wrong' | 'not measurable here';

export const VERDICTS: readonly Verdict[] = ['holds', 'wrong', 'not measurable here'];

/** The whole file. */
export interface ClaimsFile {
  generatedAt: string;
  machine: string;
  command: string;
  backend: string;
  /** Per measurement: wall seconds of this run and the claims it decided. */
  measurements: Record<string, { seconds: number; claims: string[] }>;
  results: Record<string, ClaimResult>;
}

/** One implementation of a measurement of the question bank: returns a result for every claim naming it. */
export interface MeasurementRunner {
  /** The measurement id, e.g. 'paged-kv/simulate-seed-workload'. */
  id: string;
  run: () => Promise<Record<string, ClaimResult>>;
}
