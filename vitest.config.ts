import { defineConfig } from 'vitest/config';
import NotRunReporter from './test/support/not-run-reporter.js';
import SlowFilesFirst from './test/support/slow-files-first.js';
import { TEST_WORKERS } from './test/support/workers.js';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // file-cpu.ts records each file's CPU when KIRO_FILE_CPU names a file, and does nothing otherwise.
    setupFiles: ['test/support/polyfills.ts', 'test/support/file-cpu.ts'],
    pool: 'forks',
    maxWorkers: TEST_WORKERS,
    // Test files share their worker's process instead of each starting a fresh one that imports
    // aws-cdk-lib, the AWS SDK and the project again (measured: 87 s wall / 47 s CPU isolated, 35 s /
    // 19 s shared, on the 40 domain test files). Safe because the files that spy on process.stdout or
    // stub environment variables restore them in afterEach, and each emulator user resets it
    // (docs/fast-feedback.md).
    isolate: false,
    sequence: { sequencer: SlowFilesFirst },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // NotRunReporter names every skipped test at the end, so a test without its tool never reads as passed.
    reporters: ['default', ['junit', { outputFile: 'reports/junit.xml' }], new NotRunReporter()],
    coverage: {
      // @vitest/coverage-v8, with the test files' coverage merged script by script in the main
      // process (test/support/project-coverage.ts): the same report, ~1 CPU-s less at the end of a
      // full run (docs/fast-feedback.md, "What no test file is charged for").
      provider: 'custom',
      customProviderModule: './test/support/project-coverage.ts',
      include: ['src/**/*.ts', 'infrastructure/lib/**/*.ts'],
      exclude: ['**/*.d.ts', 'src/**/index.ts'],
      // json-summary feeds `kiro-cd gate coverage` and the build metrics, cobertura the Build's
      // CodeBuild coverage report (codebuild-actions.ts); text and text-summary are the console's.
      // No html: nothing reads it, and it wrote a page per source file in every run.
      reporter: ['text-summary', 'text', 'json-summary', 'cobertura'],
      reportsDirectory: 'coverage',
      thresholds: { lines: 80, branches: 80, functions: 80, statements: 80 },
    },
  },
});
