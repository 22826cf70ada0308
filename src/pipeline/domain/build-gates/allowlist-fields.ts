import * as z from 'zod';
import { ConfigurationError } from '../../../shared/errors.js';

/**
 * The fields every build-gate allowlist entry shares (secrets, licences): why the exception is
 * accepted and the last day it counts, so an exception is revisited instead of living forever.
 */

/** The last day (YYYY-MM-DD, UTC) an entry counts. */
export const expiresField = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, {
  message: 'must be a date written YYYY-MM-DD, such as "2026-12-31" (the last day the entry counts)',
});

/** Why the finding does not apply, printed next to it; short reasons are not reasons. */
export const reasonField = z.string().min(10, { message: 'must say why the finding does not apply (at least 10 characters), for the reviewer' });

/** True while an entry counts: up to and including its expiry day (dates compare as YYYY-MM-DD text). */
export function isActiveOn(entry: { readonly expires: string }, today: string): boolean {
  return today <= entry.expires;
}

/**
 * Validates a parsed allowlist file against its schema; throws a ConfigurationError naming the
 * entry, the key and the expected shape, so a broken allowlist stops the gate (exit 2) instead of
 * silently accepting nothing, or everything.
 */
export function parseAllowlist<T>(schema: z.ZodType<T>, value: unknown, source: string, what: string, example: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.length === 0 ? '(top level)' : issue.path.join('.')}: ${issue.message}`);
  throw new ConfigurationError(`${source} is not a valid ${what} allowlist: ${problems.join('; ')}. Expected ${example}.`, { source });
}
