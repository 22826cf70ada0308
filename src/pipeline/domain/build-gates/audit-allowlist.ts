import * as z from 'zod';
import { ConfigurationError } from '../../../shared/errors.js';

/**
 * The allowlist of known false positives for the npm audit gate (`.audit-allowlist.json`).
 * Every entry names one advisory in one package, says why it is accepted, and expires: an expired
 * entry stops counting, so an exception is revisited instead of living forever.
 */

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, {
  message: 'must be a date written YYYY-MM-DD, such as "2026-12-31" (the last day the entry counts)',
});

const entrySchema = z.strictObject({
  // eslint-disable-next-line security/detect-unsafe-regex -- bounded: {4} three times, no open-ended nesting
  advisory: z.string().regex(/^(GHSA(-[23456789cfghjmpqrvwx]{4}){3}|\d+)$/i, {
    message: 'must be a GitHub advisory id such as "GHSA-3h5v-q93c-6h6q" or the numeric npm advisory id ("source" in npm audit --json)',
  }),
  package: z.string().min(1, { message: 'must name the vulnerable package, such as "ws"' }),
  reason: z.string().min(10, { message: 'must say why the finding does not apply (at least 10 characters), for the reviewer' }),
  expires: isoDate,
});

const allowlistSchema = z.strictObject({
  entries: z.array(entrySchema),
});

/** One accepted advisory. */
export type AuditAllowlistEntry = z.infer<typeof entrySchema>;

/**
 * Validates the parsed allowlist file. Throws a ConfigurationError naming the entry, the key and the
 * fix, so a broken allowlist stops the gate instead of silently allowing nothing (or everything).
 */
export function parseAuditAllowlist(value: unknown, source: string): readonly AuditAllowlistEntry[] {
  const result = allowlistSchema.safeParse(value);
  if (result.success) return result.data.entries;
  const problems = result.error.issues.map((issue) => {
    const where = issue.path.length === 0 ? '(top level)' : issue.path.join('.');
    return `${where}: ${issue.message}`;
  });
  throw new ConfigurationError(
    `${source} is not a valid npm audit allowlist: ${problems.join('; ')}. ` +
      'Expected { "entries": [ { "advisory": "GHSA-...", "package": "...", "reason": "...", "expires": "YYYY-MM-DD" } ] }.',
    { source },
  );
}

/** True while the entry counts: up to and including its expiry day (dates compare as YYYY-MM-DD text). */
export function isEntryActive(entry: AuditAllowlistEntry, today: string): boolean {
  return today <= entry.expires;
}
