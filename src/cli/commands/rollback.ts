import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadEnvironmentsFile } from '../../shared/config/environments-file.js';
import { ENVIRONMENT_NAMES, type DeploymentConfig, type EnvironmentName } from '../../shared/config/schema.js';
import { DynamoDbRollbackLedger } from '../../pipeline/adapters/aws/dynamodb-rollback-ledger.js';
import { SnsNotifier } from '../../pipeline/adapters/aws/sns-notifier.js';
import type { DeploymentNotice } from '../../pipeline/domain/notice.js';
import { planFromHistory } from '../../pipeline/domain/rollback/rollback-from-history.js';
import { runRollback, type RollbackDependencies, type RollbackOutcome } from '../../pipeline/domain/rollback/rollback-orchestrator.js';
import { rollbackKey, type RollbackPlan, type RollbackRequest } from '../../pipeline/domain/rollback/rollback-plan.js';
import { rollbackTimingFor } from '../../pipeline/domain/plan/rollback-inputs.js';
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
import { openCodePipeline } from '../aws/pipeline-client.js';
import { configuredDefaults, discoverHistoryTable, discoverLedgerTable, openDynamoDbHistory } from '../aws/runtime-clients.js';
import { recordCliCalls } from '../aws/cli-caller.js';

/** The outside world of the rollback command, as factories so tests can hand in the emulator and the local CodePipeline. */
export interface RollbackCommandDeps {
  readonly defaults: () => { readonly region: string; readonly pipelineName: string } | Promise<{ readonly region: string; readonly pipelineName: string }>;
  readonly discoverHistoryTable: (client: AwsClientConfig) => Promise<string>;
  readonly discoverLedgerTable: (client: AwsClientConfig) => Promise<string>;
  readonly openHistory: (client: AwsClientConfig, tableName: string) => DeploymentHistory;
  readonly openLedger: (client: AwsClientConfig, tableName: string) => RollbackLedger;
  readonly openPipeline: (client: AwsClientConfig, pipelineName: string) => PipelineControl;
  /** SNS notices when a topic is given; otherwise the notices are printed. */
  readonly openNotifier: (client: AwsClientConfig, topicArn: string | undefined, out: Output) => Notifier;
  /**
   * The deployment configuration the waits are modelled from (what a stage rollback re-runs).
   * @default this repository's environments file
   */
  readonly config?: () => DeploymentConfig | Promise<DeploymentConfig>;
  /** Overrides for tests; without `timing` the waits come from the configuration, as in the deployed orchestrator. */
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
  --dry-run               Print the plan; change nothing (needs only the history table, no ledger
                          and no CodePipeline: it works against the local emulator).
  --retry                 Run again after the last attempt of this rollback failed (a new attempt
                          with a lease of its own; without it a failed rollback is not repeated).
  --pipeline-name <name>  The pipeline (default: the configured pipeline name; --pipeline is the same).
  --ledger-table <name>   DynamoDB rollback ledger (default: KIRO_CD_LEDGER_TABLE, then the pipeline runtime stack's table).
  --notify-topic <arn>    SNS topic for the rollback notices (default: KIRO_CD_TEAM_TOPIC_ARN; without one they are printed).
${HISTORY_TABLE_HELP}

${AWS_CLI_OPTIONS_HELP}

Examples:
  kiro-cd rollback production --dry-run
  kiro-cd rollback staging --to 3f2a9c1 --output json

Exit codes: 0 rolled back, already done or planned; 1 the rollback (or its last attempt) failed
(follow docs/rollback.md, or retry with --retry); 2 bad input, or an endpoint that does not serve
CodePipeline; 3 AWS could not be reached or did not answer like AWS.`;

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

/** Refuses a `--to` that is neither an execution id nor a commit, before any network call. */
function checkTargetSyntax(to: string | undefined): void {
  if (to !== undefined && !EXECUTION_ID.test(to.toLowerCase()) && !COMMIT.test(to)) {
    throw new ConfigurationError(`--to must be a pipeline execution id (uuid) or a commit SHA of at least 7 hex characters, not "${to}".`, { option: 'to', value: to });
  }
}

/** Resolves `--to`: an execution id as given, a commit (or unique prefix) to the full SHA the history knows. */
async function resolveTarget(to: string | undefined, environment: EnvironmentName, history: DeploymentHistory): Promise<RollbackRequest['target']> {
  if (to === undefined) return undefined;
  checkTargetSyntax(to);
  const deployments = await history.list({ environment });
  if (EXECUTION_ID.test(to.toLowerCase())) {
    // Like a commit: an execution id the history does not know is refused, never planned around.
    if (!deployments.some((record) => record.executionId === to.toLowerCase())) {
      throw new ConfigurationError(`No deployment of execution ${to} to ${environment} is in the history; see kiro-cd history --environment ${environment}.`, { option: 'to', value: to });
    }
    return { executionId: to.toLowerCase() };
  }
  const commits = new Set(deployments.map((record) => record.commit.id).filter((id) => id.startsWith(to.toLowerCase())));
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

/** What to tell after a failed attempt: it failed, nothing was repeated, and how to try again. */
function retryAdvice(lease: { readonly rollbackId: string; readonly outcome?: string }, command: string): string {
  return (
    `The last attempt of this rollback (${lease.rollbackId}) failed${lease.outcome === undefined ? '' : `: ${lease.outcome}`}\n` +
    `Nothing was changed now. Fix the cause (docs/rollback.md), then run again with --retry: ${command} --retry`
  );
}

function report(out: Output, format: 'json' | 'table', outcome: RollbackOutcome, command: string): void {
  if (format === 'json') {
    out.json(outcome);
    return;
  }
  if (outcome.kind === 'duplicate' && outcome.lease.status === 'failed') {
    out.error(retryAdvice(outcome.lease, command));
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
      'pipeline-name': { type: 'string' },
      retry: { type: 'boolean' },
      'ledger-table': { type: 'string' },
      'notify-topic': { type: 'string' },
    },
    async run(context, values, positionals) {
      // Every flag is checked before the first network call: a typo costs nothing and changes nothing.
      const environment = parseEnvironment(positionals);
      const defaults = await deps.defaults();
      const aws = resolveAwsOptions(values, context.env, defaults);
      const client = awsClientConfig(aws);
      const pipelineName = stringFlag(values, 'pipeline-name') ?? stringFlag(values, 'pipeline') ?? defaults.pipelineName;
      const to = stringFlag(values, 'to');
      checkTargetSyntax(to);
      const dryRun = values['dry-run'] === true;
      const retry = values.retry === true;
      if (dryRun && retry) throw new ConfigurationError('--dry-run and --retry do not go together: a dry run never leaves a failed attempt to retry.', { option: 'retry' });
      const ledgerFlag = stringFlag(values, 'ledger-table');
      const topic = stringFlag(values, 'notify-topic') ?? context.env.KIRO_CD_TEAM_TOPIC_ARN;
      const endpoint = aws.endpointUrl;

      const historyTable = await resolveHistoryTable(values, context.env, () =>
        awsCall('finding the history table of the pipeline runtime stack', () => deps.discoverHistoryTable(client), { service: 'CloudFormation', endpoint }),
      );
      const history = deps.openHistory(client, historyTable);
      const dynamodb = { service: 'DynamoDB', endpoint };
      // The newest release, not a rollback execution: a second run after a rollback then has the same key and does nothing.
      const releases = await awsCall(`reading the history table ${historyTable}`, () => history.list({ environment }), dynamodb);
      const latest = releases.find((record) => !record.isRollback);
      if (latest === undefined) throw new ConfigurationError(`The history has no deployment to ${environment}: there is nothing to roll back.`, { environment });
      const target = await awsCall(`reading the history table ${historyTable}`, () => resolveTarget(to, environment, history), dynamodb);
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
      const environments = ENVIRONMENT_NAMES;
      if (dryRun) {
        // A dry run writes nothing: no ledger, no pipeline, no notices; only the history is read.
        const plan = await awsCall(`reading the history table ${historyTable}`, () => planFromHistory({ history, environments }, request), dynamodb);
        report(context.out, aws.output, { kind: 'planned', plan }, '');
        return ExitCode.Ok;
      }

      const ledgerTable =
        ledgerFlag ??
        context.env.KIRO_CD_LEDGER_TABLE ??
        (await awsCall('finding the rollback ledger of the pipeline runtime stack', () => deps.discoverLedgerTable(client), { service: 'CloudFormation', endpoint }));
      const ledger = deps.openLedger(client, ledgerTable);
      const command = `kiro-cd rollback ${environment}${to === undefined ? '' : ` --to ${to}`}`;
      if (!retry) {
        // A failed attempt is never repeated silently: say so, exit 1, and say how to retry.
        const previous = await awsCall(`reading the rollback ledger ${ledgerTable}`, () => ledger.get(rollbackKey(request)), dynamodb);
        if (previous?.status === 'failed') {
          if (aws.output === 'json') context.out.json({ kind: 'previous-attempt-failed', lease: previous, retry: `${command} --retry` });
          else context.out.error(retryAdvice(previous, command));
          return ExitCode.Failed;
        }
      }
      const pipeline = deps.openPipeline(client, pipelineName);
      // Before anything is written: an endpoint that does not serve CodePipeline (the local emulator)
      // is refused here instead of leaving a failed rollback in the history.
      await awsCall(`reading the state of pipeline ${pipelineName}`, () => pipeline.stageExecution(request.stage), { service: 'CodePipeline', endpoint, answeredOtherServices: true });
      const attempt = retry ? await awsCall(`reading the rollback ledger ${ledgerTable}`, () => nextRetry(ledger, request), dynamodb) : request;
      if (retry && attempt === undefined) {
        throw new ConfigurationError(`There is no failed rollback of ${environment} to retry; run it without --retry.`, { option: 'retry' });
      }
      const rollbackDeps: RollbackDependencies = {
        history,
        ledger,
        pipeline,
        notifier: deps.openNotifier(client, topic, context.out),
        clock: deps.dependencies?.clock ?? systemClock,
        ids: deps.dependencies?.ids ?? uuidGenerator,
        // A stage rollback re-runs the deployment, the health check and the suite beside it: a fixed
        // 360 s gave up on healthy ones and sent a full rollback into a stage still running.
        timing: deps.dependencies?.timing ?? rollbackTimingFor(await (deps.config ?? loadEnvironmentsFile)(), { healthMonitor: true }),
        environments,
      };
      const outcome = await awsCall('running the rollback', () => runRollback(rollbackDeps, attempt ?? request), dynamodb);
      report(context.out, aws.output, outcome, command);
      if (outcome.kind === 'failed') return ExitCode.Failed;
      return outcome.kind === 'duplicate' && outcome.lease.status === 'failed' ? ExitCode.Failed : ExitCode.Ok;
    },
  };
}

/**
 * The request of the next retry: the first retry number whose lease is not a failed attempt, or
 * undefined when the request itself never failed (there is nothing to retry).
 */
async function nextRetry(ledger: RollbackLedger, request: RollbackRequest): Promise<RollbackRequest | undefined> {
  const first = await ledger.get(rollbackKey(request));
  if (first?.status !== 'failed') return undefined;
  for (let retry = 1; ; retry += 1) {
    const candidate = { ...request, retry };
    const lease = await ledger.get(rollbackKey(candidate));
    if (lease?.status !== 'failed') return candidate;
  }
}

/** Prints notices when no topic is given, so a manual rollback is never silent. */
class OutputNotifier implements Notifier {
  constructor(private readonly out: Output) {}
  notify(notice: DeploymentNotice): Promise<void> {
    this.out.info(`[${notice.kind}] ${notice.environment ?? ''} ${notice.reason}`);
    return Promise.resolve();
  }
}

/** The real history, ledger, pipeline and topic behind `kiro-cd rollback` (the least-privilege proof swaps only the pipeline and the clock). */
export const rollbackDependencies: RollbackCommandDeps = {
  defaults: () => configuredDefaults(),
  discoverHistoryTable: (client) => discoverHistoryTable(client),
  discoverLedgerTable,
  openHistory: openDynamoDbHistory,
  openLedger: (client, tableName) => new DynamoDbRollbackLedger(DynamoDBDocumentClient.from(recordCliCalls(new DynamoDBClient(client))), tableName),
  openPipeline: openCodePipeline,
  openNotifier: (client, topicArn, out) => (topicArn === undefined ? new OutputNotifier(out) : new SnsNotifier({ client: recordCliCalls(new SNSClient(client)), teamTopicArn: topicArn })),
};

/** `kiro-cd rollback` on the real history, ledger and pipeline. */
export const rollbackCommand: Command = createRollbackCommand(rollbackDependencies);
