import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../shared/config/schema.js';
import { ConfigurationError } from '../../shared/errors.js';
import type { DeploymentRecord } from '../../pipeline/domain/history-model.js';
import { applicationStageName, approvalStageName, infrastructureStageName } from '../../pipeline/domain/stage-names.js';
import type { DeploymentHistory } from '../../pipeline/ports/deployment-history.js';
import type { PipelineControl, StageExecution } from '../../pipeline/ports/pipeline-control.js';
import { ExitCode, type Command } from '../command.js';
import { AWS_CLI_OPTIONS, AWS_CLI_OPTIONS_HELP, awsClientConfig, resolveAwsOptions, type AwsClientConfig } from '../aws/aws-options.js';
import { HISTORY_TABLE_HELP, HISTORY_TABLE_OPTION, parseEnvironmentOption, resolveHistoryTable } from '../aws/history-options.js';
import { asAwsCallError, awsCall } from '../aws/aws-errors.js';
import { openCodePipeline } from '../aws/pipeline-client.js';
import { configuredDefaults, discoverHistoryTable, openDynamoDbHistory } from '../aws/runtime-clients.js';
import { renderTable } from '../aws/table.js';

/** What the status command needs from outside. */
export interface StatusCommandDeps {
  /** Region, history table and pipeline name used when flags and environment give none. */
  readonly defaults: () => { readonly region: string; readonly pipelineName: string } | Promise<{ readonly region: string; readonly pipelineName: string }>;
  /** Finds the history table when neither --history-table nor KIRO_CD_HISTORY_TABLE names it. */
  readonly discoverHistoryTable: (client: AwsClientConfig) => Promise<string>;
  readonly openHistory: (client: AwsClientConfig, tableName: string) => DeploymentHistory;
  /** Opens the pipeline: CodePipeline on AWS; the rehearsal and the tests pass a client of the local CodePipeline. */
  readonly openPipeline: (client: AwsClientConfig, pipelineName: string) => PipelineControl;
}

/** One environment's line of the status. */
export interface EnvironmentStatus {
  readonly environment: EnvironmentName;
  /** The newest deployment into the environment, whatever its outcome. */
  readonly latest?: DeploymentRecord;
  /** The release the environment runs: its newest succeeded deployment. */
  readonly running?: DeploymentRecord;
  /** Latest execution of each of the environment's stages, as CodePipeline reports it. */
  readonly stages: Readonly<Record<string, StageExecution | 'never-ran'>>;
}

/** The status of every environment, and whether the pipeline's own state could be read. */
export interface StatusReport {
  readonly pipelineName: string;
  readonly environments: readonly EnvironmentStatus[];
  /** Why the pipeline state is missing (for example, the local emulator does not serve CodePipeline). */
  readonly pipelineStateUnavailable?: string;
  /** The newest release that passed production's health check. */
  readonly lastKnownGood?: DeploymentRecord;
}

const HELP = `Usage: kiro-cd status [--environment <env>] [options]

Shows, per environment: the release it runs (its newest succeeded deployment), the newest deployment
and its health check, and the state of its pipeline stages; then the last known good release (the
newest one that passed production's health check), which a full rollback returns to.

Options:
  --environment <env>     Only this environment: test, staging or production.
  --pipeline-name <name>  The CodePipeline pipeline (default: the configured pipeline name).
${HISTORY_TABLE_HELP}

${AWS_CLI_OPTIONS_HELP}

When the pipeline's state cannot be read (the local emulator does not serve CodePipeline), the
history part is still shown and a warning says why.

Exit codes: 0 shown, 2 bad option, 3 the history could not be read.`;

function stagesOf(environment: EnvironmentName): string[] {
  const stages = [infrastructureStageName(environment), applicationStageName(environment)];
  return environment === 'production' ? [approvalStageName(environment), ...stages] : stages;
}

function finishedOrStarted(record: DeploymentRecord): string {
  return record.finishedAt ?? record.startedAt;
}

/** Reads the status of the given environments: history first, then the pipeline state (best effort). */
export async function readStatus(
  history: DeploymentHistory,
  pipeline: PipelineControl,
  pipelineName: string,
  environments: readonly EnvironmentName[],
  /** The `--endpoint-url` override, named when that endpoint does not serve CodePipeline. */
  endpoint?: string,
): Promise<StatusReport> {
  const statuses: EnvironmentStatus[] = [];
  let unavailable: string | undefined;
  for (const environment of environments) {
    const latest = await history.latest(environment);
    const succeeded = await history.list({ environment, limit: 50 });
    const running = succeeded.filter((record) => record.status === 'succeeded').sort((a, b) => finishedOrStarted(b).localeCompare(finishedOrStarted(a)))[0];
    const stages: Record<string, StageExecution | 'never-ran'> = {};
    if (unavailable === undefined) {
      try {
        for (const stage of stagesOf(environment)) stages[stage] = (await pipeline.stageExecution(stage)) ?? 'never-ran';
      } catch (error) {
        unavailable = asAwsCallError(error, 'reading the pipeline state', { service: 'CodePipeline', ...(endpoint === undefined ? {} : { endpoint }), answeredOtherServices: true }).message;
      }
    }
    statuses.push({
      environment,
      ...(latest === undefined ? {} : { latest }),
      ...(running === undefined ? {} : { running }),
      stages: unavailable === undefined ? stages : {},
    });
  }
  const lastKnownGood = await history.lastKnownGood();
  return {
    pipelineName,
    environments: statuses,
    ...(unavailable === undefined ? {} : { pipelineStateUnavailable: unavailable }),
    ...(lastKnownGood === undefined ? {} : { lastKnownGood }),
  };
}

function stageCell(status: EnvironmentStatus): string {
  const entries = Object.entries(status.stages);
  if (entries.length === 0) return 'unknown';
  return entries
    .map(([stage, execution]) => `${stage}=${execution === 'never-ran' ? 'never ran' : `${execution.status}${execution.type === 'ROLLBACK' ? ' (rollback)' : ''}`}`)
    .join(', ');
}

/** Renders the status as a table plus the last known good release. */
export function renderStatus(report: StatusReport): string {
  const table = renderTable<EnvironmentStatus>(
    [
      { heading: 'ENVIRONMENT', cell: (status) => status.environment },
      { heading: 'RUNNING', cell: (status) => status.running?.commit.id.slice(0, 8) ?? 'nothing deployed' },
      { heading: 'LATEST', cell: (status) => (status.latest === undefined ? '-' : `${status.latest.commit.id.slice(0, 8)} ${status.latest.status}${status.latest.isRollback ? ' (rollback)' : ''}`) },
      { heading: 'HEALTH', cell: (status) => status.latest?.health ?? '-' },
      { heading: 'PIPELINE STAGES', cell: stageCell },
    ],
    report.environments,
  );
  const good = report.lastKnownGood === undefined ? 'none yet' : `${report.lastKnownGood.commit.id} (execution ${report.lastKnownGood.executionId}, ${finishedOrStarted(report.lastKnownGood)})`;
  return `Pipeline ${report.pipelineName}\n\n${table}\n\nLast known good release: ${good}`;
}

/** Builds the `status` command around its dependencies. */
export function createStatusCommand(deps: StatusCommandDeps): Command {
  return {
    name: 'status',
    summary: "Show each environment's release, pipeline stage state and health.",
    help: HELP,
    options: { ...AWS_CLI_OPTIONS, ...HISTORY_TABLE_OPTION, environment: { type: 'string' }, 'pipeline-name': { type: 'string' } },
    async run(context, values, positionals) {
      if (positionals.length > 0) throw new ConfigurationError(`status takes no arguments; got "${positionals.join(' ')}".`);
      const defaults = await deps.defaults();
      const aws = resolveAwsOptions(values, context.env, defaults);
      const only = parseEnvironmentOption(values.environment);
      const pipelineName = typeof values['pipeline-name'] === 'string' ? values['pipeline-name'] : defaults.pipelineName;
      const client = awsClientConfig(aws);
      const tableName = await resolveHistoryTable(values, context.env, () =>
        awsCall(`finding the history table of the pipeline runtime stack`, () => deps.discoverHistoryTable(client), { service: 'CloudFormation', endpoint: aws.endpointUrl }),
      );
      const report = await awsCall(
        `reading the history table ${tableName}`,
        () => readStatus(deps.openHistory(client, tableName), deps.openPipeline(client, pipelineName), pipelineName, only === undefined ? ENVIRONMENT_NAMES : [only], aws.endpointUrl),
        { service: 'DynamoDB', endpoint: aws.endpointUrl },
      );
      if (report.pipelineStateUnavailable !== undefined) {
        context.out.error(`warning: the pipeline's stage state could not be read, showing the history only: ${report.pipelineStateUnavailable}`);
      }
      if (aws.output === 'json') context.out.json(report);
      else context.out.info(renderStatus(report));
      return ExitCode.Ok;
    },
  };
}

/** The real history table and CodePipeline behind `kiro-cd status` (the least-privilege proof swaps only the pipeline). */
export const statusDependencies: StatusCommandDeps = {
  defaults: () => configuredDefaults(),
  discoverHistoryTable: (client) => discoverHistoryTable(client),
  openHistory: openDynamoDbHistory,
  openPipeline: openCodePipeline,
};

/** `kiro-cd status` on the real history table and CodePipeline. */
export const statusCommand: Command = createStatusCommand(statusDependencies);
