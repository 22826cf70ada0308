import { isAbsolute, resolve } from 'node:path';
import { parsePolicyGatesReport } from '../../pipeline/domain/build-gates/policy-gates-report.js';
import { policyGatesNotRun, renderScanReport, SCAN_REPORT_GROUP, scanNotRun, scanResultOfGate, scanResultsOfPolicyGates, type ScanResult } from '../../pipeline/domain/build-gates/scan-report.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import { asKiroCdError, ConfigurationError } from '../../shared/errors.js';
import { readReport, requiredFlag, stringFlag } from '../build/report-files.js';
import { decideAuditReport, decideEslintReport, readSavedGateResult, SAVED_GATE_OPTIONS, SCAN_REPORT_OPTIONS } from '../build/scan-gates.js';
import { writeReportFile } from '../build/write-report.js';
import { ExitCode, type Command, type CommandContext, type OptionValues } from '../command.js';

const USAGE =
  'kiro-cd scan-report --output reports/security-scans.xml [--audit reports/npm-audit.json] [--allowlist .audit-allowlist.json] [--eslint reports/eslint.json] [--gates-report reports/gates.json] [--secrets reports/secrets.json] [--licences reports/licences.json]';

const HELP = [
  `Usage: ${USAGE}`,
  '',
  `Writes the security scans of the build as one JUnit XML file, for the CodeBuild report group`,
  `"${SCAN_REPORT_GROUP}": one test suite per scanner (npm-audit, eslint, secrets, licences, cfn-lint,`,
  'cfn-guard, cdk-nag, cdk-validation), one test case per finding. A blocking finding fails, an accepted one is skipped, a',
  'finding that is only reported passes; a scanner that ran clean has one passing case "no findings".',
  'A report that is missing or unreadable becomes a failing "not run" case and a warning: the command',
  'runs in post_build, also after a failed build, and publishes what there is. Give at least one report.',
  'Exits 0 when the file is written, whatever the findings: the gates decide the build, this records it.',
  '',
  'Options:',
  '  --output <path>        the JUnit XML file to write (parent directories are created)',
  '  --audit <path>         output of "npm audit --json" (with --allowlist, as for the gate)',
  '  --allowlist <path>     npm audit allowlist (default .audit-allowlist.json, optional)',
  '  --eslint <path>        output of "eslint -f json"',
  '  --gates-report <path>  what "kiro-cd policy-gates --report-file <path>" wrote (cfn-lint, cfn-guard, cdk-nag)',
  '  --secrets <path>       what "kiro-cd gate secrets --report-file <path>" wrote',
  '  --licences <path>      what "kiro-cd gate licences --report-file <path>" wrote',
  '',
  'See docs/build-gates.md.',
].join('\n');

/** What scan-report needs from outside; tests pass a fixed clock. */
export interface ScanReportDeps {
  /** Today's date decides which npm audit allowlist entries have expired. */
  readonly clock: Clock;
}

const REPORT_OPTIONS = ['audit', 'eslint', 'gates-report', ...Object.keys(SAVED_GATE_OPTIONS)] as const;

/** The policy gates' scans from what `kiro-cd policy-gates --report-file` wrote; every gate not run when it cannot be read. */
async function policyGateScans(path: string, cwd: string): Promise<ScanResult[]> {
  const file = await readReport(path, cwd);
  if (file.kind === 'missing') return policyGatesNotRun(file.problem);
  const results = parsePolicyGatesReport(file.text);
  return typeof results === 'string' ? policyGatesNotRun(`${path} is ${results}`) : scanResultsOfPolicyGates(results);
}

async function collect(context: CommandContext, values: OptionValues, today: string, warn: (message: string) => void): Promise<ScanResult[]> {
  const scans: ScanResult[] = [];
  /** Adds the scans of one report, with one warning when they did not run. */
  const add = (found: readonly ScanResult[]): void => {
    scans.push(...found);
    const [first, ...others] = found.flatMap((scan) => (scan.ran ? [] : [scan]));
    if (first !== undefined) warn(`${[first, ...others].map((scan) => scan.scanner).join(', ')} reported as not run: ${first.reason}`);
  };
  const audit = stringFlag(values, 'audit');
  if (audit !== undefined) {
    try {
      add([scanResultOfGate(await decideAuditReport(audit, stringFlag(values, 'allowlist'), context.cwd, today))]);
    } catch (error) {
      // An invalid allowlist stops the audit gate with exit 2; here it only means the audit cannot be shown.
      add([scanNotRun('npm-audit', `the npm audit allowlist cannot be used: ${asKiroCdError(error).message}`)]);
    }
  }
  const eslint = stringFlag(values, 'eslint');
  if (eslint !== undefined) add([scanResultOfGate(await decideEslintReport(eslint, context.cwd))]);
  for (const [option, tool] of Object.entries(SAVED_GATE_OPTIONS)) {
    const saved = stringFlag(values, option);
    if (saved !== undefined) add([scanResultOfGate(await readSavedGateResult(saved, tool, context.cwd))]);
  }
  const gatesReport = stringFlag(values, 'gates-report');
  if (gatesReport !== undefined) add(await policyGateScans(gatesReport, context.cwd));
  return scans;
}

/** Builds `kiro-cd scan-report` around its dependencies. */
export function createScanReportCommand(deps: ScanReportDeps): Command {
  return {
    name: 'scan-report',
    summary: `Write npm audit, ESLint, secrets, licence and policy-gate findings as JUnit XML (report group ${SCAN_REPORT_GROUP}); never fails the build.`,
    help: HELP,
    options: {
      output: { type: 'string' },
      ...SCAN_REPORT_OPTIONS,
    },
    async run(context, values, positionals) {
      if (positionals.length > 0) throw new ConfigurationError(`scan-report takes no arguments; got "${positionals.join(' ')}". Usage: ${USAGE}`);
      const output = requiredFlag(values, 'output', USAGE);
      if (!REPORT_OPTIONS.some((name) => values[name] !== undefined)) throw new ConfigurationError(`give at least one report (--audit, --eslint, --gates-report, --secrets, --licences). Usage: ${USAGE}`);
      const warn = (message: string): void => {
        context.out.error(`scan-report: warning: ${message}`);
      };
      const scans = await collect(context, values, deps.clock.now().toISOString().slice(0, 10), warn);
      const path = isAbsolute(output) ? output : resolve(context.cwd, output);
      await writeReportFile('output', path, renderScanReport(scans));
      context.out.info(`Wrote ${String(scans.length)} scan suite(s) (${scans.map((scan) => scan.scanner).join(', ')}) to ${output}.`);
      return ExitCode.Ok;
    },
  };
}

/** `kiro-cd scan-report` with the system clock. */
export const scanReportCommand: Command = createScanReportCommand({ clock: systemClock });
