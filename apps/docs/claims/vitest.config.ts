import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The claims test alone (from apps/docs: `pnpm exec vitest run --config claims/vitest.config.ts`); it reads
// the committed claims.json and never reruns a measurement.
export default defineConfig({
  root: dirname(fileURLToPath(import.meta.url)),
  test: { include: ['claims.test.ts'], environment: 'node' },
});
