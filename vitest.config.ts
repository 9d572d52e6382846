import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    reporters: ['default'],
    coverage: {
      provider: 'v8',
      include: ['src/**/*.ts'],
      // The summary in the test output; the per-file table and HTML under coverage/ (not committed).
      reporter: ['text-summary', ['text', { file: 'coverage.txt' }], 'html'],
      reportsDirectory: 'coverage',
    },
  },
});
