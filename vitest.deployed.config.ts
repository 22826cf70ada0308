import { defineConfig } from 'vitest/config';

/**
 * The post-deployment suites, run against a deployed environment by the pipeline:
 * `vitest run --config vitest.deployed.config.ts integration|e2e|smoke`. Their files end in
 * `.suite.ts`, so `npm test` (which runs `*.test.ts`) does not pick them up; the shared scenarios
 * are exercised against the emulator by test/integration/worker/deployed-suites.test.ts.
 */
export default defineConfig({
  test: {
    include: ['test/deployed/**/*.suite.ts'],
    pool: 'forks',
    maxWorkers: 1,
    testTimeout: 10 * 60_000,
    hookTimeout: 2 * 60_000,
    reporters: ['default', ['junit', { outputFile: 'reports/junit-deployed.xml' }]],
  },
});
