import { isAbsolute, resolve } from 'node:path';
import { decideCoverage, parseCoverageSummary } from '../../pipeline/domain/build-gates/coverage.js';
import { unreadableReport, type GateResult } from '../../pipeline/domain/build-gates/gate-result.js';
import { parseJunitXml } from '../../pipeline/domain/build-gates/junit.js';
import { decideNpmAudit } from '../../pipeline/domain/build-gates/npm-audit.js';
import { gateResultFileText } from '../../pipeline/domain/build-gates/gate-result-file.js';
import { decideTests } from '../../pipeline/domain/build-gates/tests.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import { ConfigurationError } from '../../shared/errors.js';
import { readAuditAllowlist, readNpmAuditOutput, resolveAuditMode } from '../build/audit-inputs.js';
import { decideEslintReport } from '../build/scan-gates.js';
import { gateExitCode, printGateResult } from '../build/print-gate-result.js';
import { runLicencesGate } from '../build/licences-gate.js';
import { runSecretsGate } from '../build/secrets-gate.js';
import { removeReportFile, writeReportFile } from '../build/write-report.js';
import { readReport, requiredFlag, stringFlag } from '../build/report-files.js';
import type { Command, CommandContext, OptionValues } from '../command.js';
import { parseEnvironmentOption } from '../aws/history-options.js';
import { configuredDefaults, openDynamoDbHistory } from '../aws/runtime-clients.js';
import { lastDeployedRecord } from '../build/last-deployed-commit.js';
import { UNKNOWN_COMMIT_ID } from '../../pipeline/domain/history/deployment-fold.js';
import type { EnvironmentName } from '../../pipeline/domain/history-model.js';

const USAGE = {
  audit: 'kiro-cd gate audit --input npm-audit.json [--mode pipeline|local] [--allowlist .audit-allowlist.json]',
  coverage: 'kiro-cd gate coverage --summary coverage/coverage-summary.json [--threshold 80]',
  eslint: 'kiro-cd gate eslint --input eslint.json',
  tests: 'kiro-cd gate tests --junit reports/junit.xml',
  licences: 'kiro-cd gate licences [--policy licence-policy.json] [--report-file reports/licences.json]',
  secrets:
    'kiro-cd gate secrets [--path <dir> | --since <commit> | --since-deployed <env> --history-table <name>] [--allowlist .secrets-allowlist.json] [--config .secretlintrc.json] [--report-file reports/secrets.json]',
} as const;

type GateName = keyof typeof USAGE;

const GATE_LIST = Object.keys(USAGE).join(', ');

const HELP = [
  'Usage: kiro-cd gate <audit|coverage|eslint|tests|secrets|licences> [options] [--json]',
  '',
  'Decides one build-stage gate from the report its tool wrote, lists every finding and why it',
  'blocks or not, and exits 0 (pass), 1 (blocked) or 3 (not run: npm audit locally, when the',
  'advisory service cannot be reached). A missing or unreadable report blocks.',
  '',
  ...Object.values(USAGE).map((line) => `  ${line}`),
  '',
  'Options:',
  '  --input <path>       audit: output of "npm audit --json"; eslint: output of "eslint -f json"',
  '  --mode <mode>        audit: pipeline (unreachable advisory service blocks) or local (reported',
  '                       as not run). Default: pipeline when CODEBUILD_BUILD_ID is set, else local.',
  '  --allowlist <path>   audit: known false positives (default .audit-allowlist.json, optional)',
  '  --summary <path>     coverage: istanbul json-summary (coverage/coverage-summary.json)',
  '  --threshold <pct>    coverage: minimum for lines, branches, functions, statements (default 80)',
  '  --junit <path>       tests: JUnit XML report',
  '  --path <dir>         secrets: scan every file in this folder instead of the files git tracks',
  '  --since <commit>     secrets: also scan every file version the commits <commit>..HEAD wrote',
  '                       (a secret committed and removed again is still in the history)',
  '  --since-deployed <env>  secrets: the same from the commit last deployed to <env>, read from',
  '                       the deployment history (--history-table or KIRO_CD_HISTORY_TABLE); with',
  '                       nothing deployed yet, every commit reachable from HEAD',
  '  --config <path>      secrets: secretlint configuration (default .secretlintrc.json)',
  '  --allowlist <path>   secrets: files with fake secrets on purpose (default .secrets-allowlist.json)',
  '  --policy <path>      licences: allowed licences and exceptions (default licence-policy.json)',
  '  --report-file <path> write the decision as JSON (for scan-report and publish-build-metrics)',
  '  --json               also print the decision as JSON',
  '',
  'See docs/build-gates.md.',
].join('\n');

/** What the gate command needs from outside. */
export interface GateCommandDeps {
  /** Today's date decides which allowlist entries have expired. */
  readonly clock: Clock;
  /**
   * Where the tools that gates run themselves are installed.
   * @default the devDependencies in node_modules
   */
  readonly toolPaths?: ToolPaths;
  /**
   * Finds the start of the commit range for `gate secrets --since-deployed`.
   * @default lastDeployedCommitFromHistory
   */
  readonly lastDeployedCommit?: LastDeployedCommit;
}

/**
 * The commit last deployed to an environment, from the deployment history table; undefined when
 * nothing has been deployed there yet.
 */
export type LastDeployedCommit = (environment: EnvironmentName, historyTable: string, env: Readonly<Record<string, string | undefined>>) => Promise<string | undefined>;

/** Reads the last deployed commit from the DynamoDB history, in the pipeline's region (AWS_REGION in CodeBuild, else the configuration's). */
export const lastDeployedCommitFromHistory: LastDeployedCommit = async (environment, historyTable, env) => {
  const region = env.AWS_REGION ?? (await configuredDefaults()).region;
  const record = await lastDeployedRecord(openDynamoDbHistory({ region }, historyTable), environment);
  return record === undefined || record.commit.id === UNKNOWN_COMMIT_ID ? undefined : record.commit.id;
};

/** Paths of the tools a gate runs as a process; tests point one at nothing to show that a missing tool blocks. */
export interface ToolPaths {
  readonly secretlint?: string;
}

function parseThreshold(value: string | undefined): number {
  if (value === undefined) return 80;
  const threshold = Number(value);
  if (value.trim() === '' || !Number.isFinite(threshold) || threshold < 0 || threshold > 100) {
    throw new ConfigurationError(`--threshold must be a percentage between 0 and 100, such as 80, not "${value}".`, { option: 'threshold' });
  }
  return threshold;
}

/**
 * The start of the commit range `gate secrets` scans: `--since`, or the commit last deployed to
 * `--since-deployed` (null when nothing was deployed there: the whole history is the range), or
 * undefined (the tree only). A history that cannot be read stops the gate (it cannot say what the range is).
 */
async function secretsRangeStart(context: CommandContext, values: OptionValues, deps: GateCommandDeps): Promise<string | null | undefined> {
  const since = stringFlag(values, 'since');
  const sinceDeployed = stringFlag(values, 'since-deployed');
  if (since !== undefined && sinceDeployed !== undefined) throw new ConfigurationError('Give --since or --since-deployed, not both.', { option: 'since' });
  if (sinceDeployed === undefined) return since;
  const environment = parseEnvironmentOption(sinceDeployed, 'since-deployed');
  const table = stringFlag(values, 'history-table') ?? context.env.KIRO_CD_HISTORY_TABLE;
  if (environment === undefined || table === undefined || table === '') {
    throw new ConfigurationError('--since-deployed <environment> needs the deployment history: pass --history-table <name> or set KIRO_CD_HISTORY_TABLE.', { option: 'history-table' });
  }
  const commit = await (deps.lastDeployedCommit ?? lastDeployedCommitFromHistory)(environment, table, context.env);
  context.out.info(commit === undefined ? `[secrets] nothing deployed to ${environment} yet: scanning every commit reachable from HEAD` : `[secrets] commit range: ${commit}..HEAD (last deployed to ${environment})`);
  return commit ?? null;
}

async function decide(gate: GateName, context: CommandContext, values: OptionValues, clock: Clock, toolPaths: ToolPaths, deps: GateCommandDeps): Promise<GateResult> {
  switch (gate) {
    case 'audit': {
      const input = requiredFlag(values, 'input', USAGE.audit);
      const mode = resolveAuditMode(stringFlag(values, 'mode'), context.env);
      const allowlist = await readAuditAllowlist(stringFlag(values, 'allowlist'), context.cwd);
      const today = clock.now().toISOString().slice(0, 10);
      return decideNpmAudit(await readNpmAuditOutput(input, context.cwd), { mode, allowlist, today });
    }
    case 'coverage': {
      const summary = requiredFlag(values, 'summary', USAGE.coverage);
      const threshold = parseThreshold(stringFlag(values, 'threshold'));
      const file = await readReport(summary, context.cwd);
      return file.kind === 'missing' ? unreadableReport('coverage', file.problem) : decideCoverage(parseCoverageSummary(file.text), threshold);
    }
    case 'eslint': {
      return decideEslintReport(requiredFlag(values, 'input', USAGE.eslint), context.cwd);
    }
    case 'tests': {
      const file = await readReport(requiredFlag(values, 'junit', USAGE.tests), context.cwd);
      return file.kind === 'missing' ? unreadableReport('tests', file.problem) : decideTests(parseJunitXml(file.text));
    }
    case 'licences': {
      return runLicencesGate(context.cwd, stringFlag(values, 'policy'), clock.now().toISOString().slice(0, 10));
    }
    case 'secrets': {
      const path = stringFlag(values, 'path');
      const allowlist = stringFlag(values, 'allowlist');
      const config = stringFlag(values, 'config');
      const since = await secretsRangeStart(context, values, deps);
      return runSecretsGate({
        cwd: context.cwd,
        today: clock.now().toISOString().slice(0, 10),
        ...(path === undefined ? {} : { path }),
        ...(allowlist === undefined ? {} : { allowlist }),
        ...(config === undefined ? {} : { config }),
        ...(since === undefined ? {} : { since }),
        ...(toolPaths.secretlint === undefined ? {} : { toolPath: toolPaths.secretlint }),
      });
    }
  }
}

/** Builds `kiro-cd gate` around its dependencies. */
export function createGateCommand(deps: GateCommandDeps): Command {
  return {
    name: 'gate',
    summary: `Decide a build gate (${GATE_LIST}) from its tool's report: 0 pass, 1 blocked.`,
    help: HELP,
    options: {
      input: { type: 'string' },
      mode: { type: 'string' },
      allowlist: { type: 'string' },
      summary: { type: 'string' },
      threshold: { type: 'string' },
      junit: { type: 'string' },
      path: { type: 'string' },
      since: { type: 'string' },
      'since-deployed': { type: 'string' },
      'history-table': { type: 'string' },
      config: { type: 'string' },
      policy: { type: 'string' },
      'report-file': { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(context, values, positionals) {
      const [gate, ...extra] = positionals;
      if (gate === undefined || !(gate in USAGE) || extra.length > 0) {
        throw new ConfigurationError(
          gate === undefined
            ? `name the gate: ${GATE_LIST}.\n\n${HELP}`
            : `unknown gate "${[gate, ...extra].join(' ')}": use one of ${GATE_LIST}.\n\n${HELP}`,
        );
      }
      const reportFile = stringFlag(values, 'report-file');
      const reportPath = reportFile === undefined ? undefined : isAbsolute(reportFile) ? reportFile : resolve(context.cwd, reportFile);
      // An old decision is removed first, so a gate that crashes leaves none behind to be read as this build's.
      if (reportPath !== undefined) await removeReportFile('report-file', reportPath);
      const result = await decide(gate as GateName, context, values, deps.clock, deps.toolPaths ?? {}, deps);
      if (reportPath !== undefined) await writeReportFile('report-file', reportPath, gateResultFileText(result));
      printGateResult(context.out, result);
      if (values.json === true) context.out.json(result);
      return gateExitCode(result);
    },
  };
}

/** `kiro-cd gate` with the system clock. */
export const gateCommand: Command = createGateCommand({ clock: systemClock });
