import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TestModule } from 'vitest/node';
import { CHROMIUM_PATH_VARIABLE, findChromium } from '../../support/chromium.js';
import NotRunReporter, { notRunLines, notRunTests } from '../../support/not-run-reporter.js';

const scratch = mkdtempSync(join(tmpdir(), 'kiro-find-chromium-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('findChromium', () => {
  it('finds nothing, and says how to install it, when PATH points nowhere', () => {
    const search = findChromium({ PATH: join(scratch, 'nowhere') });
    expect(search).toEqual({ kind: 'missing', reason: expect.stringContaining('apt-get install -y chromium') as string });
  });

  it('finds nothing with no PATH at all', () => {
    expect(findChromium({}).kind).toBe('missing');
  });

  it('finds an executable chromium in a PATH directory, not a file that cannot run', () => {
    const notExecutable = join(scratch, 'plain');
    const executable = join(scratch, 'bin');
    for (const directory of [notExecutable, executable]) rmSync(directory, { recursive: true, force: true });
    for (const [directory, mode] of [[notExecutable, 0o644], [executable, 0o755]] as const) {
      mkdirSync(directory);
      const file = join(directory, 'chromium');
      writeFileSync(file, '#!/bin/sh\n');
      chmodSync(file, mode);
    }
    expect(findChromium({ PATH: [join(scratch, 'nowhere'), notExecutable, executable].join(delimiter) })).toEqual({ kind: 'found', path: join(executable, 'chromium') });
  });

  it('takes the override variable before PATH, and names it, without falling back to PATH, when it points at nothing', () => {
    expect(findChromium({ [CHROMIUM_PATH_VARIABLE]: '/opt/chrome', PATH: '/usr/bin' }, (path) => path === '/opt/chrome')).toEqual({ kind: 'found', path: '/opt/chrome' });
    expect(findChromium({ [CHROMIUM_PATH_VARIABLE]: '/opt/none', PATH: '/usr/bin' }, (path) => path !== '/opt/none')).toEqual({ kind: 'missing', reason: `${CHROMIUM_PATH_VARIABLE}=/opt/none is not an executable file` });
  });
});

/** Just the parts of Vitest's TestModule and TestCase the reporter reads. */
function fakeModule(file: string, tests: readonly { name: string; note?: string }[]): TestModule {
  return {
    relativeModuleId: file,
    children: {
      *allTests(state?: string) {
        if (state !== 'skipped') throw new Error(`the reporter should ask for skipped tests, asked for ${String(state)}`);
        for (const test of tests) yield { fullName: test.name, result: () => ({ state: 'skipped', errors: undefined, note: test.note }) };
      },
    },
  } as unknown as TestModule;
}

describe('the NOT RUN reporter', () => {
  it('prints nothing when every test ran', () => {
    const written: string[] = [];
    new NotRunReporter((text) => void written.push(text)).onTestRunEnd([fakeModule('test/a.test.ts', [])]);
    expect(written).toEqual([]);
  });

  it('prints the list after the summary and again after the coverage report', () => {
    const written: string[] = [];
    const reporter = new NotRunReporter((text) => void written.push(text));
    reporter.onTestRunEnd([fakeModule('test/b.test.ts', [{ name: 'needs chromium', note: 'Chromium not found' }])]);
    reporter.onFinishedReportCoverage();
    const expected = '\nNOT RUN: 1 test did not run (skipped, not passed):\n  NOT RUN  test/b.test.ts > needs chromium: Chromium not found\n';
    expect(written).toEqual([expected, expected]);
  });

  it('names each test that did not run, with its file and why, as NOT RUN (never passed)', () => {
    const tests = notRunTests([
      fakeModule('test/integration/rehearsal/rehearsal-report.browser.test.ts', [{ name: 'report > shows each scenario', note: 'Chromium not found: no chromium on PATH' }]),
      fakeModule('test/other.test.ts', [{ name: 'skipped by hand' }]),
    ]);
    expect(notRunLines(tests)).toEqual([
      '',
      'NOT RUN: 2 tests did not run (skipped, not passed):',
      '  NOT RUN  test/integration/rehearsal/rehearsal-report.browser.test.ts > report > shows each scenario: Chromium not found: no chromium on PATH',
      '  NOT RUN  test/other.test.ts > skipped by hand: skipped without a reason',
    ]);
  });
});
