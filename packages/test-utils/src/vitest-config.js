// Plain JS (not TS): vitest loads config files through Node, which cannot import .ts from a linked package.
import { defineConfig } from 'vitest/config';

/**
 * Node-lane vitest config shared by every package: `test/**\/*.test.ts` in forked workers, with a JSON
 * report in `.test-results/<lane>.json` that the test command tallies per backend.
 * @param {{ testTimeout?: number }} [options]
 */
export function nodeLaneConfig(options = {}) {
  const lane = process.env.PREP_NODE_LANE ?? `node-${process.versions.node.split('.')[0]}`;
  return defineConfig({
    test: {
      include: ['test/**/*.test.ts'],
      environment: 'node',
      pool: 'forks',
      testTimeout: options.testTimeout ?? 60_000,
      hookTimeout: 60_000,
      reporters: ['default', 'json'],
      outputFile: { json: `.test-results/${lane}.json` },
    },
  });
}
