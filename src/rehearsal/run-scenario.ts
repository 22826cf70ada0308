/**
 * Runs one scenario in the rehearsal world and judges it only from what the endpoints recorded:
 * the executions over the CodePipeline API, the history in DynamoDB, the notices read back from
 * SQS, the deploy records of the deploy actions and the statuses GitHub received. The people push
 * the commit and play their part (world/people.ts); the local CodePipeline and the runtime's real
 * functions do everything else. The scenario is over when the pipeline has settled: no execution
 * running and every event delivered (the rollback trigger's orchestration included).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { RecordingOutput } from '../cli/output.js';
import { runCli } from '../cli/run-cli.js';
import { createRollbackCommand } from '../cli/commands/rollback.js';
import { configuredDefaults } from '../cli/aws/runtime-clients.js';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { CodePipelineControl } from '../pipeline/adapters/aws/codepipeline-control.js';
import { DynamoDbDeploymentHistory } from '../pipeline/adapters/aws/dynamodb-deployment-history.js';
import { DynamoDbRollbackLedger } from '../pipeline/adapters/aws/dynamodb-rollback-ledger.js';
import { SnsNotifier } from '../pipeline/adapters/aws/sns-notifier.js';
import type { CommitInfo, HistoryEvent } from '../pipeline/domain/history-model.js';
import { ENVIRONMENT_NAMES } from '../shared/config/schema.js';
import { compareOutcome, expectedCommit, observeOutcome, type OutcomeVerdict } from './outcome.js';
import { parseReceivedNotice, type ReceivedNotice } from './received-notice.js';
import type { ScenarioDefinition } from './scenario-definition.js';
import type { PipelineDeclaration } from '../local/codepipeline/declaration.js';
import { KiroCdError } from '../shared/errors.js';
import { compareAutomatedRollbacks, compareRacingStatuses } from './scenarios/expected-executions.js';
import { buildTimeline, type TimelineEntry } from './timeline.js';
import { compareExecutions, readExecutions, releaseExecution, type ExecutionView } from './world/engine-read-back.js';
import type { People } from './world/people.js';
import type { RehearsalWorld } from './world/rehearsal-world.js';

/** How one scenario ended. */
export interface ScenarioRun {
  readonly scenario: ScenarioDefinition;
  readonly verdict: OutcomeVerdict;
  readonly timeline: readonly TimelineEntry[];
  readonly durationMs: number;
  readonly release: CommitInfo;
  readonly releaseExecutionId: string;
  /** Every execution the scenario started or caused, as the API shows them. */
  readonly executions: readonly ExecutionView[];
  readonly startedAt: Date;
  readonly endedAt: Date;
  readonly stimuli: readonly { readonly at: string; readonly summary: string }[];
  readonly notices: readonly ReceivedNotice[];
}

/** Reads every notification waiting on the read-back queue (and deletes it), in rehearsal time. */
export async function drainNotices(world: RehearsalWorld): Promise<ReceivedNotice[]> {
  const notices: ReceivedNotice[] = [];
  for (;;) {
    const received = await world.clients.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: world.readBackQueueUrl, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['SentTimestamp'], WaitTimeSeconds: 0 }),
    );
    const messages = received.Messages ?? [];
    if (messages.length === 0) break;
    for (const message of messages) {
      const notice = parseReceivedNotice(message);
      notices.push({ ...notice, at: world.clock.fromWallClock(Date.parse(notice.at)).toISOString() });
    }
    await world.clients.sqs.send(new DeleteMessageBatchCommand({ QueueUrl: world.readBackQueueUrl, Entries: messages.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle ?? '' })) }));
  }
  return notices;
}

/** The variant's declaration, awaited with rehearsal time held: the pipeline is idle meanwhile, and the window must not be reached by waiting. */
async function variantDeclaration(world: RehearsalWorld, variants: ConfigurationVariants): Promise<PipelineDeclaration> {
  const pending = variants.productionWindowClosed;
  if (pending === undefined) throw new KiroCdError('The scenario changes the configuration (production-window-closed), but the rehearsal synthesized no such variant.', { code: 'REHEARSAL_VARIANT_MISSING', fault: 'internal' });
  world.clock.hold(true);
  try {
    return await pending;
  } finally {
    world.clock.hold(false);
  }
}

/** Waits until the pipeline and the people are both still. */
async function settle(world: RehearsalWorld, people: People): Promise<void> {
  for (let round = 0; round < 50; round += 1) {
    await world.pipeline.settled();
    await people.settled();
    await world.pipeline.settled();
    if ([...world.pipeline.executions.values()].every((execution) => execution.status !== 'InProgress' && execution.status !== 'Stopping')) return;
  }
}

/** `kiro-cd rollback <environment>` against the rehearsal's endpoint, with the CLI's own code path. */
async function operatorRollback(world: RehearsalWorld, people: People, environment: (typeof ENVIRONMENT_NAMES)[number]): Promise<void> {
  // The operator's shell would hold dummy credentials for the emulator; in process they are given to each client.
  const credentials = { accessKeyId: 'rehearsal', secretAccessKey: 'rehearsal' };
  const command = createRollbackCommand({
    defaults: () => configuredDefaults(world.config),
    discoverHistoryTable: () => Promise.resolve(world.binding.historyTable),
    discoverLedgerTable: () => Promise.resolve(world.binding.ledgerTable),
    // Operators in the rehearsal live on rehearsal time, so their records sort among the pipeline's.
    openHistory: (client, tableName) => new DynamoDbDeploymentHistory({ client: new DynamoDBClient({ ...client, credentials }), tableName, clock: world.clock }),
    openLedger: (client, tableName) => new DynamoDbRollbackLedger(DynamoDBDocumentClient.from(new DynamoDBClient({ ...client, credentials })), tableName),
    openPipeline: (client, pipelineName) => new CodePipelineControl(new CodePipelineClient({ ...client, credentials }), pipelineName),
    openNotifier: (client, topicArn) => new SnsNotifier({ client: new SNSClient({ ...client, credentials }), teamTopicArn: topicArn ?? world.binding.teamTopicArn }),
    dependencies: { clock: world.clock },
  });
  const argv = ['rollback', environment, '--endpoint-url', world.endpoint.endpoint, '--history-table', world.binding.historyTable, '--ledger-table', world.binding.ledgerTable, '--notify-topic', world.binding.teamTopicArn];
  people.fire(environment, `operator runs kiro-cd ${argv.join(' ')}`);
  const out = new RecordingOutput();
  const code = await runCli([command], argv, { out, env: { AWS_ACCESS_KEY_ID: 'rehearsal', AWS_SECRET_ACCESS_KEY: 'rehearsal', USER: 'rehearsal-operator' }, cwd: world.repository.directory });
  people.fire(environment, `kiro-cd rollback exited ${code}: ${out.stdout.trim().split('\n').at(-1) ?? ''}${out.stderr.trim() === '' ? '' : ` ${out.stderr.trim()}`}`);
}

/** Deploys the repository's first commit everywhere: the release every later scenario builds on. */
export async function runBaseline(world: RehearsalWorld, people: People): Promise<void> {
  people.push(world.initial, 'the first release of the worker (baseline)');
  await settle(world, people);
  await drainNotices(world);
}

/** Pipeline declarations synthesized from the rehearsal's configuration variants, for the scenarios that change the configuration. */
export interface ConfigurationVariants {
  /** Production with a deployment window closed for the whole rehearsal. */
  readonly productionWindowClosed?: Promise<PipelineDeclaration>;
}

/** Runs `scenario` and judges it from what was recorded. */
export async function runScenario(world: RehearsalWorld, people: People, scenario: ScenarioDefinition, variants: ConfigurationVariants = {}): Promise<ScenarioRun> {
  const started = performance.now();
  await people.clearRaisedAlarms();
  await drainNotices(world);
  const startedAt = world.clock.now();
  const lastKnownGood = await world.runtime.history.lastKnownGood();
  const previous = Object.fromEntries(ENVIRONMENT_NAMES.flatMap((environment) => {
    const running = world.records.runningCommit(environment);
    return running === undefined ? [] : [[environment, running]];
  }));
  const configured = scenario.configurationChange === undefined ? undefined : await variantDeclaration(world, variants);
  const release = world.repository.commit(scenario.commit, scenario.title);
  if (configured !== undefined) world.structures.markSynthesized(release.id, configured);
  if (scenario.pipelineChange === true) world.structures.markChange(release.id);
  if (scenario.failingBuilds !== undefined) world.scripts.set(release.id, Object.fromEntries(scenario.failingBuilds.map((action) => [action, { status: 'Failed' as const, summary: `${action} failed (scripted)` }])));
  people.begin(scenario, release);
  people.push(release, `${scenario.commit === 'application-only' ? 'application code only' : 'infrastructure and application'}${scenario.pipelineChange === true ? ', and the pipeline itself' : ''}: ${scenario.title}`);
  await settle(world, people);
  if (scenario.operatorRollback !== undefined) {
    await operatorRollback(world, people, scenario.operatorRollback);
    await settle(world, people);
  }
  const racing = people.racingCommits;
  const newer = racing.at(-1);
  people.end();
  const endedAt = world.clock.now();

  const executions = await readExecutions(world.codePipeline, world.config.pipeline.name, startedAt);
  const releaseRun = releaseExecution(executions, release.id);
  const events: HistoryEvent[] = [];
  for (const execution of executions) events.push(...(await world.runtime.history.timeline(execution.id)));
  const records = await world.runtime.history.list({});
  const notices = await drainNotices(world);
  const commits = { release: release.id, lastKnownGood: lastKnownGood?.commit.id ?? 'none', previous, ...(newer === undefined ? {} : { newerCommit: newer.id }) };
  const history = compareOutcome(scenario.expected, observeOutcome({ releaseExecutionId: releaseRun?.id ?? '', records, events, notices }), commits);
  const differences = [...(history.kind === 'unexpected' ? history.differences : []), ...compareExecutions(scenario.expected, executions, release.id)];
  for (const [environment, wanted] of Object.entries(scenario.expected.running)) {
    const name = environment as (typeof ENVIRONMENT_NAMES)[number];
    const wantedCommit = expectedCommit(wanted, name, commits);
    const running = world.records.runningCommit(name);
    if (running !== wantedCommit) differences.push(`${environment}: CodeDeploy last deployed ${running?.slice(0, 8) ?? 'nothing'}, expected the ${wanted} (${wantedCommit?.slice(0, 8) ?? 'none'}).`);
  }
  differences.push(...compareRacingStatuses(scenario.expected.racingStatuses, racing, executions), ...compareAutomatedRollbacks(scenario.expected.automatedStageRollbacks, executions));
  for (const wanted of scenario.expected.commitStatuses ?? []) {
    const set = world.github.statuses.filter((status) => status.commitId === release.id).map((status) => `${status.context}=${status.state}`);
    if (!set.includes(wanted)) differences.push(`GitHub did not receive the commit status ${wanted} for the release (it received ${set.join(', ') || 'none'}).`);
  }
  for (const error of world.targetErrors.splice(0)) differences.push(`an EventBridge target failed: ${error instanceof Error ? error.message : String(error)}`);
  for (const error of world.pipeline.deliveryErrors.splice(0)) differences.push(`an event delivery failed: ${error instanceof Error ? error.message : String(error)}`);
  return {
    scenario,
    verdict: differences.length === 0 ? { kind: 'as-expected' } : { kind: 'unexpected', differences },
    timeline: buildTimeline({ stimuli: people.stimuli, events, notices }),
    durationMs: performance.now() - started,
    release,
    releaseExecutionId: releaseRun?.id ?? '',
    executions,
    startedAt,
    endedAt,
    stimuli: [...people.stimuli],
    notices,
  };
}
