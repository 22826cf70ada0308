/**
 * Names, at the end of the run, every test that did not run and why, so that a test skipped for want
 * of a tool (the report's browser test without Chromium) is never mistaken for a passed one. Vitest's
 * own summary only counts skipped tests; this lists them with the note given to `ctx.skip(note)`.
 */
import type { Reporter, TestModule } from 'vitest/node';

/** One test that did not run. */
export interface NotRunTest {
  /** The test file, relative to the project root. */
  readonly file: string;
  /** Suite and test names joined by " > ". */
  readonly name: string;
  /** Why it did not run, as given to `ctx.skip(note)`. */
  readonly note?: string;
}

/** The lines printed for the tests that did not run; none when every test ran. */
export function notRunLines(tests: readonly NotRunTest[]): string[] {
  if (tests.length === 0) return [];
  return [
    '',
    `NOT RUN: ${tests.length} test${tests.length === 1 ? '' : 's'} did not run (skipped, not passed):`,
    ...tests.map((test) => `  NOT RUN  ${test.file} > ${test.name}: ${test.note ?? 'skipped without a reason'}`),
  ];
}

/** Collects the skipped tests of the finished modules. */
export function notRunTests(modules: readonly TestModule[]): NotRunTest[] {
  return modules.flatMap((module) =>
    [...module.children.allTests('skipped')].map((test): NotRunTest => {
      const result = test.result();
      const note = result.state === 'skipped' ? result.note : undefined;
      return { file: module.relativeModuleId, name: test.fullName, ...(note === undefined ? {} : { note }) };
    }),
  );
}

/**
 * Vitest reporter that prints {@link notRunLines} right after Vitest's summary and, when a coverage
 * report follows (its per-file table is long), once more after it, so the list is the run's last word.
 */
export default class NotRunReporter implements Reporter {
  private lines: string[] = [];

  constructor(private readonly write: (text: string) => void = (text) => void process.stdout.write(text)) {}

  onTestRunEnd(modules: readonly TestModule[]): void {
    this.lines = notRunLines(notRunTests(modules));
    this.print();
  }

  /** Called by Vitest after it has printed the coverage report (not called when failures suppress that report). */
  onFinishedReportCoverage(): void {
    this.print();
  }

  private print(): void {
    if (this.lines.length > 0) this.write(`${this.lines.join('\n')}\n`);
  }
}
