/**
 * The rehearsal phase of `npm start`: start the local AWS emulator and the rehearsal world on it
 * (the synthesized pipeline on the local CodePipeline, one endpoint, the runtime's real functions),
 * run the chosen scenarios, print a timeline per scenario, compute the DORA measures from the
 * recorded history, write the HTML report and print the wall time. Exits non-zero when a scenario
 * ends differently from what its definition expects.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { applicationStageName } from '../pipeline/domain/stage-names.js';
import { computeDora } from '../pipeline/domain/metrics/dora.js';
import { uuidGenerator } from '../shared/id-generator.js';
import { formatDoraMeasures } from '../cli/commands/dora.js';
import { readStatus, renderStatus } from '../cli/commands/status.js';
import type { Output } from '../cli/output.js';
import { CompressedClock } from '../local/compressed-clock.js';
import { EMULATOR_ACCOUNT } from '../local/emulator-account.js';
import { startMotoServer, type MotoServer } from '../local/moto-server.js';
import { readSynthesizedStacks } from '../local/synthesized-templates.js';
import { ConfigurationError } from '../shared/errors.js';
import { renderRehearsalReport } from './html-report.js';
import { timelineFromPipeline } from './report/timeline-from-pipeline.js';
import type { TimelineMark } from './report/scenario-timeline.js';
import { REHEARSAL_QUIET_MS, REHEARSAL_TIME_FACTOR, loadRehearsalConfig } from './rehearsal-config.js';
import { keptEmulatorBanner, stopEmulatorWithOwner } from './keep-emulator.js';
import { runBaseline, runScenario, type ScenarioRun } from './run-scenario.js';
import { People } from './world/people.js';
import { startRehearsalWorld, type RehearsalWorld } from './world/rehearsal-world.js';
import { selectScenarios } from './scenarios.js';
import { synthesizeClosedWindowDeclaration } from './scenarios/window-variant.js';
import type { PipelineDeclaration } from '../local/codepipeline/declaration.js';
import { renderTimelineText } from './timeline.js';

export { EMULATOR_ACCOUNT } from '../local/emulator-account.js';
// Parsed in a module of its own, so `npm start` can check its arguments before it loads the rehearsal.
export { parseRehearsalArguments } from './rehearsal-arguments.js';

/** The longest the rehearsal may take in real time before its clock would pass the wall clock. */
export const REHEARSAL_REAL_BUDGET_MS = 5 * 60_000;

/**
 * Where the rehearsal clock starts for a rehearsal begun at `wallNowMs`: far enough in the past that
 * everything it records precedes what anyone records later in real time (a `kiro-cd rollback` against
 * the kept endpoint), as long as the run takes under {@link REHEARSAL_REAL_BUDGET_MS}. `npm start`
 * fixes it at its own start, so the closed-window variant can be synthesized beside the main synthesis.
 */
export function rehearsalClockStart(wallNowMs: number): Date {
  return new Date(wallNowMs - REHEARSAL_TIME_FACTOR * REHEARSAL_REAL_BUDGET_MS);
}

/** One phase of `npm start` as the report lists it. */
export interface PhaseTiming {
  readonly name: string;
  readonly durationMs: number;
}

/** Where the HTML report goes, relative to the working directory. */
export const REPORT_PATH = 'reports/rehearsal.html';

/** What the rehearsal is asked to do. */
export interface RehearsalOptions {
  readonly cwd: string;
  /** The cloud assembly written by the synthesis phase. */
  readonly assemblyDir: string;
  /** Scenario names; empty runs them all. */
  readonly scenarios: readonly string[];
  /** Leaves the emulator running at the end, so `kiro-cd history --endpoint-url ...` can read the history. */
  readonly keepEmulator: boolean;
  readonly out: Output;
  /**
   * Phase timings of `npm start` besides the rehearsal (synthesis, gates), for the report: a list, or
   * a function asked just before the report is written, for phases that run side by side with it.
   */
  readonly phases: readonly PhaseTiming[] | (() => Promise<readonly PhaseTiming[]>);
  /** Starts the emulator. @default startMotoServer */
  readonly startEmulator?: () => Promise<MotoServer>;
  /** Rehearsal time at the clock's start. @default rehearsalClockStart(Date.now()) when the rehearsal starts */
  readonly clockStart?: Date;
  /**
   * The closed-window scenario's pipeline declaration, already being synthesized (closed from
   * `clockStart`) by the caller. @default synthesized here, beside the scenarios before it, when a
   * chosen scenario needs it
   */
  readonly productionWindowClosed?: Promise<PipelineDeclaration>;
  /**
   * Aborted when what the rehearsal rehearses is void (`npm start`: synthesis failed after the
   * templates were written); the rehearsal then stops at its next step (the world's start, the
   * baseline, each scenario) by throwing the signal's reason. @default never aborted
   */
  readonly signal?: AbortSignal;
}

/** How the rehearsal ended. */
export interface RehearsalResult {
  readonly exitCode: 0 | 1;
  readonly runs: readonly ScenarioRun[];
  /** The rehearsal's one endpoint (CodePipeline and moto behind it), when it was kept running. */
  readonly keptEndpoint?: string;
  readonly historyTable: string;
  /** The rollback ledger table, for `kiro-cd rollback --ledger-table` against a kept emulator. */
  readonly ledgerTable: string;
  /** Stops the kept endpoint and emulator (tests; `npm start` stops them on Ctrl-C). */
  readonly stop?: () => Promise<void>;
}

/** The marks the report draws beside the pipeline's own: the people's stimuli and the notices received. */
function reportMarks(run: ScenarioRun): TimelineMark[] {
  const kindOf = (summary: string): TimelineMark['kind'] =>
    summary.startsWith('pushed') ? 'commit' : summary.includes('alarm') ? 'alarm' : summary.includes('review') || summary.includes('kiro-cd approve') || summary.includes('kiro-cd reject') ? 'review' : summary.startsWith('operator') || summary.startsWith('kiro-cd') ? 'operator' : 'approval';
  return [
    ...run.stimuli.filter((stimulus) => !stimulus.summary.includes('(PutApprovalResult)')).map((stimulus) => ({ kind: kindOf(stimulus.summary), at: stimulus.at, label: stimulus.summary })),
    ...run.notices.map((notice) => ({ kind: 'notice' as const, at: notice.at, label: `${notice.kind}${notice.environment === undefined ? '' : ` (${notice.environment})`}` })),
  ];
}

/** Runs the rehearsal. Throws a KiroCdError when it cannot run at all (no cloud assembly, no emulator). */
export async function runRehearsal(options: RehearsalOptions): Promise<RehearsalResult> {
  const { out } = options;
  const wallStart = performance.now();
  const selection = selectScenarios(options.scenarios);
  if (selection.kind === 'unknown') throw new ConfigurationError(`Unknown scenario(s): ${selection.unknown.join(', ')}.`);
  const config = await loadRehearsalConfig();
  const region = config.pipeline.region;
  const stacks = readSynthesizedStacks(options.assemblyDir);

  out.info(`\nRehearsal: ${selection.scenarios.length} scenario(s) on the local CodePipeline running the synthesized pipeline, rehearsal time ${REHEARSAL_TIME_FACTOR}x faster than the wall clock, idle time skipped.`);
  const seconds = (milliseconds: number): string => (milliseconds / 1000).toFixed(1);
  const minutes = (milliseconds: number): string => (milliseconds / 60_000).toFixed(1);
  const emulator = await (options.startEmulator ?? startMotoServer)();
  const emulatorReady = performance.now();
  const { signal } = options;
  let keep = false;
  let world: RehearsalWorld | undefined;
  try {
    // Rehearsal time starts in the past (rehearsalClockStart says why).
    const clockStart = options.clockStart ?? rehearsalClockStart(Date.now());
    // Idle time is skipped, never past the span the closed-window variant stays closed for.
    const horizon = new Date(clockStart.getTime() + REHEARSAL_TIME_FACTOR * REHEARSAL_REAL_BUDGET_MS);
    const clock = new CompressedClock(REHEARSAL_TIME_FACTOR, clockStart, undefined, undefined, { quietMs: REHEARSAL_QUIET_MS, horizon });
    // ARNs must name the emulator's own account, or a Ref'd topic ARN would point at nothing.
    signal?.throwIfAborted();
    world = await startRehearsalWorld({ stacks, assemblyDir: options.assemblyDir, config, emulatorEndpoint: emulator.endpoint, where: { region, account: EMULATOR_ACCOUNT }, clock, ids: uuidGenerator });
    out.info(`  one endpoint at ${world.endpoint.endpoint}: the local CodePipeline (${world.declaration.stages.length} stages of ${world.declaration.name}), every other service passed on to moto at ${emulator.endpoint}`);
    if (world.functions.missing.length > 0) out.info(`  no function in the templates for: ${world.functions.missing.join(', ')}`);
    const people = new People(world);
    await people.resetAlarms();
    const worldReady = performance.now();
    out.info(`  emulator started in ${seconds(emulatorReady - wallStart)} s, the world (resources from the templates, functions, endpoint) in ${seconds(worldReady - emulatorReady)} s`);
    const live = world;
    const load = live.emulatorLoad;
    /** Real time, emulator calls and emulator-busy time of one step, printed after it. */
    const measured = async <T>(step: () => Promise<T>): Promise<{ result: T; line: string }> => {
      const [startedAt, calls, busy, rehearsed, skipped, skips] = [performance.now(), load.calls, load.busy(), clock.now().getTime(), clock.skipped(), clock.skipCount()];
      const result = await step();
      const line = `${seconds(performance.now() - startedAt)} s wall: ${load.calls - calls} emulator calls answered in ${seconds(load.busy() - busy)} s (rehearsal time held), ${minutes(clock.now().getTime() - rehearsed)} min of rehearsal time, of which ${minutes(clock.skipped() - skipped)} min idle and skipped (${clock.skipCount() - skips} skips)`;
      return { result, line };
    };

    const rehearsalStart = clock.now();
    // The closed-window scenario's pipeline, synthesized from its configuration variant with the window
    // closed from the clock's start: by the caller from its own start, or here beside the scenarios before it.
    const productionWindowClosed = selection.scenarios.some((scenario) => scenario.configurationChange === 'production-window-closed')
      ? (options.productionWindowClosed ?? synthesizeClosedWindowDeclaration(clockStart, { region, account: EMULATOR_ACCOUNT }))
      : undefined;
    // Awaited only by its scenario; a failure is reported there, never as an unhandled rejection.
    productionWindowClosed?.catch(() => undefined);
    const runs: ScenarioRun[] = [];
    let baselineDone = false;
    for (const scenario of selection.scenarios) {
      signal?.throwIfAborted();
      if (scenario.beforeBaseline !== true && !baselineDone) {
        out.info(`\nBaseline: the first release goes through every environment (${applicationStageName('test')} ... ${applicationStageName('production')}).`);
        const baseline = await measured(() => runBaseline(live, people));
        out.info(`  baseline: ${baseline.line}`);
        baselineDone = true;
        signal?.throwIfAborted();
      }
      out.info(`\nScenario ${scenario.name}: ${scenario.title}`);
      const { result: run, line: cost } = await measured(() => runScenario(live, people, scenario, productionWindowClosed === undefined ? {} : { productionWindowClosed }));
      runs.push(run);
      out.info(`  executions (CodePipeline API): ${run.executions.map((execution) => `${execution.id.slice(0, 8)} ${execution.type === 'ROLLBACK' ? 'ROLLBACK' : execution.rollbackRestart ? 'restart' : execution.triggerType} ${execution.status}`).join('; ')}`);
      out.info(`  timeline (read back from DynamoDB and SQS):`);
      for (const line of renderTimelineText(run.timeline)) out.info(line);
      out.info(run.verdict.kind === 'as-expected' ? `  => as expected (${(run.durationMs / 1000).toFixed(1)} s)` : `  => UNEXPECTED:\n${run.verdict.differences.map((difference) => `     - ${difference}`).join('\n')}`);
      out.info(`  cost: ${cost}`);
    }

    out.info('\nStatus at the end (kiro-cd status: the history, and the pipeline state over the endpoint):');
    out.info(renderStatus(await readStatus(world.runtime.history, world.runtime.pipeline, config.pipeline.name, config.environments.map((environment) => environment.name))));

    const records = await world.runtime.history.list({ environment: 'production' });
    const measures = formatDoraMeasures(computeDora(records, { from: rehearsalStart, to: new Date(clock.now().getTime() + 1000) }, 'production'), 'production');
    out.info('\nDORA measures over the rehearsal (rehearsal time), from the recorded history:');
    for (const measure of measures) out.info(`  ${measure.name.padEnd(24)} ${measure.value}`);

    const running = world;
    const reportScenarios = runs.map((run) =>
      timelineFromPipeline(running.pipeline, {
        scenario: run.scenario.name,
        description: `${run.scenario.title}: ${run.scenario.description}`,
        differences: run.verdict.kind === 'unexpected' ? run.verdict.differences : [],
        executionIds: new Set(run.executions.map((execution) => execution.id)),
        startedAt: run.startedAt,
        endedAt: run.endedAt,
        marks: reportMarks(run),
      }),
    );
    const reportFile = join(options.cwd, REPORT_PATH);
    mkdirSync(dirname(reportFile), { recursive: true });
    // The rehearsal's own wall time ends here: waiting for phases that run beside it is not part of it.
    const rehearsalEnded = performance.now();
    const phases = typeof options.phases === 'function' ? await options.phases() : options.phases;
    writeFileSync(reportFile, renderRehearsalReport({ generatedAt: new Date().toISOString(), scenarios: reportScenarios, measures, phases, rehearsalTimeFactor: REHEARSAL_TIME_FACTOR }));
    out.info(`\nReport written to ${REPORT_PATH}.`);

    const failed = runs.filter((run) => run.verdict.kind === 'unexpected');
    const wallSeconds = seconds(rehearsalEnded - wallStart);
    out.info(`Emulator over the whole rehearsal: ${load.calls} calls answered in ${seconds(load.busy())} s of the ${wallSeconds} s; ${minutes(clock.skipped())} min of idle rehearsal time skipped in ${clock.skipCount()} skips.`);
    out.info(`  busiest operations: ${load.busiest(8).map(({ operation, calls }) => `${operation} ${calls}`).join(', ')}`);
    out.info(failed.length === 0 ? `Rehearsal passed: ${runs.length} of ${runs.length} scenarios ended as expected (${wallSeconds} s wall time).` : `Rehearsal FAILED: ${failed.map((run) => run.scenario.name).join(', ')} ended differently than expected (${wallSeconds} s wall time).`);
    keep = options.keepEmulator;
    if (keep) {
      const kept = world;
      const banner = keptEmulatorBanner({
        endpoint: kept.endpoint.endpoint,
        ...(emulator.pid === undefined ? {} : { emulatorPid: emulator.pid }),
        ownerPid: process.pid,
        historyTable: kept.binding.historyTable,
        ledgerTable: kept.binding.ledgerTable,
        teamTopicArn: kept.binding.teamTopicArn,
        environmentTopicArns: kept.binding.environmentTopicArns,
      });
      for (const line of banner) out.info(line);
      const stop = async (): Promise<void> => {
        await kept.close();
        await emulator.stop();
      };
      stopEmulatorWithOwner(stop);
      return { exitCode: failed.length === 0 ? 0 : 1, runs, historyTable: kept.binding.historyTable, ledgerTable: kept.binding.ledgerTable, keptEndpoint: kept.endpoint.endpoint, stop };
    }
    return { exitCode: failed.length === 0 ? 0 : 1, runs, historyTable: world.binding.historyTable, ledgerTable: world.binding.ledgerTable };
  } finally {
    if (!keep) {
      await world?.close();
      await emulator.stop();
    }
  }
}
