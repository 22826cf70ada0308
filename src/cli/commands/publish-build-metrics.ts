import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { loadEnvironmentsFile } from '../../shared/config/environments-file.js';
import { CloudWatchMetricsPublisher } from '../../pipeline/adapters/aws/cloudwatch-metrics-publisher.js';
import { BUILD_METRICS_NAMESPACE, buildMetricData, type BuildResults, type MetricDatum } from '../../pipeline/domain/build-gates/build-metrics.js';
import { parseCoverageSummary } from '../../pipeline/domain/build-gates/coverage.js';
import type { GateResult } from '../../pipeline/domain/build-gates/gate-result.js';
import { countTests, parseJunitXml } from '../../pipeline/domain/build-gates/junit.js';
import { countPolicyGateFindings } from '../../pipeline/domain/build-gates/policy-gates-report.js';
import { GATE_NAMES } from '../../pipeline/domain/policy-gates/gate-finding.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import type { MetricsPublisher } from '../../pipeline/ports/metrics-publisher.js';
import { asKiroCdError, ConfigurationError } from '../../shared/errors.js';
import { AWS_CLI_OPTIONS, AWS_CLI_OPTIONS_HELP, awsClientConfig, resolveAwsOptions, type AwsClientConfig } from '../aws/aws-options.js';
import { readReport, requiredFlag, stringFlag } from '../build/report-files.js';
import { decideAuditReport, decideEslintReport, readSavedGateResult, SAVED_GATE_OPTIONS, SCAN_REPORT_OPTIONS } from '../build/scan-gates.js';
import { ExitCode, type Command, type CommandContext, type OptionValues } from '../command.js';
import { recordCliCalls } from '../aws/cli-caller.js';

const USAGE =
  'kiro-cd publish-build-metrics --pipeline <name> [--junit reports/junit.xml] [--coverage-summary coverage/coverage-summary.json] [--audit reports/npm-audit.json] [--eslint reports/eslint.json] [--gates-report reports/gates.json] [--secrets reports/secrets.json] [--licences reports/licences.json] [--dry-run]';

const HELP = [
  `Usage: ${USAGE}`,
  '',
  `Publishes the build's results to CloudWatch (namespace ${BUILD_METRICS_NAMESPACE}, dimension Pipeline):`,
  'TestsPassed, TestsFailed, TestsSkipped; CoveragePct per Measure; Findings per Tool and Severity;',
  'ScanNotRun per Tool when a scanner produced no report (every policy gate when the gates report is',
  'missing or unreadable). Give at least one report.',
  'A report that is missing or unreadable is skipped with a warning, and a failure to publish is a',
  'warning too: the gates decide the build, the metrics only record it (exit 0 either way).',
  '',
  'Options:',
  '  --pipeline <name>          the pipeline the build belongs to (dimension Pipeline)',
  '  --junit <path>             JUnit XML of the unit and property tests',
  '  --coverage-summary <path>  istanbul json-summary',
  '  --audit <path>             output of "npm audit --json" (with --allowlist, as for the gate)',
  '  --allowlist <path>         npm audit allowlist (default .audit-allowlist.json, optional)',
  '  --eslint <path>            output of "eslint -f json"',
  '  --gates-report <path>      output of "kiro-cd policy-gates --output json" (cfn-lint, cfn-guard, cdk-nag)',
  '  --secrets <path>           what "kiro-cd gate secrets --report-file <path>" wrote',
  '  --licences <path>          what "kiro-cd gate licences --report-file <path>" wrote',
  '  --dry-run                  print what would be sent, send nothing',
  '',
  AWS_CLI_OPTIONS_HELP,
].join('\n');

/** What publish-build-metrics needs from outside; tests pass fakes. */
export interface PublishBuildMetricsDeps {
  readonly clock: Clock;
  readonly defaultRegion: () => string | Promise<string>;
  readonly openPublisher: (client: AwsClientConfig) => MetricsPublisher;
}

const PIPELINE_NAME = /^[A-Za-z0-9.@_-]{1,100}$/;

/** One line per datum: `Findings Tool=eslint Severity=error = 3 Count`. */
export function formatDatum(datum: MetricDatum): string {
  const dimensions = Object.entries(datum.dimensions).map(([name, value]) => `${name}=${value}`).join(' ');
  return `${datum.name} ${dimensions} = ${String(datum.value)} ${datum.unit}`;
}

async function collect(
  context: CommandContext,
  values: OptionValues,
  today: string,
  warn: (message: string) => void,
): Promise<Omit<BuildResults, 'pipeline' | 'at'>> {
  const gates: GateResult[] = [];
  let results: Omit<BuildResults, 'pipeline' | 'at'> = { gates };

  const junit = stringFlag(values, 'junit');
  if (junit !== undefined) {
    const file = await readReport(junit, context.cwd);
    const report = file.kind === 'found' ? parseJunitXml(file.text) : file.problem;
    if (typeof report === 'string') warn(`skipping test metrics: ${report}`);
    else results = { ...results, tests: countTests(report) };
  }
  const coveragePath = stringFlag(values, 'coverage-summary');
  if (coveragePath !== undefined) {
    const file = await readReport(coveragePath, context.cwd);
    const coverage = file.kind === 'found' ? parseCoverageSummary(file.text) : file.problem;
    if (typeof coverage === 'string') warn(`skipping coverage metrics: ${coverage}`);
    else results = { ...results, coverage };
  }
  const audit = stringFlag(values, 'audit');
  // A scan that did not run is published as ScanNotRun.
  if (audit !== undefined) gates.push(await decideAuditReport(audit, stringFlag(values, 'allowlist'), context.cwd, today));
  const eslint = stringFlag(values, 'eslint');
  if (eslint !== undefined) gates.push(await decideEslintReport(eslint, context.cwd));
  for (const [option, tool] of Object.entries(SAVED_GATE_OPTIONS)) {
    const saved = stringFlag(values, option);
    if (saved !== undefined) gates.push(await readSavedGateResult(saved, tool, context.cwd));
  }
  const gatesReport = stringFlag(values, 'gates-report');
  if (gatesReport !== undefined) {
    const file = await readReport(gatesReport, context.cwd);
    const external = file.kind === 'found' ? countPolicyGateFindings(file.text) : file.problem;
    if (typeof external === 'string') {
      // No findings to count, and zeros would look clean: every policy gate is published as not run.
      warn(`policy gates published as not run: ${external}`);
      results = { ...results, scansNotRun: [...GATE_NAMES] };
    } else {
      results = { ...results, external };
    }
  }
  return results;
}

/** Builds `kiro-cd publish-build-metrics` around its dependencies. */
export function createPublishBuildMetricsCommand(deps: PublishBuildMetricsDeps): Command {
  return {
    name: 'publish-build-metrics',
    summary: `Publish test, coverage and scan results to CloudWatch (${BUILD_METRICS_NAMESPACE}); never fails the build.`,
    help: HELP,
    options: {
      ...AWS_CLI_OPTIONS,
      pipeline: { type: 'string' },
      junit: { type: 'string' },
      'coverage-summary': { type: 'string' },
      ...SCAN_REPORT_OPTIONS,
      'dry-run': { type: 'boolean' },
    },
    async run(context, values, positionals) {
      if (positionals.length > 0) throw new ConfigurationError(`publish-build-metrics takes no arguments; got "${positionals.join(' ')}". Usage: ${USAGE}`);
      const pipeline = requiredFlag(values, 'pipeline', USAGE);
      if (!PIPELINE_NAME.test(pipeline)) throw new ConfigurationError(`--pipeline must be a CodePipeline name (1-100 letters, digits, . @ _ -), not "${pipeline}".`, { option: 'pipeline' });
      if (!['junit', 'coverage-summary', 'audit', 'eslint', 'gates-report', ...Object.keys(SAVED_GATE_OPTIONS)].some((name) => values[name] !== undefined)) {
        throw new ConfigurationError(`give at least one report to publish. Usage: ${USAGE}`);
      }
      const aws = resolveAwsOptions(values, context.env, { region: await deps.defaultRegion() });
      const warn = (message: string): void => {
        context.out.error(`publish-build-metrics: warning: ${message}`);
      };
      const now = deps.clock.now();
      const data = buildMetricData({ pipeline, at: now, ...(await collect(context, values, now.toISOString().slice(0, 10), warn)) });
      if (values['dry-run'] === true) {
        context.out.info([`Dry run: would publish ${String(data.length)} metrics to ${BUILD_METRICS_NAMESPACE} in ${aws.region}:`, ...data.map((datum) => `  ${formatDatum(datum)}`)].join('\n'));
        return ExitCode.Ok;
      }
      try {
        await deps.openPublisher(awsClientConfig(aws)).publish(BUILD_METRICS_NAMESPACE, data);
        context.out.info(`Published ${String(data.length)} metrics to ${BUILD_METRICS_NAMESPACE} in ${aws.region}.`);
      } catch (error) {
        warn(`could not publish ${String(data.length)} metrics (${asKiroCdError(error).message}); the build result is unchanged.`);
      }
      return ExitCode.Ok;
    },
  };
}

/** `kiro-cd publish-build-metrics` against CloudWatch. */
export const publishBuildMetricsCommand: Command = createPublishBuildMetricsCommand({
  clock: systemClock,
  defaultRegion: async () => (await loadEnvironmentsFile()).pipeline.region,
  openPublisher: (client) => new CloudWatchMetricsPublisher(recordCliCalls(new CloudWatchClient(client))),
});
