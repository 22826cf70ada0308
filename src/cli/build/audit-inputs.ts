import { parseAuditAllowlist, type AuditAllowlistEntry } from '../../pipeline/domain/build-gates/audit-allowlist.js';
import { tryParseJson } from '../../pipeline/domain/build-gates/gate-result.js';
import { parseNpmAuditOutput, type AuditMode, type NpmAuditOutput } from '../../pipeline/domain/build-gates/npm-audit.js';
import { ConfigurationError } from '../../shared/errors.js';
import { readReport } from './report-files.js';

/** The allowlist read when `--allowlist` is not given; optional. */
export const DEFAULT_AUDIT_ALLOWLIST = '.audit-allowlist.json';

/**
 * Reads the npm audit allowlist. The default file may be absent (no exceptions); a file named with
 * `--allowlist` must exist, and any file present must be valid, or the gate stops with exit 2.
 */
export async function readAuditAllowlist(path: string | undefined, cwd: string): Promise<readonly AuditAllowlistEntry[]> {
  const file = await readReport(path ?? DEFAULT_AUDIT_ALLOWLIST, cwd);
  if (file.kind === 'missing') {
    if (path === undefined) return [];
    throw new ConfigurationError(`--allowlist ${path}: ${file.problem.replace(/: the tool.*$/, '')}.`, { option: 'allowlist' });
  }
  const value = tryParseJson(file.text);
  if (value === undefined) throw new ConfigurationError(`${file.path} is not valid JSON; fix the syntax of the npm audit allowlist.`, { file: file.path });
  return parseAuditAllowlist(value, file.path);
}

/** Reads what `npm audit --json` wrote; a missing file is no report, which blocks in every mode. */
export async function readNpmAuditOutput(path: string, cwd: string): Promise<NpmAuditOutput> {
  const file = await readReport(path, cwd);
  if (file.kind === 'missing') return { kind: 'did-not-run', cause: 'no-output', detail: file.problem };
  return parseNpmAuditOutput(file.text);
}

/** `--mode`, defaulting to `pipeline` inside CodeBuild (CODEBUILD_BUILD_ID is set) and `local` elsewhere. */
export function resolveAuditMode(flag: string | undefined, env: Readonly<Record<string, string | undefined>>): AuditMode {
  if (flag === undefined) return env.CODEBUILD_BUILD_ID === undefined || env.CODEBUILD_BUILD_ID === '' ? 'local' : 'pipeline';
  if (flag !== 'pipeline' && flag !== 'local') {
    throw new ConfigurationError(`--mode must be "pipeline" (fail closed when npm audit cannot run) or "local" (report "not run"), not "${flag}".`, { option: 'mode' });
  }
  return flag;
}
