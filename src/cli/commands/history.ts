import { ConfigurationError } from '../../shared/errors.js';
import type { DeploymentRecord, HistoryQuery } from '../../pipeline/domain/history-model.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import type { DeploymentHistory } from '../../pipeline/ports/deployment-history.js';
import { ExitCode, type Command, type OptionValues } from '../command.js';
import { AWS_CLI_OPTIONS, AWS_CLI_OPTIONS_HELP, awsClientConfig, resolveAwsOptions, type AwsClientConfig } from '../aws/aws-options.js';
import { HISTORY_TABLE_HELP, HISTORY_TABLE_OPTION, parseEnvironmentOption, resolveHistoryTable } from '../aws/history-options.js';
import { awsCall } from '../aws/aws-errors.js';
import { configuredDefaults, discoverHistoryTable, openDynamoDbHistory } from '../aws/runtime-clients.js';
import { renderTable, type TableColumn } from '../aws/table.js';
import { parseTimeOption } from '../aws/time-options.js';

/** What the history command needs from outside: the clock (for `--since 7d`) and a way to open the history. */
export interface HistoryCommandDeps {
  readonly clock: Clock;
  /** Region and history table name used when neither flags nor environment variables give them. */
  readonly defaults: () => { readonly region: string } | Promise<{ readonly region: string }>;
  /** Finds the history table when neither --history-table nor KIRO_CD_HISTORY_TABLE names it. */
  readonly discoverHistoryTable: (client: AwsClientConfig) => Promise<string>;
  /** Opens the deployment history table with the given client configuration. */
  readonly openHistory: (client: AwsClientConfig, tableName: string) => DeploymentHistory;
}

const HELP = `Usage: kiro-cd history [--environment <env>] [--commit <sha>] [--since <time>] [--until <time>] [--limit <n>] [options]

Lists deployments from the deployment history, newest first: one line per execution and environment,
with its commit, status, health check result, where its SBOMs are kept (s3://<artifact bucket>/<Build
artifact zip>#sbom/, CycloneDX JSON) and, for a rollback, what it restored.

Filters:
  --environment <env>     test, staging or production.
  --commit <sha>          A full commit SHA, or a prefix of at least 7 characters.
  --since <time>          Deployments started at or after this time: 2026-11-01, 2026-11-01T12:00:00Z, 24h, 7d, 2w.
  --until <time>          Deployments started before this time (same forms).
  --limit <n>             At most this many deployments (1-1000, default 50).
${HISTORY_TABLE_HELP}

${AWS_CLI_OPTIONS_HELP}

Examples:
  kiro-cd history --environment production --since 7d
  kiro-cd history --commit 3f2a9c1 --output json
  kiro-cd history --endpoint-url http://127.0.0.1:5000 --history-table kiro-cd-history

Exit codes: 0 listed (possibly nothing), 2 bad option, 3 AWS could not be reached.`;

const COLUMNS: readonly TableColumn<DeploymentRecord>[] = [
  { heading: 'STARTED', cell: (record) => record.startedAt },
  { heading: 'ENVIRONMENT', cell: (record) => record.environment },
  { heading: 'COMMIT', cell: (record) => record.commit.id.slice(0, 8) },
  { heading: 'STATUS', cell: (record) => record.status },
  { heading: 'HEALTH', cell: (record) => record.health },
  { heading: 'KIND', cell: (record) => (record.isRollback ? 'rollback' : 'release') },
  { heading: 'EXECUTION', cell: (record) => record.executionId },
  // The release's SBOMs: the folder inside the Build action's artifact (a zip in the pipeline's artifact bucket).
  { heading: 'SBOM', cell: (record) => (record.sbom === undefined ? '' : `s3://${record.sbom.bucket}/${record.sbom.key}#${record.sbom.path}`) },
  { heading: 'REASON', cell: (record) => record.reason ?? '' },
];

function parseLimit(value: unknown): number {
  if (value === undefined) return 50;
  const limit = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(limit) || limit < 1 || limit > 1000) {
    throw new ConfigurationError(`--limit must be a whole number from 1 to 1000, not ${JSON.stringify(value)}.`, {
      option: 'limit',
      value,
    });
  }
  return limit;
}

function parseCommit(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^[0-9a-f]{7,40}$/i.test(value)) {
    throw new ConfigurationError(
      `--commit must be a commit SHA or a prefix of at least 7 hexadecimal characters, not ${JSON.stringify(value)}.`,
      { option: 'commit', value },
    );
  }
  return value.toLowerCase();
}

/** The parsed filters of one `history` call. */
export interface HistoryFilters {
  readonly query: HistoryQuery;
  /** A short SHA, matched as a prefix after the query (the table is keyed by full SHAs). */
  readonly commitPrefix?: string;
}

/** Parses the filter flags into a history query; throws a user-fault error naming a bad flag. */
export function parseHistoryFilters(values: OptionValues, now: Date): HistoryFilters {
  const environment = parseEnvironmentOption(values.environment);
  const commit = parseCommit(values.commit);
  const from = typeof values.since === 'string' ? parseTimeOption('since', values.since, now) : undefined;
  const to = typeof values.until === 'string' ? parseTimeOption('until', values.until, now) : undefined;
  if (from !== undefined && to !== undefined && from.getTime() >= to.getTime()) {
    throw new ConfigurationError('--since must be earlier than --until.', { since: values.since, until: values.until });
  }
  const limit = parseLimit(values.limit);
  const fullCommit = commit?.length === 40 ? commit : undefined;
  const query: HistoryQuery = {
    ...(environment === undefined ? {} : { environment }),
    ...(fullCommit === undefined ? {} : { commitId: fullCommit }),
    ...(from === undefined ? {} : { from }),
    ...(to === undefined ? {} : { to }),
    // A prefix is filtered after reading, so read without the limit and cut afterwards.
    ...(commit !== undefined && fullCommit === undefined ? {} : { limit }),
  };
  return commit !== undefined && fullCommit === undefined ? { query, commitPrefix: commit } : { query };
}

/** Builds the `history` command around its dependencies. */
export function createHistoryCommand(deps: HistoryCommandDeps): Command {
  return {
    name: 'history',
    summary: 'List deployments from the deployment history (filter by environment, commit, time).',
    help: HELP,
    options: {
      ...AWS_CLI_OPTIONS,
      ...HISTORY_TABLE_OPTION,
      environment: { type: 'string' },
      commit: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      limit: { type: 'string' },
    },
    async run(context, values, positionals) {
      if (positionals.length > 0) {
        throw new ConfigurationError(`history takes no arguments; got "${positionals.join(' ')}". Use --environment or --commit to filter.`);
      }
      const defaults = await deps.defaults();
      const aws = resolveAwsOptions(values, context.env, defaults);
      // Every filter is checked before the first network call.
      const filters = parseHistoryFilters(values, deps.clock.now());
      const tableName = await resolveHistoryTable(values, context.env, () =>
        awsCall(`finding the history table of the pipeline runtime stack`, () => deps.discoverHistoryTable(awsClientConfig(aws)), { service: 'CloudFormation', endpoint: aws.endpointUrl }),
      );
      const history = deps.openHistory(awsClientConfig(aws), tableName);
      const found = await awsCall(`reading the history table ${tableName}`, () => history.list(filters.query), { service: 'DynamoDB', endpoint: aws.endpointUrl });
      const prefix = filters.commitPrefix;
      const records = prefix === undefined ? found : found.filter((record) => record.commit.id.startsWith(prefix)).slice(0, parseLimit(values.limit));
      if (aws.output === 'json') {
        context.out.json(records);
      } else if (records.length === 0) {
        context.out.info('No deployments match these filters.');
      } else {
        context.out.info(renderTable(COLUMNS, records));
      }
      return ExitCode.Ok;
    },
  };
}

/** `kiro-cd history` on the real deployment history table. */
export const historyCommand: Command = createHistoryCommand({
  clock: systemClock,
  defaults: () => configuredDefaults(),
  discoverHistoryTable: (client) => discoverHistoryTable(client),
  openHistory: openDynamoDbHistory,
});
