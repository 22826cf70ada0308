import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { AssemblyStack } from '../pipeline/adapters/tools/cloud-assembly.js';
import { readPipelineTemplate } from '../pipeline/adapters/tools/pipeline-template.js';
import { runAllGates, type GatesRun } from '../pipeline/adapters/tools/run-gates.js';
import { runProcess } from '../pipeline/adapters/tools/run-process.js';
import { decideGates } from '../pipeline/domain/policy-gates/gate-finding.js';
import { formatPipelineLayout } from '../pipeline/domain/format-pipeline-layout.js';
import { pipelineLayout } from '../pipeline/domain/pipeline-layout.js';
import { checkRehearsalArguments, formatMainJobCost, rehearsalPhase } from '../rehearsal/rehearsal-phase.js';
import { sampleTreeMemory } from './process-tree-memory.js';
import { asKiroCdError, KiroCdError } from '../shared/errors.js';
import { printGatesTable } from './commands/policy-gates.js';
import { runLicencesGate } from './build/licences-gate.js';
import { printGateResult } from './build/print-gate-result.js';
import { runSecretsGate } from './build/secrets-gate.js';
import type { GateResult } from '../pipeline/domain/build-gates/gate-result.js';
import { formatBuildStageGates } from '../pipeline/domain/build-gates/build-stage-gates.js';
import { formatBundleSizes, oversizedBundles, type BundleSize } from '../pipeline/domain/bundles/bundle-size-limit.js';
import { readBundleSizes } from '../pipeline/adapters/tools/bundle-sizes.js';
import { consoleOutput, type Output } from './output.js';
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

/** The dependencies of the main job, so a later rehearsal can reuse and replace the parts. */
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
}

/** The build-stage gates `npm start` runs itself (they need no build output): secretlint over the tracked files, the licences. */
export async function runSupplyChainGates(cwd: string): Promise<readonly GateResult[]> {
  const today = new Date().toISOString().slice(0, 10);
  return [await runSecretsGate({ cwd, today }), await runLicencesGate(cwd, undefined, today)];
}

/**
 * `npm start`: synthesize, run every gate, print the pipeline's stages per environment (read from the
 * synthesized pipeline template), the stacks and the gate table; returns the exit code.
 */
export async function runMainJob(deps: MainJobDeps): Promise<number> {
  const started = deps.now();
  try {
    await (deps.synthesize ?? synthesizeAll)(deps.cwd);
    const synthesized = deps.now();
    const bundles = (deps.bundleSizes ?? readBundleSizes)(join(deps.cwd, ASSEMBLY_DIR));
    const oversized = oversizedBundles(bundles);
    const run = await (deps.runGates ?? runAllGates)(join(deps.cwd, ASSEMBLY_DIR));
    const verdict = decideGates(run.results);
    printPipeline(run, deps.out);
    deps.out.info('\nStacks:');
    printStacks(run, deps.out);
    deps.out.info('\nBundle sizes (docs/build-gates.md, "Bundle sizes"):');
    for (const line of formatBundleSizes(bundles)) deps.out.info(line);
    deps.out.info('\nPolicy gates:');
    printGatesTable(run, deps.out);
    const supplyChain = await (deps.runSupplyChainGates ?? runSupplyChainGates)(deps.cwd);
    deps.out.info('\nBuild-stage gates (docs/build-gates.md):');
    for (const line of formatBuildStageGates(supplyChain)) deps.out.info(line);
    const supplyChainBlocked = supplyChain.filter((result) => result.verdict !== 'pass');
    for (const result of supplyChainBlocked) printGateResult(deps.out, result);
    const seconds = (value: number): string => (value / 1000).toFixed(1);
    deps.out.info(`\nTotal time ${seconds(deps.now() - started)} s (synthesis ${seconds(synthesized - started)} s).`);
    if (verdict.kind === 'pass' && supplyChainBlocked.length === 0 && oversized.length === 0) {
      deps.out.info('Main job passed: zero unaccepted findings.');
      return 0;
    }
    const blockedGates = [
      ...(supplyChainBlocked.length === 0 ? [] : [`; blocked: ${supplyChainBlocked.map((result) => result.tool).join(', ')}`]),
      ...(oversized.length === 0 ? [] : [`; bundles over the size limit: ${oversized.map((bundle) => bundle.name).join(', ')}`]),
    ].join('');
    deps.out.info(`Main job FAILED: ${verdict.kind === 'pass' ? 0 : verdict.blocking.length} unaccepted finding(s)${blockedGates}.`);
    return 1;
  } catch (thrown) {
    const error = asKiroCdError(thrown);
    deps.out.error(`main job: ${error.message}`);
    if (error.code === SYNTH_FAILED) return 1;
    return error.fault === 'transient' ? 3 : error.fault === 'user' ? 2 : 4;
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
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
    const gates = await runMainJob({ cwd: process.cwd(), out: consoleOutput, now: () => Date.now() });
    process.exitCode =
      gates !== 0
        ? gates
        : await rehearsalPhase(rehearsalArguments, { cwd: process.cwd(), out: consoleOutput, phases: [{ name: 'synthesis and policy gates', durationMs: Date.now() - started }] });
    consoleOutput.info(formatMainJobCost(Date.now() - started, memory.stop()));
  }
}
