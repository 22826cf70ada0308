import * as z from 'zod';
import { isActiveOn } from './allowlist-fields.js';
import { tryParseJson, unreadableReport, type GateFinding, type GateResult } from './gate-result.js';
import { coversPath, type SecretsAllowlistEntry } from './secrets-allowlist.js';

/**
 * The secrets gate. Input: what `secretlint --format json` printed for an explicit list of files
 * (one result per file, each with its messages). Any finding blocks unless an allowlist entry
 * accepts its file; a report that is not JSON, not secretlint's shape, or that leaves out files it
 * was given blocks too: a scan that did not cover everything proves nothing.
 */

const messageSchema = z.object({
  ruleId: z.string(),
  messageId: z.string().optional(),
  message: z.string(),
  loc: z.object({ start: z.object({ line: z.number(), column: z.number() }) }),
  severity: z.enum(['error', 'warning', 'info']),
});

// The file's `sourceContent` (the whole text, secrets unmasked) is deliberately not part of the
// schema: zod drops it here, so no secret travels further than this parse.
const reportSchema = z.array(z.object({ filePath: z.string(), messages: z.array(messageSchema) }));

/** One secretlint finding, with the file relative to the scanned folder. */
export interface SecretFinding {
  readonly file: string;
  readonly ruleId: string;
  /** The rule's message id (AWSSecretAccessKey, GITHUB_TOKEN, ...), when it gives one. */
  readonly messageId?: string;
  /** secretlint's message; the secret itself is masked (`****`) by secretlint. */
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly severity: 'error' | 'warning' | 'info';
  /** The commit that wrote this version of the file, when the finding comes from the commit-range scan. */
  readonly commit?: string;
}

/** What secretlint reported: the files it covered and what it found. */
export interface SecretlintReport {
  readonly files: readonly string[];
  readonly findings: readonly SecretFinding[];
}

function relativeTo(root: string, path: string): string {
  const base = root.endsWith('/') ? root : `${root}/`;
  return path.startsWith(base) ? path.slice(base.length) : path;
}

/** Parses secretlint's JSON output; paths become relative to `root`. A string says what is wrong. */
export function parseSecretlintOutput(text: string, root: string): SecretlintReport | string {
  if (text.trim() === '') return 'secretlint printed nothing (did it crash? see the log above)';
  const value = tryParseJson(text);
  if (value === undefined) return 'secretlint output is not JSON: it is cut off or was not written with "--format json"';
  const parsed = reportSchema.safeParse(value);
  if (!parsed.success) return 'secretlint output is not the JSON formatter\'s array of file results';
  return {
    files: parsed.data.map((file) => relativeTo(root, file.filePath)),
    findings: parsed.data.flatMap((file) =>
      file.messages.map((message) => ({
        file: relativeTo(root, file.filePath),
        ruleId: message.ruleId,
        ...(message.messageId === undefined ? {} : { messageId: message.messageId }),
        message: message.message,
        line: message.loc.start.line,
        // secretlint counts columns from 0; editors and the other gates from 1.
        column: message.loc.start.column + 1,
        severity: message.severity,
      })),
    ),
  };
}

/** What the secrets decision needs besides the report. */
export interface SecretsOptions {
  /** The files secretlint was asked to scan, relative to the scanned folder: each must be in the report. */
  readonly scanned: readonly string[];
  readonly allowlist: readonly SecretsAllowlistEntry[];
  /** Today as YYYY-MM-DD, to tell live allowlist entries from expired ones. */
  readonly today: string;
}

function entriesFor(finding: SecretFinding, allowlist: readonly SecretsAllowlistEntry[]): SecretsAllowlistEntry[] {
  return allowlist.filter((entry) => coversPath(entry, finding.file) && (entry.rule === undefined || entry.rule === finding.ruleId));
}

function findingOf(secret: SecretFinding, options: SecretsOptions): GateFinding {
  const entries = entriesFor(secret, options.allowlist);
  const active = entries.find((entry) => isActiveOn(entry, options.today));
  const base = {
    severity: secret.severity,
    id: secret.messageId === undefined ? secret.ruleId : `${secret.ruleId}/${secret.messageId}`,
    message: secret.message,
    location: `${secret.file}:${String(secret.line)}:${String(secret.column)}${secret.commit === undefined ? '' : ` (commit ${secret.commit.slice(0, 12)})`}`,
  } as const;
  if (active !== undefined) {
    return { ...base, blocking: false, acceptedBecause: active.reason, why: `allowlisted (${active.path}) until ${active.expires}: ${active.reason}` };
  }
  const expired = entries[0];
  const expiredNote = expired === undefined ? '' : ` Its allowlist entry (${expired.path}) expired on ${expired.expires}; renew it with a fresh reason or remove the secret.`;
  return {
    ...base,
    blocking: true,
    why: `A secret in the repository blocks the deployment: remove it, rotate it (it is in the git history), and load it at run time from Secrets Manager; if it is a fake on purpose (a test fixture), allowlist its path with a reason.${expiredNote}`,
  };
}

/**
 * A report over file versions written as `<commit>/<path>` (the commit-range scan) turned back into
 * repository paths, each finding naming its commit, so allowlist entries match the path as they do
 * for the tree scan. A file outside that layout is left as it is (and then fails the coverage check).
 */
export function reportOfFileVersions(report: SecretlintReport | string): SecretlintReport | string {
  if (typeof report === 'string') return report;
  const split = (file: string): { readonly commit?: string; readonly path: string } => {
    const match = /^([0-9a-f]{40})\/(.+)$/.exec(file);
    return match?.[1] === undefined || match[2] === undefined ? { path: file } : { commit: match[1], path: match[2] };
  };
  return {
    files: report.files.map((file) => split(file).path),
    findings: report.findings.map((finding) => {
      const { commit, path } = split(finding.file);
      return { ...finding, file: path, ...(commit === undefined ? {} : { commit }) };
    }),
  };
}

/**
 * One decision from the scan of the tree at HEAD and the scan of the file versions the commit range
 * wrote: blocked when either blocks; the range's expired-entry notes are left out (the tree's list them).
 */
export function combineSecretsScans(tree: GateResult, range: GateResult, rangeSize: { readonly commits: number; readonly versions: number }): GateResult {
  const findings = [...tree.findings, ...range.findings.filter((finding) => finding.id !== 'allowlist-expired')];
  const blocked = tree.verdict === 'block' || range.verdict === 'block';
  const tally = (result: GateResult): string => result.summary.replace(/^(passed|BLOCKED): /, '');
  const rangeNote = `the commit range (${String(rangeSize.versions)} file versions in ${String(rangeSize.commits)} commits): ${tally(range)}`;
  return {
    tool: 'secrets',
    verdict: blocked ? 'block' : 'pass',
    ran: tree.ran && range.ran,
    findings,
    summary: `${blocked ? 'BLOCKED' : 'passed'}: at HEAD ${tally(tree)}; ${rangeNote}`,
  };
}

/** Decides the secrets gate from secretlint's parsed output, or a string saying why it cannot be read. */
export function decideSecrets(report: SecretlintReport | string, options: SecretsOptions): GateResult {
  if (typeof report === 'string') return unreadableReport('secrets', report);
  const reported = new Set(report.files);
  const missing = options.scanned.filter((file) => !reported.has(file));
  if (missing.length > 0) {
    const sample = missing.slice(0, 3).join(', ');
    return unreadableReport('secrets', `secretlint reported on ${String(report.files.length)} of ${String(options.scanned.length)} files; missing ${String(missing.length)}, such as ${sample}: the output is cut off or files were skipped`);
  }
  const findings = report.findings.map((secret) => findingOf(secret, options));
  const unused = options.allowlist.filter((entry) => !isActiveOn(entry, options.today) && !report.findings.some((secret) => entriesFor(secret, [entry]).length > 0));
  const housekeeping: GateFinding[] = unused.map((entry) => ({
    severity: 'info',
    id: 'allowlist-expired',
    message: `allowlist entry for ${entry.path} expired on ${entry.expires} and matches nothing`,
    location: entry.path,
    blocking: false,
    why: 'An expired entry no longer counts; remove it from the allowlist.',
  }));
  const blocking = findings.filter((finding) => finding.blocking).length;
  const accepted = findings.length - blocking;
  const tally = `${String(blocking)} secrets found in ${String(options.scanned.length)} files${accepted > 0 ? `, ${String(accepted)} allowlisted` : ''}`;
  return {
    tool: 'secrets',
    verdict: blocking > 0 ? 'block' : 'pass',
    ran: true,
    findings: [...findings, ...housekeeping],
    summary: blocking > 0 ? `BLOCKED: ${tally}` : `passed: ${tally}`,
  };
}
