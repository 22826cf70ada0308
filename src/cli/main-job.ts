import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import type { AssemblyStack } from '../pipeline/adapters/tools/cloud-assembly.js';
import { readPipelineTemplate } from '../pipeline/adapters/tools/pipeline-template.js';
import { runAllGates, type GatesRun } from '../pipeline/adapters/tools/run-gates.js';
import { decideGates } from '../pipeline/domain/policy-gates/gate-finding.js';
import { formatPipelineLayout } from '../pipeline/domain/format-pipeline-layout.js';
import { pipelineLayout } from '../pipeline/domain/pipeline-layout.js';
import type { PreparedRehearsal } from '../rehearsal/rehearsal-phase.js';
import type { PhaseTiming } from '../rehearsal/run-rehearsal.js';
import { asKiroCdError } from '../shared/errors.js';
import { printGatesTable } from './commands/policy-gates.js';
import { runLicencesGate } from './build/licences-gate.js';
import { printGateResult } from './build/print-gate-result.js';
import { runSecretsGate } from './build/secrets-gate.js';
import type { GateResult } from '../pipeline/domain/build-gates/gate-result.js';
import { formatBuildStageGates } from '../pipeline/domain/build-gates/build-stage-gates.js';
import { formatBundleSizes, oversizedBundles, type BundleSize } from '../pipeline/domain/bundles/bundle-size-limit.js';
import { readBundleSizes } from '../pipeline/adapters/tools/bundle-sizes.js';
import { RecordingOutput, replayLines, type Output } from './output.js';
import { ASSEMBLY_DIR, SYNTH_FAILED, synthesizeAll, type SynthesisProgress } from './synthesize-all.js';

// Synthesis lives in a module of its own, light enough for src/cli/start.ts to start it before it loads this one.
export { ASSEMBLY_DIR, SYNTH_FAILED, synthesizeAll, type SynthesisProgress } from './synthesize-all.js';

/**
 * Prints the pipeline as the synthesized template declares it (src/pipeline/domain/pipeline-layout.ts):
 * its stages per environment with their actions and conditions, which is what will really deploy.
 */
export function printPipeline(run: GatesRun, out: Output): void {
  const { template } = readPipelineTemplate(run.stacks);
  for (const line of formatPipelineLayout(pipelineLayout(template))) out.info(line);
}

/** Prints one line per stack: the CDK stage that holds it, its name, resource count and account/region. */
export function printStacks(run: GatesRun, out: Output): void {
  const stageOf = (stack: AssemblyStack): string => (stack.stage === '' ? '(top level)' : stack.stage);
  const stageWidth = Math.max(0, ...run.stacks.map((stack) => stageOf(stack).length));
  const nameWidth = Math.max(0, ...run.stacks.map((stack) => stack.stackName.length));
  for (const stack of run.stacks) {
    out.info(`  ${stageOf(stack).padEnd(stageWidth)}  ${stack.stackName.padEnd(nameWidth)} ${String(stack.resourceCount).padStart(4)} resources  ${stack.environment}`);
  }
}

/** The dependencies of the main job, so tests can replace each phase and watch the order. */
export interface MainJobDeps {
  readonly cwd: string;
  readonly out: Output;
  readonly now: () => number;
  /** When the main job began, if before this call (src/cli/start.ts starts synthesis first). @default now() when called */
  readonly startedAt?: number;
  /** Synthesizes; calls `progress.onTemplatesWritten` if it can tell when the templates are written. @default synthesizeAll */
  readonly synthesize?: (cwd: string, progress: SynthesisProgress) => Promise<void>;
  /** Runs the policy gates over the cloud assembly in the given directory. @default runAllGates */
  readonly runGates?: (assemblyDir: string) => Promise<GatesRun>;
  /** Runs the supply-chain gates (secrets, licences) over the repository. @default runSupplyChainGates */
  readonly runSupplyChainGates?: (cwd: string) => Promise<readonly GateResult[]>;
  /** Measures the code bundles of the cloud assembly in the given directory. @default readBundleSizes */
  readonly bundleSizes?: (assemblyDir: string) => readonly BundleSize[];
  /**
   * Prepares the rehearsal; called at the very start, right after synthesis has been started, so its
   * emulator and the closed-window variant start beside synthesis. The rehearsal itself starts as
   * soon as synthesis has written the templates (while CDK still validates them), and then runs side
   * by side with the gates. @default none: the gates alone
   */
  readonly prepareRehearsal?: () => PreparedRehearsal;
  /**
   * Runs the whole gates phase, writing its lines to `out`; resolves to its exit code. `npm start`
   * runs it on a worker thread (gates-worker.ts), away from the rehearsal's clock. @default
   * {@link runGatesPhase} on this thread, with the gate dependencies above
   */
  readonly gatesPhase?: (out: Output) => Promise<number>;
}

/** Wall time of each phase of one main job, for the last lines of `npm start`. */
export interface MainJobPhases {
  readonly synthesisMs: number;
  readonly gatesMs: number;
  readonly rehearsalMs?: number;
  /** When the rehearsal started, after the main job's start: before synthesis ended when the templates were written earlier. @default synthesisMs */
  readonly rehearsalStartMs?: number;
}

/**
 * The phases line of `npm start`: synthesis, then the gates and the rehearsal side by side, each with
 * its own wall time, so the times are never read as adding up to the total. A rehearsal that started
 * before synthesis ended (on the templates) says when it started.
 */
export function formatMainJobPhases(phases: MainJobPhases): string {
  const seconds = (value: number): string => `${(value / 1000).toFixed(1)} s`;
  const gates = `policy and build-stage gates ${seconds(phases.gatesMs)}`;
  if (phases.rehearsalMs === undefined) return `Phases (wall clock): synthesis ${seconds(phases.synthesisMs)}, then ${gates}.`;
  const early = phases.rehearsalStartMs !== undefined && phases.rehearsalStartMs < phases.synthesisMs;
  const rehearsal = `rehearsal ${seconds(phases.rehearsalMs)}${early ? ` (started at ${seconds(phases.rehearsalStartMs ?? 0)}, when the templates were written, during CDK's validation)` : ''}`;
  return `Phases (wall clock): synthesis ${seconds(phases.synthesisMs)}, then side by side: ${gates}, ${rehearsal}.`;
}

/** The build-stage gates `npm start` runs itself (they need no build output): secretlint over the tracked files, the licences. */
export async function runSupplyChainGates(cwd: string): Promise<readonly GateResult[]> {
  const today = new Date().toISOString().slice(0, 10);
  // Independent checks (secretlint in this process, the licence check driving esbuild): started together, so the licence check's esbuild runs while secretlint reads files.
  const [secrets, licences] = await Promise.all([runSecretsGate({ cwd, today }), runLicencesGate(cwd, undefined, today)]);
  return [secrets, licences];
}

/** Maps an error that stopped a phase to the main job's exit code, printing it. */
function stoppedBy(thrown: unknown, out: Output): number {
  const error = asKiroCdError(thrown);
  out.error(`main job: ${error.message}`);
  if (error.code === SYNTH_FAILED) return 1;
  return error.fault === 'transient' ? 3 : error.fault === 'user' ? 2 : 4;
}

/**
 * The gates over the cloud assembly: the policy gates and the supply-chain gates side by side, then
 * the pipeline, the stacks, the bundles and both gate tables printed in that order; returns the exit
 * code (0 passed, 1 a gate blocked, else the error's).
 */
export async function runGatesPhase(deps: MainJobDeps, out: Output): Promise<number> {
  try {
    const bundles = (deps.bundleSizes ?? readBundleSizes)(join(deps.cwd, ASSEMBLY_DIR));
    const oversized = oversizedBundles(bundles);
    const supplyChainRun = (deps.runSupplyChainGates ?? runSupplyChainGates)(deps.cwd);
    // Awaited below; if the policy gates throw first, its own failure must not go unhandled.
    supplyChainRun.catch(() => undefined);
    const run = await (deps.runGates ?? runAllGates)(join(deps.cwd, ASSEMBLY_DIR));
    const verdict = decideGates(run.results);
    printPipeline(run, out);
    out.info('\nStacks:');
    printStacks(run, out);
    out.info('\nBundle sizes (docs/build-gates.md, "Bundle sizes"):');
    for (const line of formatBundleSizes(bundles)) out.info(line);
    out.info('\nPolicy gates:');
    printGatesTable(run, out);
    const supplyChain = await supplyChainRun;
    out.info('\nBuild-stage gates (docs/build-gates.md):');
    for (const line of formatBuildStageGates(supplyChain)) out.info(line);
    const supplyChainBlocked = supplyChain.filter((result) => result.verdict !== 'pass');
    for (const result of supplyChainBlocked) printGateResult(out, result);
    if (verdict.kind === 'pass' && supplyChainBlocked.length === 0 && oversized.length === 0) {
      out.info('Main job passed: zero unaccepted findings.');
      return 0;
    }
    const blockedGates = [
      ...(supplyChainBlocked.length === 0 ? [] : [`; blocked: ${supplyChainBlocked.map((result) => result.tool).join(', ')}`]),
      ...(oversized.length === 0 ? [] : [`; bundles over the size limit: ${oversized.map((bundle) => bundle.name).join(', ')}`]),
    ].join('');
    out.info(`Main job FAILED: ${verdict.kind === 'pass' ? 0 : verdict.blocking.length} unaccepted finding(s)${blockedGates}.`);
    return 1;
  } catch (thrown) {
    return stoppedBy(thrown, out);
  }
}

/**
 * `npm start`: synthesize (with the rehearsal's emulator and closed-window variant starting beside
 * it); start the rehearsal as soon as synthesis has written the templates (CDK then validates them
 * for several seconds more), or when synthesis ends if it never said so; start the gates, which read
 * the validation report, when synthesis has ended. Each phase's output is held and printed whole when
 * both have ended, the gates' first, so it reads as it did when they ran one after the other. The
 * gates decide first: a gate that fails fails the main job whatever the rehearsal found, and the
 * rehearsal, which ran anyway, is still printed, under a line that says so. A synthesis that fails
 * stops everything, before or after the templates were written: the emulator and the variant's
 * synthesis are stopped, a rehearsal already started is aborted and nothing it wrote is shown, and
 * the main job prints synthesis's message and exits with synthesis's code. Returns the exit code.
 */
export async function runMainJob(deps: MainJobDeps): Promise<number> {
  const started = deps.startedAt ?? deps.now();
  let templatesWritten: (at: number) => void = () => undefined;
  const templates = new Promise<number>((resolve) => {
    templatesWritten = resolve;
  });
  // Synthesis first: it is on the critical path, the rehearsal's preparations are not.
  const synthesis = (deps.synthesize ?? synthesizeAll)(deps.cwd, {
    onTemplatesWritten: () => {
      templatesWritten(deps.now());
    },
  });
  const synthesized = synthesis.then(() => deps.now());
  synthesized.catch(() => undefined);
  const rehearsal = deps.prepareRehearsal?.();
  const seconds = (value: number): string => (value / 1000).toFixed(1);

  // The rehearsal reads only the templates; a synthesis that ends (or fails) without the line decides instead.
  let rehearsalStartedAt: number;
  try {
    rehearsalStartedAt = await (rehearsal === undefined ? synthesized : Promise.race([templates, synthesized]));
  } catch (thrown) {
    await rehearsal?.cancel();
    return stoppedBy(thrown, deps.out);
  }

  // The gates read the validation report, written at synthesis's very end.
  const gatesOut = new RecordingOutput();
  const gates = synthesized.then(async (synthesizedAt) => {
    const code = await (deps.gatesPhase ?? ((out: Output) => runGatesPhase(deps, out)))(gatesOut);
    return { code, synthesizedAt, endedAt: deps.now() };
  });
  gates.catch(() => undefined);
  // Asked by the rehearsal just before it writes its report: a synthesis that failed meanwhile rejects it, so no report is written.
  const gatesTiming = async (): Promise<readonly PhaseTiming[]> => {
    const { synthesizedAt, endedAt } = await gates;
    return [
      { name: 'synthesis', durationMs: synthesizedAt - started },
      { name: `policy and build-stage gates (side by side with the rehearsal, ${seconds(synthesizedAt - started)} s to ${seconds(endedAt - started)} s after the start)`, durationMs: endedAt - synthesizedAt },
    ];
  };
  const abortRehearsal = new AbortController();
  const rehearsalOut = new RecordingOutput();
  const rehearsed = rehearsal?.run({ out: rehearsalOut, phases: gatesTiming, signal: abortRehearsal.signal }).then((code) => ({ code, endedAt: deps.now() }));

  let synthesizedAt: number;
  try {
    synthesizedAt = await synthesized;
  } catch (thrown) {
    // Failed after the templates were written: nothing the rehearsal found counts, so none of it is shown.
    abortRehearsal.abort();
    await rehearsed?.catch(() => undefined);
    return stoppedBy(thrown, deps.out);
  }
  if (rehearsal !== undefined) {
    const early = rehearsalStartedAt < synthesizedAt ? ` (the rehearsal since ${seconds(rehearsalStartedAt - started)} s, when the templates were written)` : '';
    deps.out.info(`Synthesized in ${seconds(synthesizedAt - started)} s. The gates and the rehearsal now run side by side${early}; each one's output follows, whole, when both have ended.\n`);
  }

  const gatesEnded = await gates;
  replayLines(gatesOut.lines, deps.out);
  const phases = { synthesisMs: synthesizedAt - started, gatesMs: gatesEnded.endedAt - synthesizedAt };
  if (rehearsed === undefined) {
    deps.out.info(formatMainJobPhases(phases));
    return gatesEnded.code;
  }
  const rehearsalEnded = await rehearsed;
  if (gatesEnded.code !== 0) {
    deps.out.info(`\nThe gates failed, so the main job fails whatever the rehearsal finds. The rehearsal ran side by side with them; what it found follows.`);
  }
  replayLines(rehearsalOut.lines, deps.out);
  deps.out.info(`\n${formatMainJobPhases({ ...phases, rehearsalMs: rehearsalEnded.endedAt - rehearsalStartedAt, rehearsalStartMs: rehearsalStartedAt - started })}`);
  return gatesEnded.code !== 0 ? gatesEnded.code : rehearsalEnded.code;
}

// `npm start` runs src/cli/start.ts, which starts synthesis before it loads this module; run directly,
// this file does the same, later. Not on the gates' worker thread (gates-worker.ts), which imports this module and shares process.argv.
// Not awaited at the top level: start.ts imports this module, which must have finished evaluating first.
if (isMainThread && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  void import('./start.js').then(async ({ start }) => {
    process.exitCode = await start(process.argv.slice(2), process.cwd());
  });
}
