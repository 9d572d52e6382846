import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Every core (vitest's default leaves one idle): most files wait on child processes, moto_server or loopback
    // servers, so two workers on two cores take the suite from ~4 to ~2.5 minutes.
    maxWorkers: availableParallelism(),
    // Test files share their worker's module cache instead of importing the AWS SDK, the CDK and the engine again
    // for each file (imports were ~40% of the run): ~265 s → ~200 s on 2 cores. The price is hygiene: a file
    // gives back what it changes globally (aws-sdk-client-mock stubs are restored in afterAll; shared temp
    // directories are made again when another file removed them).
    isolate: false,
    // CLI tests run the built binary several times per test; on 2 loaded cores (workers, their children, moto) one
    // start of the CLI takes 2–4 s instead of 0.5 s, so a five-step test needs far more than its usual ~5 s.
    testTimeout: 120_000,
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
