import * as z from 'zod';
import { isEntryActive, type AuditAllowlistEntry } from './audit-allowlist.js';
import { isRecord, tryParseJson, type GateFinding, type GateResult } from './gate-result.js';

/**
 * The npm audit gate. Input: what `npm audit --json` printed (npm 7 and later, audit report
 * version 2). CRITICAL and HIGH advisories block; moderate, low and info are reported only.
 *
 * When npm could not reach the advisory service it prints an error object instead of a report
 * (npm's lib/utils/audit-error.js: `message`, `method`, `uri`, `statusCode`, ... plus an `error` key).
 * A scan that did not run is never a pass. Only one case may be `not-run`, and only locally: npm
 * could not reach the advisory service (the network is not ours to fix from a laptop). Everything
 * else that is not a valid report (an empty, cut-off or npm 6 output, a missing file, npm stopping
 * for a reason of ours such as a missing lockfile) blocks in every mode.
 */

/** npm's severity levels, most severe first. */
export const AUDIT_SEVERITIES = ['critical', 'high', 'moderate', 'low', 'info'] as const;
export type AuditSeverity = (typeof AUDIT_SEVERITIES)[number];

/** Severities that block a deployment (TR-4). */
export const BLOCKING_AUDIT_SEVERITIES: readonly AuditSeverity[] = ['critical', 'high'];

/** `pipeline` fails closed when the advisory service cannot be reached; `local` reports that one case as "not run". */
export type AuditMode = 'pipeline' | 'local';

/** One advisory against one vulnerable package, with the packages that pull it in. */
export interface AuditAdvisory {
  /** The GitHub advisory id (GHSA-...) when npm gives its URL, else `npm-<source>`. */
  readonly id: string;
  /** npm's numeric advisory id (`source`). */
  readonly source: number;
  readonly package: string;
  readonly severity: AuditSeverity;
  readonly title: string;
  readonly url: string;
  /** Vulnerable version range. */
  readonly range: string;
  /** Packages affected through this advisory (the package itself and those that depend on it), sorted. */
  readonly affects: readonly string[];
}

/** What `npm audit --json` printed, understood. */
export type NpmAuditOutput =
  | { readonly kind: 'report'; readonly advisories: readonly AuditAdvisory[]; readonly vulnerablePackages: number }
  | {
      readonly kind: 'did-not-run';
      /** `unreachable`: network or HTTP failure talking to the advisory service; `failed`: npm stopped for another reason. */
      readonly cause: 'unreachable' | 'failed' | 'no-output' | 'unrecognised';
      readonly detail: string;
    };

const severity = z.enum(AUDIT_SEVERITIES);

const advisorySchema = z.object({
  source: z.number(),
  name: z.string(),
  title: z.string(),
  url: z.string(),
  severity,
  range: z.string(),
});

const vulnerabilitySchema = z.object({
  name: z.string(),
  severity,
  via: z.array(z.union([z.string(), advisorySchema])),
});

const reportSchema = z.object({
  auditReportVersion: z.literal(2),
  vulnerabilities: z.record(z.string(), vulnerabilitySchema),
  metadata: z.object({ vulnerabilities: z.record(z.string(), z.number()) }),
});

/** Network failures as npm-registry-fetch reports them in its message. */
const NETWORK_ERROR = /\b(ENOTFOUND|ETIMEDOUT|ECONNREFUSED|ECONNRESET|EAI_AGAIN|ENETUNREACH|EHOSTUNREACH|ESOCKETTIMEDOUT|socket hang up|network)\b/i;

function ghsaOf(url: string): string | undefined {
  // eslint-disable-next-line security/detect-unsafe-regex -- bounded: {4} three times, no open-ended nesting
  return /GHSA(-[a-z0-9]{4}){3}/i.exec(url)?.[0];
}

/** Classifies npm's error object: which part says what went wrong, and was it the network. */
function classifyError(value: Record<string, unknown>): NpmAuditOutput {
  const message = typeof value.message === 'string' ? value.message : '';
  const error = isRecord(value.error) ? value.error : {};
  const code = typeof error.code === 'string' ? error.code : undefined;
  const summary = typeof error.summary === 'string' ? error.summary : '';
  const statusCode = typeof value.statusCode === 'number' ? value.statusCode : undefined;
  const detail = [message, code, summary].filter((part) => part !== undefined && part !== '').join(' | ');
  const unreachable = statusCode !== undefined || NETWORK_ERROR.test(message) || (code !== undefined && NETWORK_ERROR.test(code));
  return { kind: 'did-not-run', cause: unreachable ? 'unreachable' : 'failed', detail: detail === '' ? 'npm printed an error without details' : detail };
}

/** The advisories reachable from one vulnerability through `via` (names of other vulnerable packages). */
function rootAdvisories(
  name: string,
  vulnerabilities: Readonly<Record<string, z.infer<typeof vulnerabilitySchema>>>,
  seen: Set<string>,
): z.infer<typeof advisorySchema>[] {
  if (seen.has(name)) return [];
  seen.add(name);
  const vulnerability = vulnerabilities[name];
  if (vulnerability === undefined) return [];
  return vulnerability.via.flatMap((via) => (typeof via === 'string' ? rootAdvisories(via, vulnerabilities, seen) : [via]));
}

/** Understands the text `npm audit --json` printed. Never throws. */
export function parseNpmAuditOutput(text: string): NpmAuditOutput {
  if (text.trim() === '') {
    return { kind: 'did-not-run', cause: 'no-output', detail: 'npm audit printed nothing' };
  }
  const value = tryParseJson(text);
  if (!isRecord(value)) {
    return { kind: 'did-not-run', cause: 'no-output', detail: 'npm audit output is not a JSON object (truncated or mixed with log lines?)' };
  }
  const report = reportSchema.safeParse(value);
  if (!report.success) {
    if ('message' in value || 'error' in value) return classifyError(value);
    return {
      kind: 'did-not-run',
      cause: 'unrecognised',
      detail: 'npm audit output is not an audit report version 2 (npm 7 or later is required: npm 6 prints a different format)',
    };
  }
  const { vulnerabilities } = report.data;
  const byKey = new Map<string, AuditAdvisory>();
  for (const name of Object.keys(vulnerabilities).sort()) {
    const roots = rootAdvisories(name, vulnerabilities, new Set());
    const vulnerability = vulnerabilities[name];
    if (roots.length === 0 && vulnerability !== undefined) {
      // A vulnerability npm could not trace to an advisory still counts, with its own severity.
      roots.push({ source: 0, name, title: `${name} is reported vulnerable without an advisory`, url: '', severity: vulnerability.severity, range: '*' });
    }
    for (const advisory of roots) {
      const key = `${String(advisory.source)}|${advisory.name}`;
      const existing = byKey.get(key);
      const affects = new Set([...(existing?.affects ?? []), advisory.name, name]);
      byKey.set(key, {
        id: ghsaOf(advisory.url) ?? (advisory.source === 0 ? `package-${advisory.name}` : `npm-${String(advisory.source)}`),
        source: advisory.source,
        package: advisory.name,
        severity: advisory.severity,
        title: advisory.title,
        url: advisory.url,
        range: advisory.range,
        affects: [...affects].sort(),
      });
    }
  }
  const advisories = [...byKey.values()].sort(
    (a, b) => AUDIT_SEVERITIES.indexOf(a.severity) - AUDIT_SEVERITIES.indexOf(b.severity) || a.package.localeCompare(b.package) || a.id.localeCompare(b.id),
  );
  return { kind: 'report', advisories, vulnerablePackages: Object.keys(vulnerabilities).length };
}

/** Inputs of the audit decision besides npm's output. */
export interface AuditDecisionOptions {
  readonly mode: AuditMode;
  readonly allowlist: readonly AuditAllowlistEntry[];
  /** Today as YYYY-MM-DD (from the Clock), to tell live allowlist entries from expired ones. */
  readonly today: string;
}

function matches(entry: AuditAllowlistEntry, advisory: AuditAdvisory): boolean {
  const wanted = entry.advisory.toUpperCase();
  return entry.package === advisory.package && (wanted === advisory.id.toUpperCase() || wanted === String(advisory.source));
}

function advisoryFinding(advisory: AuditAdvisory, options: AuditDecisionOptions): GateFinding {
  const entries = options.allowlist.filter((entry) => matches(entry, advisory));
  const active = entries.find((entry) => isEntryActive(entry, options.today));
  const expired = entries.find((entry) => !isEntryActive(entry, options.today));
  const severe = BLOCKING_AUDIT_SEVERITIES.includes(advisory.severity);
  const via = advisory.affects.filter((name) => name !== advisory.package);
  const base = {
    severity: advisory.severity,
    id: advisory.id,
    message: `${advisory.title} (${advisory.package} ${advisory.range})${advisory.url === '' ? '' : ` ${advisory.url}`}`,
    location: via.length === 0 ? advisory.package : `${advisory.package} (through ${via.join(', ')})`,
  };
  if (active !== undefined) {
    return { ...base, blocking: false, acceptedBecause: active.reason, why: `allowlisted until ${active.expires}: ${active.reason}` };
  }
  if (!severe) {
    return { ...base, blocking: false, why: `${advisory.severity} severity is reported, not blocking (only critical and high block)` };
  }
  const expiredNote = expired === undefined ? '' : ` Its allowlist entry expired on ${expired.expires}; renew it with a fresh reason or fix the dependency.`;
  return {
    ...base,
    blocking: true,
    why: `${advisory.severity} severity blocks the deployment: update ${advisory.package} out of ${advisory.range} (npm audit fix), or allowlist it with a reason if it does not apply.${expiredNote}`,
  };
}

function countBySeverity(findings: readonly GateFinding[]): string {
  const counts = AUDIT_SEVERITIES.map((level) => [level, findings.filter((finding) => finding.severity === level).length] as const)
    .filter(([, count]) => count > 0)
    .map(([level, count]) => `${String(count)} ${level}`);
  return counts.length === 0 ? 'no advisories' : counts.join(', ');
}

/** Decides the npm audit gate. */
export function decideNpmAudit(output: NpmAuditOutput, options: AuditDecisionOptions): GateResult {
  if (output.kind === 'did-not-run') {
    const what =
      output.cause === 'unreachable'
        ? 'npm audit could not reach the advisory service'
        : output.cause === 'failed'
          ? 'npm audit failed before it could check the dependencies'
          : 'npm audit did not produce a report';
    // Only an unreachable advisory service may be "not run", and only locally; see the module comment.
    const blocks = options.mode === 'pipeline' || output.cause !== 'unreachable';
    return {
      tool: 'npm-audit',
      verdict: blocks ? 'block' : 'not-run',
      ran: false,
      findings: [
        {
          severity: 'error',
          id: `audit-${output.cause}`,
          message: `${what}: ${output.detail}`,
          blocking: blocks,
          why: !blocks
            ? 'Locally the scan is reported as NOT RUN (never as passed); the pipeline blocks in this situation.'
            : output.cause === 'unreachable'
              ? 'The dependency scan did not run, so nothing shows the dependencies are safe: the deployment is blocked until the advisory service can be reached and the scan runs.'
              : 'Without a valid `npm audit --json` report nothing shows the dependencies are safe, in the pipeline or locally: rerun `npm audit --json` and keep its whole output.',
        },
      ],
      summary: !blocks
        ? `NOT RUN: ${what} (${output.detail}). This is not a pass.`
        : output.cause === 'unreachable'
          ? `BLOCKED: ${what}; the deployment is blocked until it can.`
          : `BLOCKED: ${what} (${output.detail}).`,
    };
  }
  const findings = output.advisories.map((advisory) => advisoryFinding(advisory, options));
  const expiredOnly = options.allowlist.filter(
    (entry) => !isEntryActive(entry, options.today) && !output.advisories.some((advisory) => matches(entry, advisory)),
  );
  const housekeeping: GateFinding[] = expiredOnly.map((entry) => ({
    severity: 'info',
    id: `allowlist-expired-${entry.advisory}`,
    message: `allowlist entry for ${entry.advisory} in ${entry.package} expired on ${entry.expires} and matches nothing`,
    location: entry.package,
    blocking: false,
    why: 'An expired entry no longer counts; remove it from the allowlist.',
  }));
  const blocking = findings.filter((finding) => finding.blocking);
  const allowlisted = findings.filter((finding) => finding.acceptedBecause !== undefined).length;
  const tally = `${countBySeverity(findings)} in ${String(output.vulnerablePackages)} vulnerable packages${allowlisted > 0 ? `, ${String(allowlisted)} allowlisted` : ''}`;
  return {
    tool: 'npm-audit',
    verdict: blocking.length > 0 ? 'block' : 'pass',
    ran: true,
    findings: [...findings, ...housekeeping],
    summary: blocking.length > 0 ? `BLOCKED: ${String(blocking.length)} critical/high advisories (${tally})` : `passed: ${tally}`,
  };
}
