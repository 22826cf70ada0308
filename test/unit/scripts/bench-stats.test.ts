import { describe, expect, it } from 'vitest';
import { benchRows, BenchUsageError, formatBenchMachine, formatBenchTable, median, parseBenchArgs, type BenchSample } from '../../../scripts/bench/bench-stats.js';

describe('median', () => {
  it.each([
    { why: 'odd count: the middle value', values: [3, 1, 2], expected: 2 },
    { why: 'even count: mean of the two middle values', values: [4, 1, 3, 2], expected: 2.5 },
    { why: 'one value', values: [7], expected: 7 },
    { why: 'an outlier does not move it (noisy shared machine)', values: [60, 61, 400], expected: 61 },
  ])('$why', ({ values, expected }) => {
    expect(median(values)).toBe(expected);
  });

  it('refuses an empty list', () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('parseBenchArgs', () => {
  it('defaults to 3 cold runs on a fresh clone of the phases of npm test, then npm start', () => {
    expect(parseBenchArgs([])).toEqual({ runs: 3, phases: ['ensure-tools', 'checks-and-tests', 'start'], warm: false, inPlace: false });
  });

  it('takes --runs, --only (kept in run order), --warm and --in-place', () => {
    expect(parseBenchArgs(['--only', 'lint,typecheck', '--runs', '5', '--warm', '--in-place'])).toEqual({ runs: 5, phases: ['typecheck', 'lint'], warm: true, inPlace: true });
  });

  it.each([
    { why: 'zero runs', args: ['--runs', '0'] },
    { why: 'a run count that is not a number', args: ['--runs', 'three'] },
    { why: 'a missing run count', args: ['--runs'] },
    { why: 'an unknown phase', args: ['--only', 'lint,tests'] },
    { why: 'an empty phase list', args: ['--only', ''] },
    { why: 'an unknown flag', args: ['--fast'] },
  ])('refuses $why with the usage', ({ args }) => {
    expect(() => parseBenchArgs(args)).toThrow(BenchUsageError);
    expect(() => parseBenchArgs(args)).toThrow(/usage: npm run bench/);
  });
});

const sample = (phase: BenchSample['phase'], seconds: number, peakRssMiB: number | undefined, exitCode = 0): BenchSample => ({ phase, seconds, peakRssMiB, exitCode });

describe('benchRows', () => {
  it('gives per phase the median, min, max and median peak, and counts failed runs', () => {
    const rows = benchRows([sample('lint', 30, 500), sample('lint', 10, 700, 1), sample('lint', 20, 600)]);
    expect(rows).toEqual([{ name: 'lint', runs: 3, medianSeconds: 20, minSeconds: 10, maxSeconds: 30, medianPeakRssMiB: 600, failures: 1 }]);
  });

  it('adds npm test (per run: the sum of its phases, the largest peak) before start when all its phases ran', () => {
    const samples = [
      ...[1, 2, 3].flatMap((run) => [sample('ensure-tools', 1, 10), sample('checks-and-tests', 10 * run + 80, 1500 + run), sample('start', 50, 800)]),
    ];
    const rows = benchRows(samples);
    expect(rows.map((entry) => entry.name)).toEqual(['ensure-tools', 'checks-and-tests', 'npm test', 'start']);
    const npmTest = rows.find((entry) => entry.name === 'npm test');
    expect(npmTest).toMatchObject({ runs: 3, medianSeconds: 101, minSeconds: 91, maxSeconds: 111, medianPeakRssMiB: 1502, failures: 0 });
  });

  it('does not count the parts of checks-and-tests measured on their own into npm test: they run side by side', () => {
    const rows = benchRows([sample('ensure-tools', 1, 10), sample('checks-and-tests', 100, 2500), sample('static-checks', 60, 2000), sample('vitest', 95, 1500)]);
    expect(rows.find((entry) => entry.name === 'npm test')).toMatchObject({ medianSeconds: 101, medianPeakRssMiB: 2500 });
  });

  it('gives no npm test row when a phase of it was not measured, and n/a memory when none was read', () => {
    const rows = benchRows([sample('typecheck', 10, undefined), sample('lint', 20, undefined)]);
    expect(rows.map((entry) => entry.name)).toEqual(['typecheck', 'lint']);
    expect(rows[0]!.medianPeakRssMiB).toBeUndefined();
  });
});

describe('formatBenchTable', () => {
  it('prints a Markdown table, aligned, with one decimal for seconds, whole MiB and n/a', () => {
    const table = formatBenchTable([
      { name: 'npm test', runs: 3, medianSeconds: 101.04, minSeconds: 91, maxSeconds: 111.25, medianPeakRssMiB: 1502.4, failures: 0 },
      { name: 'start', runs: 3, medianSeconds: 50, minSeconds: 49.96, maxSeconds: 52, medianPeakRssMiB: undefined, failures: 1 },
    ]);
    expect(table.split('\n')).toEqual([
      '| phase    | runs | median s | min s | max s | peak RSS MiB | failed |',
      '| -------- | ---: | -------: | ----: | ----: | -----------: | -----: |',
      '| npm test |    3 |    101.0 |  91.0 | 111.3 |         1502 |      0 |',
      '| start    |    3 |     50.0 |  50.0 |  52.0 |          n/a |      1 |',
    ]);
  });
});

describe('formatBenchMachine', () => {
  it('names the machine, its load before and after, and what was measured', () => {
    expect(formatBenchMachine({ cpus: 2, cpuModel: 'AMD EPYC', memoryGiB: 23.46, node: 'v20.20.2', loadBefore: 0.42, loadAfter: 1.96, subject: 'fresh clone of 0123456789ab' })).toBe(
      'Machine: 2 × AMD EPYC, 23.5 GiB, Node v20.20.2; load average 0.4 before, 2.0 after; fresh clone of 0123456789ab.',
    );
  });
});
