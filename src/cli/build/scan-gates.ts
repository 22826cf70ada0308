import type { ParseArgsConfig } from 'node:util';
import { decideEslint, parseEslintReport } from '../../pipeline/domain/build-gates/eslint.js';
import { parseGateResultFile } from '../../pipeline/domain/build-gates/gate-result-file.js';
import { unreadableReport, type GateResult, type GateTool } from '../../pipeline/domain/build-gates/gate-result.js';
import { decideNpmAudit } from '../../pipeline/domain/build-gates/npm-audit.js';
import { readAuditAllowlist, readNpmAuditOutput } from './audit-inputs.js';
import { readReport } from './report-files.js';

/**
 * The npm audit and ESLint decisions over the reports the Build stage wrote, for the commands that
 * record a build after its gates have run (publish-build-metrics, scan-report). A missing or
 * unreadable report is a scan that did not run (`ran: false`), never an exception.
 */

/**
 * Decides npm audit over what `npm audit --json` wrote, with the allowlist as the gate reads it.
 * The mode is `pipeline`: these commands record the build, and a scan that did not run is shown as
 * such in either mode. Throws a ConfigurationError when the allowlist is invalid, as the gate does.
 */
export async function decideAuditReport(path: string, allowlistPath: string | undefined, cwd: string, today: string): Promise<GateResult> {
  const allowlist = await readAuditAllowlist(allowlistPath, cwd);
  return decideNpmAudit(await readNpmAuditOutput(path, cwd), { mode: 'pipeline', allowlist, today });
}

/** Decides ESLint over what `eslint -f json` wrote; file paths are shown relative to `cwd`. */
export async function decideEslintReport(path: string, cwd: string): Promise<GateResult> {
  const file = await readReport(path, cwd);
  return file.kind === 'found' ? decideEslint(parseEslintReport(file.text), cwd) : unreadableReport('eslint', file.problem);
}

/**
 * Reads the decision a gate that runs its tool itself saved with `--report-file` (secrets,
 * licences). Missing, cut off or another gate's: the scan did not run.
 */
export async function readSavedGateResult(path: string, tool: GateTool, cwd: string): Promise<GateResult> {
  const file = await readReport(path, cwd);
  if (file.kind === 'missing') return unreadableReport(tool, file.problem);
  const result = parseGateResultFile(file.text, tool);
  return typeof result === 'string' ? unreadableReport(tool, `${path} is ${result}`) : result;
}

/** The gates whose saved decisions scan-report and publish-build-metrics read, by option name. */
export const SAVED_GATE_OPTIONS = { secrets: 'secrets', licences: 'licences' } as const satisfies Record<string, GateTool>;

/** The options that name the scan reports (and the audit allowlist) both commands read, in parseArgs form. */
export const SCAN_REPORT_OPTIONS = {
  audit: { type: 'string' },
  allowlist: { type: 'string' },
  eslint: { type: 'string' },
  'gates-report': { type: 'string' },
  secrets: { type: 'string' },
  licences: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']> & Record<keyof typeof SAVED_GATE_OPTIONS, unknown>;
