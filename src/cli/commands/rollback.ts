import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { CloudFormationClient, ListStackResourcesCommand } from '@aws-sdk/client-cloudformation';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../shared/config/schema.js';
import { DynamoDbRollbackLedger } from '../../pipeline/adapters/aws/dynamodb-rollback-ledger.js';
import { SnsNotifier } from '../../pipeline/adapters/aws/sns-notifier.js';
import type { DeploymentNotice } from '../../pipeline/domain/notice.js';
import { runRollback, type RollbackDependencies, type RollbackOutcome } from '../../pipeline/domain/rollback/rollback-orchestrator.js';
import type { RollbackPlan, RollbackRequest } from '../../pipeline/domain/rollback/rollback-plan.js';
import { DEFAULT_ROLLBACK_TIMING } from '../../pipeline/domain/rollback/rollback-timing.js';
import { applicationStageName } from '../../pipeline/domain/stage-names.js';
import { systemClock } from '../../shared/clock.js';
import type { DeploymentHistory } from '../../pipeline/ports/deployment-history.js';
import { uuidGenerator } from '../../shared/id-generator.js';
import type { Notifier } from '../../pipeline/ports/notifier.js';
import type { PipelineControl } from '../../pipeline/ports/pipeline-control.js';
import type { RollbackLedger } from '../../pipeline/ports/rollback-ledger.js';
import { ConfigurationError } from '../../shared/errors.js';
import { ExitCode, type Command, type OptionValues } from '../command.js';
import type { Output } from '../output.js';
import { awsCall } from '../aws/aws-errors.js';
import { AWS_CLI_OPTIONS, AWS_CLI_OPTIONS_HELP, awsClientConfig, resolveAwsOptions, type AwsClientConfig } from '../aws/aws-options.js';
import { HISTORY_TABLE_HELP, HISTORY_TABLE_OPTION, resolveHistoryTable } from '../aws/history-options.js';
import { PIPELINE_RUNTIME_STACK, configuredDefaults, discoverHistoryTable, openCodePipeline, openDynamoDbHistory } from '../aws/runtime-clients.js';

/** The outside world of the rollback command, as factories so tests can hand in the emulator and the CodePipeline double. */
export interface RollbackCommandDeps {
  readonly defaults: () => { readonly region: string; readonly pipelineName: string } | Promise<{ readonly region: string; readonly pipelineName: string }>;
  readonly discoverHistoryTable: (client: AwsClientConfig) => Promise<string>;
  readonly discoverLedgerTable: (client: AwsClientConfig) => Promise<string>;
  readonly openHistory: (client: AwsClientConfig, tableName: string) => DeploymentHistory;
  readonly openLedger: (client: AwsClientConfig, tableName: string) => RollbackLedger;
  readonly openPipeline: (client: AwsClientConfig, pipelineName: string) => PipelineControl;
  /** SNS notices when a topic is given; otherwise the notices are printed. */
  readonly openNotifier: (client: AwsClientConfig, topicArn: string | undefined, out: Output) => Notifier;
  readonly dependencies?: Partial<Pick<RollbackDependencies, 'clock' | 'ids' | 'timing'>>;
}

const HELP = `Usage: kiro-cd rollback <environment> [--to <executionId|commit>] [--dry-run] [options]

Rolls an environment back through the same idempotent path as the automatic rollback: first its
application stage (RollbackStage), then, if that fails, every environment newer than the last known
good release (in parallel), then a pipeline restart on that commit. One DynamoDB lease per request:
running the same command twice rolls back once.

Arguments:
  <environment>           test, staging or production.

Options:
  --to <id|commit>        Roll back to this pipeline execution id or commit SHA (>= 7 hex characters)
                          instead of the newest earlier healthy deployment.
  --dry-run               Print the plan; change nothing.
  --pipeline <name>       The pipeline (default: the configured pipeline name).
  --ledger-table <name>   DynamoDB rollback ledger (default: KIRO_CD_LEDGER_TABLE, then the pipeline runtime stack's table).
  --notify-topic <arn>    SNS topic for the rollback notices (default: KIRO_CD_TEAM_TOPIC_ARN; without one they are printed).
${HISTORY_TABLE_HELP}

${AWS_CLI_OPTIONS_HELP}

Examples:
  kiro-cd rollback production --dry-run
  kiro-cd rollback staging --to 3f2a9c1 --output json

Exit codes: 0 rolled back, already done or planned; 1 the rollback failed (follow docs/rollback.md); 2 bad input; 3 AWS could not be reached.`;

const EXECUTION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const COMMIT = /^[0-9a-f]{7,40}$/i;

function parseEnvironment(positionals: readonly string[]): EnvironmentName {
  if (positionals.length !== 1) {
    throw new ConfigurationError(`rollback takes exactly one environment (${ENVIRONMENT_NAMES.join(', ')}); got ${positionals.length === 0 ? 'none' : `"${positionals.join(' ')}"`}.`);
  }
  const found = ENVIRONMENT_NAMES.find((name) => name === positionals[0]);
  if (found === undefined) throw new ConfigurationError(`Unknown environment "${positionals[0] ?? ''}"; use one of ${ENVIRONMENT_NAMES.join(', ')}.`, { environment: positionals[0] });
  return found;
}

function stringFlag(values: OptionValues, key: string): string | undefined {
  const value = values[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw new ConfigurationError(`--${key} needs a value.`, { option: key });
  return value;
}

/** Resolves `--to`: an execution id as given, a commit (or unique prefix) to the full SHA the history knows. */
async function resolveTarget(to: string | undefined, environment: EnvironmentName, history: DeploymentHistory): Promise<RollbackRequest['target']> {
  if (to === undefined) return undefined;
  if (EXECUTION_ID.test(to)) return { executionId: to };
  if (!COMMIT.test(to)) throw new ConfigurationError(`--to must be a pipeline execution id (uuid) or a commit SHA of at least 7 hex characters, not "${to}".`, { option: 'to', value: to });
  const commits = new Set((await history.list({ environment })).map((record) => record.commit.id).filter((id) => id.startsWith(to.toLowerCase())));
  if (commits.size !== 1) {
    throw new ConfigurationError(
      commits.size === 0 ? `No deployment of commit ${to} to ${environment} is in the history; see kiro-cd history --environment ${environment}.` : `Commit prefix ${to} is ambiguous in ${environment}; give more characters.`,
      { option: 'to', value: to },
    );
  }
  return { commitId: [...commits][0] ?? to };
}

function describePlan(plan: RollbackPlan): string[] {
  const lines = [`Rollback key: ${plan.key}`];
  lines.push(plan.stage.kind === 'stage' ? `1. RollbackStage ${plan.stage.stage} to execution ${plan.stage.targetExecutionId} (commit ${plan.stage.targetCommitId})` : `1. No stage rollback: ${plan.stage.reason}`);
  if (plan.full.kind === 'none') {
    lines.push(`2. No full rollback: ${plan.full.reason}`);
  } else {
    lines.push(`2. If that fails: return ${plan.full.environments.join(', ')} to the last known good commit ${plan.full.targetCommitId} (execution ${plan.full.targetExecutionId})`);
    for (const stage of plan.full.stages) lines.push(`   - RollbackStage ${stage.stage} to execution ${stage.targetExecutionId} (in parallel)`);
    lines.push(plan.full.restartOnly === undefined ? '3. If no stage target is eligible: restart the pipeline on that commit with KIRO_ROLLBACK=true' : `3. Restart the pipeline on that commit with KIRO_ROLLBACK=true: ${plan.full.restartOnly}`);
  }
  return lines;
}

function report(out: Output, format: 'json' | 'table', outcome: RollbackOutcome): void {
  if (format === 'json') {
    out.json(outcome);
    return;
  }
  const lines = describePlan(outcome.plan);
  switch (outcome.kind) {
    case 'planned':
      out.info(['Dry run: nothing was changed.', ...lines].join('\n'));
      return;
    case 'duplicate':
      out.info(`This rollback is already ${outcome.lease.status === 'running' ? 'running' : `done (${outcome.lease.status}${outcome.lease.outcome === undefined ? '' : `: ${outcome.lease.outcome}`})`} as ${outcome.lease.rollbackId}; nothing was changed.`);
      return;
    case 'succeeded':
      out.info([...lines, `Rolled back (${outcome.scope}) by execution(s) ${outcome.rollbackExecutionIds.join(', ')}; rollback id ${outcome.rollbackId}.`].join('\n'));
      return;
    case 'failed':
      out.error([...lines, `Rollback ${outcome.rollbackId} failed: ${outcome.reason}`].join('\n'));
  }
}

/** Builds the `rollback` command around its dependencies. */
export function createRollbackCommand(deps: RollbackCommandDeps): Command {
  return {
    name: 'rollback',
    summary: 'Roll an environment back (dry run prints the plan); idempotent, the same path as the automatic rollback.',
    help: HELP,
    options: {
      ...AWS_CLI_OPTIONS,
      ...HISTORY_TABLE_OPTION,
      to: { type: 'string' },
      'dry-run': { type: 'boolean' },
      pipeline: { type: 'string' },
      'ledger-table': { type: 'string' },
      'notify-topic': { type: 'string' },
    },
    async run(context, values, positionals) {
      const environment = parseEnvironment(positionals);
      const defaults = await deps.defaults();
      const aws = resolveAwsOptions(values, context.env, defaults);
      const client = awsClientConfig(aws);
      const pipelineName = stringFlag(values, 'pipeline') ?? defaults.pipelineName;
      const historyTable = await resolveHistoryTable(values, context.env, () => awsCall('finding the history table of the pipeline runtime stack', () => deps.discoverHistoryTable(client)));
      const ledgerTable =
        stringFlag(values, 'ledger-table') ?? context.env.KIRO_CD_LEDGER_TABLE ?? (await awsCall('finding the rollback ledger of the pipeline runtime stack', () => deps.discoverLedgerTable(client)));
      const history = deps.openHistory(client, historyTable);
      // The newest release, not a rollback execution: a second run after a rollback then has the same key and does nothing.
      const releases = await awsCall(`reading the history table ${historyTable}`, () => history.list({ environment }));
      const latest = releases.find((record) => !record.isRollback);
      if (latest === undefined) throw new ConfigurationError(`The history has no deployment to ${environment}: there is nothing to roll back.`, { environment });
      const target = await awsCall(`reading the history table ${historyTable}`, () => resolveTarget(stringFlag(values, 'to'), environment, history));
      const actor = context.env.USER ?? context.env.USERNAME ?? 'cli';
      const request: RollbackRequest = {
        pipelineName,
        environment,
        stage: applicationStageName(environment),
        executionId: latest.executionId,
        trigger: `manual:${actor}`,
        reason: `Manual rollback of ${environment} requested by ${actor} from the CLI.`,
        ...(target === undefined ? {} : { target }),
      };
      const topic = stringFlag(values, 'notify-topic') ?? context.env.KIRO_CD_TEAM_TOPIC_ARN;
      const rollbackDeps: RollbackDependencies = {
        history,
        ledger: deps.openLedger(client, ledgerTable),
        pipeline: deps.openPipeline(client, pipelineName),
        notifier: deps.openNotifier(client, topic, context.out),
        clock: deps.dependencies?.clock ?? systemClock,
        ids: deps.dependencies?.ids ?? uuidGenerator,
        timing: deps.dependencies?.timing ?? DEFAULT_ROLLBACK_TIMING,
        environments: ENVIRONMENT_NAMES,
      };
      const outcome = await awsCall('running the rollback', () => runRollback(rollbackDeps, request, { dryRun: values['dry-run'] === true }));
      report(context.out, aws.output, outcome);
      return outcome.kind === 'failed' ? ExitCode.Failed : ExitCode.Ok;
    },
  };
}

/** Prints notices when no topic is given, so a manual rollback is never silent. */
class OutputNotifier implements Notifier {
  constructor(private readonly out: Output) {}
  notify(notice: DeploymentNotice): Promise<void> {
    this.out.info(`[${notice.kind}] ${notice.environment ?? ''} ${notice.reason}`);
    return Promise.resolve();
  }
}

/** Finds the rollback ledger the pipeline runtime stack deployed (logical id containing `RollbackLedger`). */
async function discoverLedgerTable(client: AwsClientConfig): Promise<string> {
  const cloudformation = new CloudFormationClient(client);
  let nextToken: string | undefined;
  do {
    const page = await cloudformation.send(new ListStackResourcesCommand({ StackName: PIPELINE_RUNTIME_STACK, NextToken: nextToken }));
    const table = page.StackResourceSummaries?.find((resource) => resource.ResourceType === 'AWS::DynamoDB::Table' && (resource.LogicalResourceId ?? '').includes('RollbackLedger'));
    if (table?.PhysicalResourceId !== undefined) return table.PhysicalResourceId;
    nextToken = page.NextToken;
  } while (nextToken !== undefined);
  throw new ConfigurationError(`The stack ${PIPELINE_RUNTIME_STACK} has no rollback ledger table; pass --ledger-table <name> or set KIRO_CD_LEDGER_TABLE.`);
}

/** `kiro-cd rollback` on the real history, ledger and pipeline. */
export const rollbackCommand: Command = createRollbackCommand({
  defaults: () => configuredDefaults(),
  discoverHistoryTable: (client) => discoverHistoryTable(client),
  discoverLedgerTable,
  openHistory: openDynamoDbHistory,
  openLedger: (client, tableName) => new DynamoDbRollbackLedger(DynamoDBDocumentClient.from(new DynamoDBClient(client)), tableName),
  openPipeline: openCodePipeline,
  openNotifier: (client, topicArn, out) => (topicArn === undefined ? new OutputNotifier(out) : new SnsNotifier({ client: new SNSClient(client), teamTopicArn: topicArn })),
});
