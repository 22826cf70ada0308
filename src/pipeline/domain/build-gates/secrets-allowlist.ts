import * as z from 'zod';
import { expiresField, parseAllowlist, reasonField } from './allowlist-fields.js';

/**
 * The allowlist of the secrets gate (`.secrets-allowlist.json`): files that carry fake secrets on
 * purpose (test fixtures, tests of redaction), accepted by path, optionally for one rule only.
 */

const entrySchema = z.strictObject({
  path: z
    .string()
    .min(1)
    .refine((path) => !path.startsWith('/') && !path.split('/').includes('..'), {
      message: 'must be a path relative to the scanned folder, such as "test/fixtures/secrets/" (a folder ends with "/")',
    }),
  rule: z.string().min(1, { message: 'names a secretlint rule such as "@secretlint/secretlint-rule-aws"; omit it to accept every rule' }).optional(),
  reason: reasonField,
  expires: expiresField,
});

const allowlistSchema = z.strictObject({ entries: z.array(entrySchema) });

/** One accepted path. */
export type SecretsAllowlistEntry = z.infer<typeof entrySchema>;

/** Validates the parsed `.secrets-allowlist.json`; throws a ConfigurationError naming the entry and key. */
export function parseSecretsAllowlist(value: unknown, source: string): readonly SecretsAllowlistEntry[] {
  return parseAllowlist(allowlistSchema, value, source, 'secrets', '{ "entries": [ { "path": "test/fixtures/secrets/", "rule": "@secretlint/...", "reason": "...", "expires": "YYYY-MM-DD" } ] }').entries;
}

/** True when the entry covers the file: the same path, or a folder (ending in "/") that holds it. */
export function coversPath(entry: SecretsAllowlistEntry, file: string): boolean {
  return entry.path.endsWith('/') ? file.startsWith(entry.path) : file === entry.path;
}
