/**
 * The pure part of `npm run bench`: its arguments, the median of repeated measurements and the table
 * it prints. Kept apart from the process handling (scripts/bench.ts) so it is tested without running
 * anything.
 */

/**
 * The phases `npm run bench` can time, in the order `npm test` runs them, then `npm start`, then the
 * parts that `npm test` runs side by side, each on its own (`static-checks`, `vitest`), and the two
 * commands the static checks replace (`typecheck`, `lint`): not part of a default run.
 */
export const BENCH_PHASES = ['ensure-tools', 'checks-and-tests', 'start', 'static-checks', 'vitest', 'typecheck', 'lint'] as const;

/** One phase of `npm test` or `npm start`, or one of the parts of a phase on its own. */
export type BenchPhase = (typeof BENCH_PHASES)[number];

/**
 * The phases of `npm test`, which runs them one after the other (package.json); `checks-and-tests`
 * runs the static checks beside Vitest (scripts/checks-and-tests.sh), so it is timed as one.
 */
export const NPM_TEST_PHASES: readonly BenchPhase[] = ['ensure-tools', 'checks-and-tests'];

/** What a run without `--only` measures: `npm test`, phase by phase, and `npm start`. */
export const DEFAULT_PHASES: readonly BenchPhase[] = [...NPM_TEST_PHASES, 'start'];

/** What `npm run bench -- [--runs N] [--only a,b] [--warm] [--in-place]` asks for. */
export interface BenchOptions {
  /** How many times each phase runs; the table shows the median. @default 3 */
  readonly runs: number;
  /** The phases to run, in {@link BENCH_PHASES} order. @default {@link DEFAULT_PHASES} */
  readonly phases: readonly BenchPhase[];
  /**
   * Keep the caches (`node_modules/.cache`, `cdk.out`) between runs. Off by default, so that every run
   * measures what a clean clone's first run costs, which is what CI and the pipeline's Build see.
   * @default false
   */
  readonly warm: boolean;
  /**
   * Measure the current checkout as it is (uncommitted changes included) instead of a fresh clone of
   * its HEAD commit with its own `npm ci`.
   * @default false
   */
  readonly inPlace: boolean;
}

/** One measured run of one phase. */
export interface BenchSample {
  readonly phase: BenchPhase;
  readonly seconds: number;
  /** Peak resident memory of the whole process tree, in MiB; undefined where it could not be read. */
  readonly peakRssMiB: number | undefined;
  readonly exitCode: number;
}

/** A bad argument to `npm run bench`, with the usage in its message. */
export class BenchUsageError extends Error {
  constructor(message: string) {
    super(`${message}\nusage: npm run bench -- [--runs N] [--only ${BENCH_PHASES.join(',')}] [--warm] [--in-place]`);
    this.name = 'BenchUsageError';
  }
}

function isPhase(name: string): name is BenchPhase {
  return (BENCH_PHASES as readonly string[]).includes(name);
}

/** Parses the bench's arguments; an unknown flag or phase, or a run count that is not a positive integer, throws {@link BenchUsageError}. */
export function parseBenchArgs(args: readonly string[]): BenchOptions {
  let runs = 3;
  let phases: readonly BenchPhase[] = DEFAULT_PHASES;
  let warm = false;
  let inPlace = false;
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index];
    const value = args[index + 1];
    if (arg === '--warm') {
      warm = true;
    } else if (arg === '--in-place') {
      inPlace = true;
    } else if (arg === '--runs') {
      if (value === undefined || !/^[1-9][0-9]*$/.test(value)) throw new BenchUsageError(`--runs needs a positive whole number, got ${value ?? 'nothing'}`);
      runs = Number(value);
      index += 1;
    } else if (arg === '--only') {
      const names = (value ?? '').split(',').filter((name) => name !== '');
      const unknown = names.filter((name) => !isPhase(name));
      if (names.length === 0 || unknown.length > 0) throw new BenchUsageError(`--only takes phases among ${BENCH_PHASES.join(', ')}; got ${unknown.join(', ') || 'nothing'}`);
      phases = BENCH_PHASES.filter((phase) => names.includes(phase));
      index += 1;
    } else {
      throw new BenchUsageError(`unknown argument ${arg ?? ''}`);
    }
  }
  return { runs, phases, warm, inPlace };
}

/** The median: the middle value, or the mean of the two middle values of an even count. Throws on an empty list. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;
  return sorted.length % 2 === 1 ? upper : ((sorted[middle - 1] ?? Number.NaN) + upper) / 2;
}

/** The medians of one phase (or of a sum of phases, such as `npm test`). */
export interface BenchRow {
  readonly name: string;
  readonly runs: number;
  readonly medianSeconds: number;
  readonly minSeconds: number;
  readonly maxSeconds: number;
  readonly medianPeakRssMiB: number | undefined;
  readonly failures: number;
}

function row(name: string, seconds: readonly number[], rss: readonly (number | undefined)[], failures: number): BenchRow {
  const known = rss.filter((value): value is number => value !== undefined);
  return {
    name,
    runs: seconds.length,
    medianSeconds: median(seconds),
    minSeconds: Math.min(...seconds),
    maxSeconds: Math.max(...seconds),
    medianPeakRssMiB: known.length === 0 ? undefined : median(known),
    failures,
  };
}

/**
 * One row per measured phase, plus an `npm test` row when every phase of `npm test` was measured:
 * per run the sum of its phases' times and the largest of their peaks (they run one after another).
 */
export function benchRows(samples: readonly BenchSample[]): BenchRow[] {
  const rows: BenchRow[] = [];
  for (const phase of BENCH_PHASES) {
    const mine = samples.filter((sample) => sample.phase === phase);
    if (mine.length === 0) continue;
    rows.push(row(phase, mine.map((sample) => sample.seconds), mine.map((sample) => sample.peakRssMiB), mine.filter((sample) => sample.exitCode !== 0).length));
  }
  const perPhase = NPM_TEST_PHASES.map((phase) => samples.filter((sample) => sample.phase === phase));
  const runs = Math.min(...perPhase.map((list) => list.length));
  if (runs > 0) {
    // The samples of run N of every phase of npm test (slice keeps it free of holes).
    const byRun = Array.from({ length: runs }, (_, run) => perPhase.flatMap((list) => list.slice(run, run + 1)));
    const totals = byRun.map((parts) => parts.reduce((sum, part) => sum + part.seconds, 0));
    const peaks = byRun.map((parts) => {
      const values = parts.map((part) => part.peakRssMiB).filter((value): value is number => value !== undefined);
      return values.length === parts.length ? Math.max(...values) : undefined;
    });
    const failures = byRun.filter((parts) => parts.some((part) => part.exitCode !== 0)).length;
    const startIndex = rows.findIndex((candidate) => candidate.name === 'start');
    rows.splice(startIndex === -1 ? rows.length : startIndex, 0, row('npm test', totals, peaks, failures));
  }
  return rows;
}

/**
 * The rows as a Markdown table (seconds with one decimal, memory in whole MiB, failed runs counted),
 * ready to paste into the README; the numbers are right-aligned, the columns padded so it reads in a
 * terminal too.
 */
export function formatBenchTable(rows: readonly BenchRow[]): string {
  const header = ['phase', 'runs', 'median s', 'min s', 'max s', 'peak RSS MiB', 'failed'];
  const body = rows.map((entry) => [
    entry.name,
    String(entry.runs),
    entry.medianSeconds.toFixed(1),
    entry.minSeconds.toFixed(1),
    entry.maxSeconds.toFixed(1),
    entry.medianPeakRssMiB === undefined ? 'n/a' : entry.medianPeakRssMiB.toFixed(0),
    String(entry.failures),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => (cells[column] ?? '').length)));
  const pad = (cell: string, column: number): string => (column === 0 ? cell.padEnd(widths[column] ?? 0) : cell.padStart(widths[column] ?? 0));
  const line = (cells: readonly string[]): string => `| ${cells.map(pad).join(' | ')} |`;
  // Markdown's alignment row: the phase name left, the numbers right.
  const rule = `| ${widths.map((width, column) => (column === 0 ? '-'.repeat(width) : `${'-'.repeat(width - 1)}:`)).join(' | ')} |`;
  return [line(header), rule, ...body.map(line)].join('\n');
}

/** The machine a bench ran on, as the line printed above its table. */
export interface BenchMachine {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryGiB: number;
  readonly node: string;
  /** The 1-minute load average before the first run and after the last. */
  readonly loadBefore: number;
  readonly loadAfter: number;
  /** What was measured: the commit of a fresh clone, or the checkout in place. */
  readonly subject: string;
}

/** One line naming the machine, its load and what was measured, for the README beside the table. */
export function formatBenchMachine(machine: BenchMachine): string {
  return `Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB.toFixed(1)} GiB, Node ${machine.node}; load average ${machine.loadBefore.toFixed(1)} before, ${machine.loadAfter.toFixed(1)} after; ${machine.subject}.`;
}
