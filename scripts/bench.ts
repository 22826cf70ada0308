/**
 * `npm run bench`: times each phase of `npm test` (ensure-tools, then the static checks beside Vitest) and
 * `npm start`, with the peak resident memory of each (child processes included), N times (default
 * 3), and prints the medians as a Markdown table with the machine and its load.
 *
 * By default it measures a fresh clone: it clones the current checkout's HEAD commit into a
 * temporary directory, runs `npm ci` there once, and before every run removes what a first run on a
 * clean clone has not got yet (caches, `cdk.out`, reports), because that is what CI and the
 * pipeline's Build pay. `--in-place` measures the current checkout as it is instead (uncommitted
 * changes included); `--warm` keeps the caches between runs. Run it on a quiet machine: the numbers
 * are only as good as the machine is idle.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchRows, BenchUsageError, formatBenchMachine, formatBenchTable, parseBenchArgs, type BenchPhase, type BenchSample } from './bench/bench-stats.js';
import { sampleTreeMemory } from '../src/cli/process-tree-memory.js';

/** The command of each phase: exactly what `npm test` (package.json) and `npm start` run. */
const COMMANDS: Readonly<Record<BenchPhase, { readonly command: string; readonly args: readonly string[] }>> = {
  'ensure-tools': { command: 'bash', args: ['scripts/ensure-tools.sh'] },
  'checks-and-tests': { command: 'bash', args: ['scripts/checks-and-tests.sh'] },
  start: { command: 'npm', args: ['start'] },
  'static-checks': { command: 'npx', args: ['tsx', 'scripts/static-checks.ts'] },
  vitest: { command: 'npx', args: ['vitest', 'run', '--coverage'] },
  typecheck: { command: 'npm', args: ['run', 'typecheck'] },
  lint: { command: 'npm', args: ['run', 'lint'] },
};

/**
 * What a first run on a clean clone has not got yet: tsc's incremental information and other tool
 * caches (`node_modules/.cache`), Vitest's record of file durations and failures
 * (`node_modules/.vite`), the synthesized assembly and the reports.
 */
const CACHES = ['node_modules/.cache', 'node_modules/.vite', 'cdk.out', 'coverage', 'reports'];

function run(phase: BenchPhase, cwd: string): Promise<BenchSample> {
  const { command, args } = COMMANDS[phase];
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'ignore', 'inherit'] });
    if (child.pid === undefined) {
      child.on('error', reject);
      return;
    }
    const memory = sampleTreeMemory(child.pid);
    child.on('error', reject);
    child.on('close', (code) => {
      const peakRssMiB = memory.stop();
      resolve({ phase, seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMiB, exitCode: code ?? 1 });
    });
  });
}

/** A fresh clone of `commit` from the repository at `origin`, with its dependencies installed. */
function cloneAt(origin: string, commit: string): string {
  const directory = mkdtempSync(join(tmpdir(), 'kiro-bench-'));
  console.log(`bench: cloning ${commit.slice(0, 12)} into ${directory} and running npm ci (not timed)`);
  execFileSync('git', ['clone', '--quiet', '--no-checkout', origin, directory], { stdio: 'inherit' });
  execFileSync('git', ['-C', directory, 'checkout', '--quiet', '--detach', commit], { stdio: 'inherit' });
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: directory, stdio: ['ignore', 'ignore', 'inherit'] });
  return directory;
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseBenchArgs(process.argv.slice(2));
  } catch (error) {
    if (error instanceof BenchUsageError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  const here = process.cwd();
  const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: here, encoding: 'utf8' }).trim();
  const cwd = options.inPlace ? here : cloneAt(here, commit);
  try {
    const loadBefore = loadavg()[0] ?? 0;
    console.log(`bench: ${options.runs} run(s) of ${options.phases.join(', ')}; ${options.warm ? 'caches kept' : 'caches cleared before each run'}`);
    const samples: BenchSample[] = [];
    for (let index = 1; index <= options.runs; index += 1) {
      if (!options.warm) for (const cache of CACHES) rmSync(join(cwd, cache), { recursive: true, force: true });
      for (const phase of options.phases) {
        const sample = await run(phase, cwd);
        samples.push(sample);
        console.log(`  run ${index} ${phase}: ${sample.seconds.toFixed(1)} s, peak ${sample.peakRssMiB?.toFixed(0) ?? 'n/a'} MiB${sample.exitCode === 0 ? '' : `, exit ${sample.exitCode}`}`);
      }
    }
    const machine = formatBenchMachine({
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
      memoryGiB: totalmem() / 2 ** 30,
      node: process.version,
      loadBefore,
      loadAfter: loadavg()[0] ?? 0,
      subject: options.inPlace ? `checkout in place at ${commit.slice(0, 12)}` : `fresh clone of ${commit.slice(0, 12)}`,
    });
    console.log(`\n${machine}\n\n${formatBenchTable(benchRows(samples))}`);
    return samples.some((sample) => sample.exitCode !== 0) ? 1 : 0;
  } finally {
    if (!options.inPlace) rmSync(cwd, { recursive: true, force: true });
  }
}

process.exitCode = await main();
