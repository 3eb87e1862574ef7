import { defineConfig } from 'vitest/config';

// The site tests drive headless Chromium with playwright against the built site (run `pnpm docs` first).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'claims/**/*.test.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
