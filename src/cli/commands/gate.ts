import { decideCoverage, parseCoverageSummary } from '../../pipeline/domain/build-gates/coverage.js';
import { unreadableReport, type GateResult } from '../../pipeline/domain/build-gates/gate-result.js';
import { parseJunitXml } from '../../pipeline/domain/build-gates/junit.js';
import { decideNpmAudit } from '../../pipeline/domain/build-gates/npm-audit.js';
import { decideTests } from '../../pipeline/domain/build-gates/tests.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import { ConfigurationError } from '../../shared/errors.js';
import { readAuditAllowlist, readNpmAuditOutput, resolveAuditMode } from '../build/audit-inputs.js';
import { decideEslintReport } from '../build/scan-gates.js';
import { gateExitCode, printGateResult } from '../build/print-gate-result.js';
import { readReport, requiredFlag, stringFlag } from '../build/report-files.js';
import type { Command, CommandContext, OptionValues } from '../command.js';

const USAGE = {
  audit: 'kiro-cd gate audit --input npm-audit.json [--mode pipeline|local] [--allowlist .audit-allowlist.json]',
  coverage: 'kiro-cd gate coverage --summary coverage/coverage-summary.json [--threshold 80]',
  eslint: 'kiro-cd gate eslint --input eslint.json',
  tests: 'kiro-cd gate tests --junit reports/junit.xml',
} as const;

type GateName = keyof typeof USAGE;

const HELP = [
  'Usage: kiro-cd gate <audit|coverage|eslint|tests> [options] [--json]',
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
  '  --json               also print the decision as JSON',
  '',
  'See docs/build-gates.md.',
].join('\n');

/** What the gate command needs from outside. */
export interface GateCommandDeps {
  /** Today's date decides which allowlist entries have expired. */
  readonly clock: Clock;
}

function parseThreshold(value: string | undefined): number {
  if (value === undefined) return 80;
  const threshold = Number(value);
  if (value.trim() === '' || !Number.isFinite(threshold) || threshold < 0 || threshold > 100) {
    throw new ConfigurationError(`--threshold must be a percentage between 0 and 100, such as 80, not "${value}".`, { option: 'threshold' });
  }
  return threshold;
}

async function decide(gate: GateName, context: CommandContext, values: OptionValues, clock: Clock): Promise<GateResult> {
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
  }
}

/** Builds `kiro-cd gate` around its dependencies. */
export function createGateCommand(deps: GateCommandDeps): Command {
  return {
    name: 'gate',
    summary: 'Decide a build gate (audit, coverage, eslint, tests) from its tool\'s report: 0 pass, 1 blocked.',
    help: HELP,
    options: {
      input: { type: 'string' },
      mode: { type: 'string' },
      allowlist: { type: 'string' },
      summary: { type: 'string' },
      threshold: { type: 'string' },
      junit: { type: 'string' },
      json: { type: 'boolean' },
    },
    async run(context, values, positionals) {
      const [gate, ...extra] = positionals;
      if (gate === undefined || !(gate in USAGE) || extra.length > 0) {
        throw new ConfigurationError(
          gate === undefined
            ? `name the gate: audit, coverage, eslint or tests.\n\n${HELP}`
            : `unknown gate "${[gate, ...extra].join(' ')}": use one of audit, coverage, eslint, tests.\n\n${HELP}`,
        );
      }
      const result = await decide(gate as GateName, context, values, deps.clock);
      printGateResult(context.out, result);
      if (values.json === true) context.out.json(result);
      return gateExitCode(result);
    },
  };
}

/** `kiro-cd gate` with the system clock. */
export const gateCommand: Command = createGateCommand({ clock: systemClock });
