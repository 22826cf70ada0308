import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isMainThread } from 'node:worker_threads';
import type { AssemblyStack } from '../pipeline/adapters/tools/cloud-assembly.js';
import { readPipelineTemplate } from '../pipeline/adapters/tools/pipeline-template.js';
import { runAllGates, type GatesRun } from '../pipeline/adapters/tools/run-gates.js';
import { runProcess } from '../pipeline/adapters/tools/run-process.js';
import { decideGates } from '../pipeline/domain/policy-gates/gate-finding.js';
import { formatPipelineLayout } from '../pipeline/domain/format-pipeline-layout.js';
import { pipelineLayout } from '../pipeline/domain/pipeline-layout.js';
import { checkRehearsalArguments, formatMainJobCost, prepareRehearsal, type PreparedRehearsal } from '../rehearsal/rehearsal-phase.js';
import { rehearsalClockStart, type PhaseTiming } from '../rehearsal/run-rehearsal.js';
import { sampleTreeMemory } from './process-tree-memory.js';
import { runGatesOnWorker } from './gates-worker.js';
import { asKiroCdError, KiroCdError } from '../shared/errors.js';
import { printGatesTable } from './commands/policy-gates.js';
import { runLicencesGate } from './build/licences-gate.js';
import { printGateResult } from './build/print-gate-result.js';
import { runSecretsGate } from './build/secrets-gate.js';
import type { GateResult } from '../pipeline/domain/build-gates/gate-result.js';
import { formatBuildStageGates } from '../pipeline/domain/build-gates/build-stage-gates.js';
import { formatBundleSizes, oversizedBundles, type BundleSize } from '../pipeline/domain/bundles/bundle-size-limit.js';
import { readBundleSizes } from '../pipeline/adapters/tools/bundle-sizes.js';
import { consoleOutput, RecordingOutput, replayLines, type Output } from './output.js';
import { quietSdkNodeVersionNotice } from './sdk-node-notice.js';

/** Where `npm run synth` writes the cloud assembly. */
export const ASSEMBLY_DIR = 'cdk.out';

/**
 * Synthesizes every environment with `npm run synth` (infrastructure/bin/synth.ts) into a cloud
 * assembly cleared first, so the gates and the rehearsal can never read templates (or a validation
 * report) left by an earlier run. CDK is told not to fail the synthesis on validation findings
 * (context `@aws-cdk/core:failSynthOnValidationErrors`), so the gates can report cdk-nag's findings
 * next to the others instead of stopping at the first tool; any other failure stops the main job
 * with synthesis's own message.
 */
export async function synthesizeAll(cwd: string): Promise<void> {
  const outdir = join(cwd, ASSEMBLY_DIR);
  rmSync(outdir, { recursive: true, force: true });
  const result = await runProcess(join(cwd, 'node_modules', '.bin', 'tsx'), ['infrastructure/bin/synth.ts'], {
    cwd,
    installHint: 'Run "npm ci" first.',
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ '@aws-cdk/core:failSynthOnValidationErrors': false }) },
  });
  if (result.exitCode === 0) return;
  const shown = result.stderr.trim().slice(-3000);
  // synth.ts exits 2 for a configuration mistake and has printed only the problems.
  if (result.exitCode === 2) throw new KiroCdError(shown, { code: 'CONFIG_INVALID', fault: 'user' });
  throw new KiroCdError(`Synthesis failed (exit ${result.exitCode}):\n${shown}`, { code: SYNTH_FAILED, fault: 'internal' });
}

/** Code of the error {@link synthesizeAll} throws when the CDK app itself failed; the main job exits 1. */
export const SYNTH_FAILED = 'SYNTH_FAILED';

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
  /** @default synthesizeAll */
  readonly synthesize?: (cwd: string) => Promise<void>;
  /** Runs the policy gates over the cloud assembly in the given directory. @default runAllGates */
  readonly runGates?: (assemblyDir: string) => Promise<GatesRun>;
  /** Runs the supply-chain gates (secrets, licences) over the repository. @default runSupplyChainGates */
  readonly runSupplyChainGates?: (cwd: string) => Promise<readonly GateResult[]>;
  /** Measures the code bundles of the cloud assembly in the given directory. @default readBundleSizes */
  readonly bundleSizes?: (assemblyDir: string) => readonly BundleSize[];
  /**
   * Prepares the rehearsal; called at the very start, right after synthesis has been started, so its
   * emulator and the closed-window variant start beside synthesis. The rehearsal itself runs side by
   * side with the gates once synthesis has written the cloud assembly. @default none: the gates alone
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
}

/**
 * The phases line of `npm start`: synthesis, then the gates and the rehearsal side by side, each with
 * its own wall time, so the times are never read as adding up to the total.
 */
export function formatMainJobPhases(phases: MainJobPhases): string {
  const seconds = (value: number): string => `${(value / 1000).toFixed(1)} s`;
  const gates = `policy and build-stage gates ${seconds(phases.gatesMs)}`;
  return phases.rehearsalMs === undefined
    ? `Phases (wall clock): synthesis ${seconds(phases.synthesisMs)}, then ${gates}.`
    : `Phases (wall clock): synthesis ${seconds(phases.synthesisMs)}, then side by side: ${gates}, rehearsal ${seconds(phases.rehearsalMs)}.`;
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
 * it), then run the gates and the rehearsal side by side over the cloud assembly. Each phase's output
 * is held and printed whole when both have ended, the gates' first, so it reads as it did when they
 * ran one after the other. The gates decide first: a gate that fails fails the main job whatever the
 * rehearsal found, and the rehearsal, which ran anyway, is still printed, under a line that says so.
 * A synthesis that fails stops everything: the emulator and the variant's synthesis are stopped, and
 * nothing is rehearsed. Returns the exit code.
 */
export async function runMainJob(deps: MainJobDeps): Promise<number> {
  const started = deps.now();
  // Synthesis first: it is on the critical path, the rehearsal's preparations are not.
  const synthesis = (deps.synthesize ?? synthesizeAll)(deps.cwd);
  synthesis.catch(() => undefined);
  const rehearsal = deps.prepareRehearsal?.();
  try {
    await synthesis;
  } catch (thrown) {
    await rehearsal?.cancel();
    return stoppedBy(thrown, deps.out);
  }
  const synthesized = deps.now();
  const seconds = (value: number): string => (value / 1000).toFixed(1);
  if (rehearsal !== undefined) {
    deps.out.info(`Synthesized in ${seconds(synthesized - started)} s. The gates and the rehearsal now run side by side; each one's output follows, whole, when both have ended.\n`);
  }

  const gatesOut = new RecordingOutput();
  const gates = (deps.gatesPhase ?? ((out: Output) => runGatesPhase(deps, out)))(gatesOut).then((code) => ({ code, endedAt: deps.now() }));
  const gatesTiming = async (): Promise<readonly PhaseTiming[]> => {
    const { endedAt } = await gates;
    return [
      { name: 'synthesis', durationMs: synthesized - started },
      { name: `policy and build-stage gates (side by side with the rehearsal, ${seconds(synthesized - started)} s to ${seconds(endedAt - started)} s after the start)`, durationMs: endedAt - synthesized },
    ];
  };
  const rehearsalOut = new RecordingOutput();
  const rehearsed = rehearsal?.run({ out: rehearsalOut, phases: gatesTiming }).then((code) => ({ code, endedAt: deps.now() }));

  const gatesEnded = await gates;
  replayLines(gatesOut.lines, deps.out);
  const phases = { synthesisMs: synthesized - started, gatesMs: gatesEnded.endedAt - synthesized };
  if (rehearsed === undefined) {
    deps.out.info(formatMainJobPhases(phases));
    return gatesEnded.code;
  }
  const rehearsalEnded = await rehearsed;
  if (gatesEnded.code !== 0) {
    deps.out.info(`\nThe gates failed, so the main job fails whatever the rehearsal finds. The rehearsal ran side by side with them; what it found follows.`);
  }
  replayLines(rehearsalOut.lines, deps.out);
  deps.out.info(`\n${formatMainJobPhases({ ...phases, rehearsalMs: rehearsalEnded.endedAt - synthesized })}`);
  return gatesEnded.code !== 0 ? gatesEnded.code : rehearsalEnded.code;
}

// Not on the gates' worker thread (gates-worker.ts), which imports this module and shares process.argv.
if (isMainThread && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  quietSdkNodeVersionNotice();
  // Phase 2, the rehearsal (src/rehearsal): its arguments are checked first, so a typo costs no synthesis.
  const rehearsalArguments = process.argv.slice(2);
  const badArguments = checkRehearsalArguments(rehearsalArguments);
  if (badArguments !== undefined) {
    consoleOutput.error(badArguments);
    process.exitCode = 2;
  } else {
    const started = Date.now();
    // The whole process tree (synthesis, cfn-lint, cfn-guard, moto_server are children), sampled from /proc.
    const memory = sampleTreeMemory(process.pid);
    // The rehearsal clock's start is fixed now, so the closed-window variant synthesized from now on is closed from it.
    const clockStart = rehearsalClockStart(started);
    process.exitCode = await runMainJob({
      cwd: process.cwd(),
      out: consoleOutput,
      now: () => Date.now(),
      prepareRehearsal: () => prepareRehearsal(rehearsalArguments, { cwd: process.cwd(), clockStart }),
      gatesPhase: (out) => runGatesOnWorker(process.cwd(), out),
    });
    consoleOutput.info(formatMainJobCost(Date.now() - started, memory.stop()));
  }
}
