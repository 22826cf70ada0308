/**
 * The rehearsal phase of `npm start`: start the local AWS emulator, create the runtime's resources
 * from the synthesized templates, run the chosen scenarios through the real runtime code, print a
 * timeline per scenario, compute the DORA measures from the recorded history and write the HTML
 * report. Exits non-zero when a scenario ends differently from what its definition expects.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { planPipeline } from '../pipeline/domain/plan/pipeline-plan.js';
import { applicationStageName } from '../pipeline/domain/stage-names.js';
import { GitSourceDiff } from '../pipeline/adapters/git/git-source-diff.js';
import { computeDora } from '../pipeline/domain/metrics/dora.js';
import { uuidGenerator } from '../shared/id-generator.js';
import { formatDoraMeasures } from '../cli/commands/dora.js';
import { readStatus, renderStatus } from '../cli/commands/status.js';
import type { Output } from '../cli/output.js';
import { CompressedClock } from '../local/compressed-clock.js';
import { provisionFromTemplates, subscribeReadBackQueue } from '../local/local-resources.js';
import { startMotoServer, type MotoServer } from '../local/moto-server.js';
import { readSynthesizedStacks } from '../local/synthesized-templates.js';
import { TaskTokenBroker } from '../local/task-token-broker.js';
import { CodePipelineDouble } from '../local/codepipeline-double.js';
import { ConfigurationError, KiroCdError } from '../shared/errors.js';
import { renderRehearsalReport } from './html-report.js';
import { scenarioTimelineFromEntries } from './report/timeline-from-entries.js';
import { REHEARSAL_TIME_FACTOR, loadRehearsalConfig } from './rehearsal-config.js';
import { emulatorClients, wireRuntime } from './rehearsal-runtime.js';
import { ReleaseRepository } from './release-repository.js';
import { findRuntimeBinding } from './runtime-binding.js';
import { ScenarioDriver, type ScenarioRun } from './scenario-driver.js';
import { selectScenarios, SCENARIO_NAMES } from './scenarios.js';
import { renderTimelineText } from './timeline.js';

/** The account moto_server puts every resource in (its default; any credentials map to it). */
export const EMULATOR_ACCOUNT = '123456789012';

/** The longest the rehearsal may take in real time before its clock would pass the wall clock. */
export const REHEARSAL_REAL_BUDGET_MS = 5 * 60_000;

/** Where the HTML report goes, relative to the working directory. */
export const REPORT_PATH = 'reports/rehearsal.html';

/** What the rehearsal is asked to do. */
export interface RehearsalOptions {
  readonly cwd: string;
  /** The cloud assembly written by the synthesis phase. */
  readonly assemblyDir: string;
  /** Scenario names; empty runs all six. */
  readonly scenarios: readonly string[];
  /** Leaves the emulator running at the end, so `kiro-cd history --endpoint-url ...` can read the history. */
  readonly keepEmulator: boolean;
  readonly out: Output;
  /** Phase timings measured before the rehearsal (synthesis, gates), for the report. */
  readonly phases: readonly { readonly name: string; readonly durationMs: number }[];
  /** Starts the emulator. @default startMotoServer */
  readonly startEmulator?: () => Promise<MotoServer>;
}

/** How the rehearsal ended. */
export interface RehearsalResult {
  readonly exitCode: 0 | 1;
  readonly runs: readonly ScenarioRun[];
  /** The emulator's endpoint, when it was kept running. */
  readonly keptEndpoint?: string;
  readonly historyTable: string;
  /** The rollback ledger table, for `kiro-cd rollback --ledger-table` against a kept emulator. */
  readonly ledgerTable: string;
}

/** Parses `--scenario <name>` (repeatable) and `--keep-emulator` from the arguments after `npm start --`. */
export function parseRehearsalArguments(argv: readonly string[]): { readonly scenarios: string[]; readonly keepEmulator: boolean } {
  const scenarios: string[] = [];
  let keepEmulator = false;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    if (argument === '--keep-emulator') {
      keepEmulator = true;
    } else if (argument === '--scenario' || argument.startsWith('--scenario=')) {
      const value = argument.includes('=') ? argument.slice('--scenario='.length) : argv[(index += 1)];
      if (value === undefined || value === '') throw new ConfigurationError(`--scenario needs a name: one of ${SCENARIO_NAMES.join(', ')}.`);
      scenarios.push(...value.split(','));
    } else {
      throw new ConfigurationError(`Unknown argument "${argument}". Use --scenario <name> (one of ${SCENARIO_NAMES.join(', ')}) or --keep-emulator.`);
    }
  }
  const selection = selectScenarios(scenarios);
  if (selection.kind === 'unknown') {
    throw new ConfigurationError(`Unknown scenario ${selection.unknown.map((name) => `"${name}"`).join(', ')}: choose from ${SCENARIO_NAMES.join(', ')}.`);
  }
  return { scenarios, keepEmulator };
}

/** Runs the rehearsal. Throws a KiroCdError when it cannot run at all (no cloud assembly, no emulator). */
export async function runRehearsal(options: RehearsalOptions): Promise<RehearsalResult> {
  const { out } = options;
  const selection = selectScenarios(options.scenarios);
  if (selection.kind === 'unknown') throw new ConfigurationError(`Unknown scenario(s): ${selection.unknown.join(', ')}.`);
  const config = await loadRehearsalConfig();
  const region = config.pipeline.region;
  const account = config.pipeline.account;
  const stacks = readSynthesizedStacks(options.assemblyDir);

  out.info(`\nRehearsal: ${selection.scenarios.length} scenario(s) on the local AWS emulator, rehearsal time ${REHEARSAL_TIME_FACTOR}x faster than the wall clock.`);
  const emulator = await (options.startEmulator ?? startMotoServer)();
  let keep = false;
  const clients = emulatorClients({ endpoint: emulator.endpoint, region });
  let repository: ReleaseRepository | undefined;
  try {
    out.info(`  emulator at ${emulator.endpoint}`);
    // ARNs must name the emulator's own account, or a Ref'd topic ARN would point at nothing.
    const provisioned = await provisionFromTemplates(stacks, clients, { region, account: EMULATOR_ACCOUNT });
    out.info(`  created from the synthesized templates: ${provisioned.tables.length} tables, ${provisioned.topics.length} topics, ${provisioned.queues.length} queues, ${provisioned.alarms.length} alarms`);
    const search = findRuntimeBinding(stacks, provisioned.contexts);
    if (search.kind === 'missing') {
      throw new KiroCdError(`The synthesized templates lack what the rehearsal runs: ${search.missing.join('; ')}.`, { code: 'REHEARSAL_TEMPLATES_INCOMPLETE', fault: 'internal' });
    }
    const binding = search.binding;
    const readBackQueueUrl = await subscribeReadBackQueue(clients, [binding.teamTopicArn], 'rehearsal-notification-read-back');

    // Rehearsal time starts in the past, so everything it records precedes what anyone records later in
    // real time (a `kiro-cd rollback` against the kept emulator), as long as the run takes under REHEARSAL_REAL_BUDGET_MS.
    const clock = new CompressedClock(REHEARSAL_TIME_FACTOR, new Date(Date.now() - REHEARSAL_TIME_FACTOR * REHEARSAL_REAL_BUDGET_MS));
    const plan = planPipeline(config, { historyTableName: binding.historyTable, healthMonitor: true });
    const double = new CodePipelineDouble(config.pipeline.name, ['Source', ...plan.stages.map((stage) => stage.name)]);
    const broker = new TaskTokenBroker();
    const runtime = wireRuntime({ clients, binding, config, region, clock, ids: uuidGenerator, codePipeline: double, broker });
    const testCore = stacks.find((stack) => stack.stage.toLowerCase() === 'test' && /core/i.test(stack.stackName));
    const created = ReleaseRepository.create({ Resources: testCore?.resources ?? {} }, () => clock.now());
    repository = created.repository;
    const driver = new ScenarioDriver({
      config,
      plan,
      runtime,
      binding,
      clients,
      double,
      broker,
      clock,
      ids: uuidGenerator,
      repository,
      sourceDiff: new GitSourceDiff({ cwd: repository.directory }),
      readBackQueueUrl,
      repositoryName: `${config.pipeline.source.owner}/${config.pipeline.source.repository}`,
      account,
      region,
      progress: (line) => {
        out.info(line);
      },
    });

    const rehearsalStart = clock.now();
    out.info(`\nBaseline: the first release goes through every environment (${applicationStageName('test')} ... ${applicationStageName('production')}).`);
    await driver.baseline(created.initial);
    const runs: ScenarioRun[] = [];
    for (const scenario of selection.scenarios) {
      out.info(`\nScenario ${scenario.name}: ${scenario.title}`);
      const run = await driver.run(scenario);
      runs.push(run);
      out.info(`  timeline (read back from DynamoDB and SQS):`);
      for (const line of renderTimelineText(run.timeline)) out.info(line);
      out.info(run.verdict.kind === 'as-expected' ? `  => as expected (${(run.durationMs / 1000).toFixed(1)} s)` : `  => UNEXPECTED:\n${run.verdict.differences.map((difference) => `     - ${difference}`).join('\n')}`);
    }

    // What `kiro-cd status` shows now: the history, and the pipeline state through the CodePipeline port (the double here).
    out.info('\nStatus at the end (kiro-cd status, with the CodePipeline double behind the port):');
    out.info(renderStatus(await readStatus(runtime.history, runtime.pipeline, config.pipeline.name, config.environments.map((environment) => environment.name))));

    const records = await runtime.history.list({ environment: 'production' });
    const measures = formatDoraMeasures(computeDora(records, { from: rehearsalStart, to: new Date(clock.now().getTime() + 1000) }, 'production'), 'production');
    out.info('\nDORA measures over the rehearsal (rehearsal time), from the recorded history:');
    for (const measure of measures) out.info(`  ${measure.name.padEnd(24)} ${measure.value}`);

    const reportScenarios = runs.map((run) =>
      scenarioTimelineFromEntries({ scenario: run.scenario.name, description: `${run.scenario.title}: ${run.scenario.description}`, verdict: run.verdict, timeline: run.timeline }),
    );
    const reportFile = join(options.cwd, REPORT_PATH);
    mkdirSync(dirname(reportFile), { recursive: true });
    writeFileSync(reportFile, renderRehearsalReport({ generatedAt: new Date().toISOString(), scenarios: reportScenarios, measures, phases: options.phases, rehearsalTimeFactor: REHEARSAL_TIME_FACTOR }));
    out.info(`\nReport written to ${REPORT_PATH}.`);

    const failed = runs.filter((run) => run.verdict.kind === 'unexpected');
    out.info(failed.length === 0 ? `Rehearsal passed: ${runs.length} of ${runs.length} scenarios ended as expected.` : `Rehearsal FAILED: ${failed.map((run) => run.scenario.name).join(', ')} ended differently than expected.`);
    keep = options.keepEmulator;
    if (keep) {
      out.info(
        `\nThe emulator keeps running at ${emulator.endpoint} (stop it with Ctrl-C). Read the history back with:\n` +
          `  AWS_ACCESS_KEY_ID=rehearsal AWS_SECRET_ACCESS_KEY=rehearsal npx kiro-cd history --endpoint-url ${emulator.endpoint} --history-table ${binding.historyTable}`,
      );
    }
    return { exitCode: failed.length === 0 ? 0 : 1, runs, historyTable: binding.historyTable, ledgerTable: binding.ledgerTable, ...(keep ? { keptEndpoint: emulator.endpoint } : {}) };
  } finally {
    repository?.remove();
    if (!keep) await emulator.stop();
  }
}
