/**
 * `npm start`, the main job's entry point: checks the rehearsal's arguments, starts synthesis, and
 * only then loads the rest of the main job (src/cli/main-job.ts: the gates, the rehearsal, the AWS
 * SDK), which took 3.2–4.1 s at load average 11 and used to pass before synthesis, the longest step
 * before the rehearsal, could start. Everything this module imports statically is light (Node
 * built-ins, the argument parser, the synthesis launcher); the rest is imported after the spawn, while
 * the synthesis child works on its own.
 */
import { pathToFileURL } from 'node:url';
import { checkRehearsalArguments } from '../rehearsal/rehearsal-arguments.js';
import { consoleOutput } from './output.js';
import { sampleTreeMemory } from './process-tree-memory.js';
import { quietSdkNodeVersionNotice } from './sdk-node-notice.js';
import { startSynthesis } from './synthesize-all.js';

/**
 * Runs the main job in `cwd` with the arguments after `npm start --`; resolves to the exit code. A
 * typo in the arguments fails with exit code 2 before anything runs (`cdk.out` is left as it was).
 */
export async function start(argv: readonly string[], cwd: string): Promise<number> {
  quietSdkNodeVersionNotice();
  const badArguments = checkRehearsalArguments(argv);
  if (badArguments !== undefined) {
    consoleOutput.error(badArguments);
    return 2;
  }
  const started = Date.now();
  // The whole process tree (synthesis, cfn-lint, cfn-guard, moto_server are children), sampled from /proc.
  const memory = sampleTreeMemory(process.pid);
  const synthesize = startSynthesis(cwd);
  const [{ runMainJob }, { formatMainJobCost, prepareRehearsal }, { rehearsalClockStart }, { runGatesOnWorker }] = await Promise.all([
    import('./main-job.js'),
    import('../rehearsal/rehearsal-phase.js'),
    import('../rehearsal/run-rehearsal.js'),
    import('./gates-worker.js'),
  ]);
  // The rehearsal clock's start is fixed from the job's start, so the closed-window variant synthesized from now on is closed from it.
  const clockStart = rehearsalClockStart(started);
  const code = await runMainJob({
    cwd,
    out: consoleOutput,
    now: () => Date.now(),
    startedAt: started,
    synthesize,
    prepareRehearsal: () => prepareRehearsal(argv, { cwd, clockStart }),
    gatesPhase: (out) => runGatesOnWorker(cwd, out),
  });
  consoleOutput.info(formatMainJobCost(Date.now() - started, memory.stop()));
  return code;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await start(process.argv.slice(2), process.cwd());
}
