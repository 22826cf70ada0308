/**
 * `npm run bench`: times each phase of `npm test` (ensure-tools, typecheck, lint, vitest) and
 * `npm start` on the current checkout, with the peak resident memory of each, N times (default 3),
 * and prints the medians. By default every run starts from a clean clone's state (no
 * `node_modules/.cache`, no `cdk.out`, no `reports/`), because that is what CI and the pipeline pay;
 * `--warm` keeps them. Run it on a quiet machine: the numbers are only as good as the machine is idle.
 */
import { spawn } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { benchRows, BenchUsageError, formatBenchTable, parseBenchArgs, type BenchPhase, type BenchSample } from './bench/bench-stats.js';
import { sampleTreeMemory } from './bench/process-tree-memory.js';

/** The command of each phase: exactly what `npm test` (package.json) and `npm start` run. */
const COMMANDS: Readonly<Record<BenchPhase, { readonly command: string; readonly args: readonly string[] }>> = {
  'ensure-tools': { command: 'bash', args: ['scripts/ensure-tools.sh'] },
  typecheck: { command: 'npm', args: ['run', 'typecheck'] },
  lint: { command: 'npm', args: ['run', 'lint'] },
  vitest: { command: 'npx', args: ['vitest', 'run', '--coverage'] },
  start: { command: 'npm', args: ['start'] },
};

/** What a first run on a clean clone has not got yet. */
const CACHES = ['node_modules/.cache', 'cdk.out', 'coverage', 'reports'];

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
  const cwd = process.cwd();
  console.log(`bench: ${options.runs} run(s) of ${options.phases.join(', ')}; ${options.warm ? 'caches kept' : 'caches cleared before each run'}`);
  console.log(`machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`);
  const samples: BenchSample[] = [];
  for (let index = 1; index <= options.runs; index += 1) {
    if (!options.warm) for (const cache of CACHES) rmSync(join(cwd, cache), { recursive: true, force: true });
    for (const phase of options.phases) {
      const sample = await run(phase, cwd);
      samples.push(sample);
      console.log(`  run ${index} ${phase}: ${sample.seconds.toFixed(1)} s, peak ${sample.peakRssMiB?.toFixed(0) ?? 'n/a'} MiB${sample.exitCode === 0 ? '' : `, exit ${sample.exitCode}`}`);
    }
  }
  console.log(`\n${formatBenchTable(benchRows(samples))}`);
  return samples.some((sample) => sample.exitCode !== 0) ? 1 : 0;
}

process.exitCode = await main();
