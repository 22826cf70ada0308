import { ConfigurationError } from '../../shared/errors.js';
import { computeDora, type DoraMeasures } from '../../pipeline/domain/metrics/dora.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import type { DeploymentHistory } from '../../pipeline/ports/deployment-history.js';
import { ExitCode, type Command } from '../command.js';
import { awsCall } from '../aws/aws-errors.js';
import { AWS_CLI_OPTIONS, AWS_CLI_OPTIONS_HELP, awsClientConfig, resolveAwsOptions, type AwsClientConfig } from '../aws/aws-options.js';
import { HISTORY_TABLE_HELP, HISTORY_TABLE_OPTION, parseEnvironmentOption, resolveHistoryTable } from '../aws/history-options.js';
import { configuredDefaults, discoverHistoryTable, openDynamoDbHistory } from '../aws/runtime-clients.js';
import { renderTable } from '../aws/table.js';
import { parseTimeOption } from '../aws/time-options.js';

/** One measure, formatted for people: shared by `kiro-cd dora` and the rehearsal report. */
export interface FormattedMeasure {
  readonly name: string;
  readonly value: string;
  readonly explanation: string;
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} days`;
}

/** Formats the four DORA measures; a measure without data says so rather than showing zero. */
export function formatDoraMeasures(measures: DoraMeasures, environment: string): FormattedMeasure[] {
  return [
    {
      name: 'Deployment frequency',
      value: `${measures.deploymentsPerDay.toFixed(2)} per day`,
      explanation: `successful forward deployments to ${environment} per day in the window`,
    },
    {
      name: 'Lead time for changes',
      value: measures.leadTimeSeconds === undefined ? 'no data' : duration(measures.leadTimeSeconds),
      explanation: `mean time from commit to its successful deployment to ${environment}`,
    },
    {
      name: 'Time to restore',
      value: measures.timeToRestoreSeconds === undefined ? 'no data (no failure was restored)' : duration(measures.timeToRestoreSeconds),
      explanation: `mean time from a failed or rolled-back deployment to the next healthy release in ${environment}`,
    },
    {
      name: 'Change failure rate',
      value: measures.changeFailureRate === undefined ? 'no data' : `${(measures.changeFailureRate * 100).toFixed(1)} %`,
      explanation: `failed or rolled-back deployments among completed forward deployments to ${environment}`,
    },
  ];
}

/** What the dora command needs from outside. */
export interface DoraCommandDeps {
  readonly clock: Clock;
  readonly defaults: () => { readonly region: string } | Promise<{ readonly region: string }>;
  /** Finds the history table when neither --history-table nor KIRO_CD_HISTORY_TABLE names it. */
  readonly discoverHistoryTable: (client: AwsClientConfig) => Promise<string>;
  readonly openHistory: (client: AwsClientConfig, tableName: string) => DeploymentHistory;
}

const HELP = `Usage: kiro-cd dora [--since <time>] [--until <time>] [--environment <env>] [options]

Computes the four DORA measures from the deployment history: deployment frequency, lead time for
changes (commit to production success), time to restore (failure to the next healthy release) and
change failure rate. A measure without data in the window says "no data", never 0.

Options:
  --since <time>          Start of the window: 2026-11-01, 2026-11-01T12:00:00Z, 24h, 7d, 2w (default: 30d).
  --until <time>          End of the window, exclusive (default: now).
  --environment <env>     The environment measured (default: production).
${HISTORY_TABLE_HELP}

${AWS_CLI_OPTIONS_HELP}

Exit codes: 0 computed, 2 bad option, 3 the history could not be read.`;

/** How far before the window deployments are read, so one that started earlier but finished inside counts. */
const LOOKBACK_MS = 86_400_000;

/** Builds the `dora` command around its dependencies. */
export function createDoraCommand(deps: DoraCommandDeps): Command {
  return {
    name: 'dora',
    summary: 'Compute the four DORA measures from the deployment history.',
    help: HELP,
    options: { ...AWS_CLI_OPTIONS, ...HISTORY_TABLE_OPTION, since: { type: 'string' }, until: { type: 'string' }, environment: { type: 'string' } },
    async run(context, values, positionals) {
      if (positionals.length > 0) throw new ConfigurationError(`dora takes no arguments; got "${positionals.join(' ')}". Use --since to choose the window.`);
      const defaults = await deps.defaults();
      const aws = resolveAwsOptions(values, context.env, defaults);
      const tableName = await resolveHistoryTable(values, context.env, () =>
        awsCall(`finding the history table of the pipeline runtime stack`, () => deps.discoverHistoryTable(awsClientConfig(aws))),
      );
      const now = deps.clock.now();
      const from = parseTimeOption('since', typeof values.since === 'string' ? values.since : '30d', now);
      const to = typeof values.until === 'string' ? parseTimeOption('until', values.until, now) : now;
      if (from.getTime() >= to.getTime()) throw new ConfigurationError('--since must be earlier than --until (or than now).', { since: values.since, until: values.until });
      const environment = parseEnvironmentOption(values.environment) ?? 'production';
      const history = deps.openHistory(awsClientConfig(aws), tableName);
      const records = await awsCall(`reading the history table ${tableName}`, () =>
        history.list({ environment, from: new Date(from.getTime() - LOOKBACK_MS), to }),
      );
      const measures = computeDora(records, { from, to }, environment);
      if (aws.output === 'json') {
        context.out.json({ environment, from: from.toISOString(), to: to.toISOString(), deployments: records.length, measures });
      } else {
        context.out.info(`DORA measures for ${environment}, ${from.toISOString()} to ${to.toISOString()} (${records.length} deployment(s) read)\n`);
        context.out.info(
          renderTable(
            [
              { heading: 'MEASURE', cell: (measure: FormattedMeasure) => measure.name },
              { heading: 'VALUE', cell: (measure) => measure.value },
              { heading: 'HOW', cell: (measure) => measure.explanation },
            ],
            formatDoraMeasures(measures, environment),
          ),
        );
      }
      return ExitCode.Ok;
    },
  };
}

/** `kiro-cd dora` on the real history table. */
export const doraCommand: Command = createDoraCommand({
  clock: systemClock,
  defaults: () => configuredDefaults(),
  discoverHistoryTable: (client) => discoverHistoryTable(client),
  openHistory: openDynamoDbHistory,
});
