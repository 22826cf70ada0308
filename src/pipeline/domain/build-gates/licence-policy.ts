import * as z from 'zod';
import { expiresField, parseAllowlist, reasonField } from './allowlist-fields.js';

/**
 * The licence policy (`licence-policy.json`): which SPDX licences production dependencies and
 * bundled code may carry, and exceptions for single packages, each with a reason and an expiry.
 */

const exceptionSchema = z.strictObject({
  package: z.string().min(1, { message: 'must name the package, such as "left-pad"' }),
  licence: z.string().min(1, { message: 'must be the licence the exception accepts, as the package declares it' }),
  reason: reasonField,
  expires: expiresField,
});

const policySchema = z.strictObject({
  allowed: z.array(z.string().regex(/^[A-Za-z0-9.+-]+$/, { message: 'must be an SPDX licence id such as "MIT"' })).min(1),
  entries: z.array(exceptionSchema),
});

/** One accepted package whose licence is not in `allowed`. */
export type LicenceException = z.infer<typeof exceptionSchema>;

/** The parsed policy. */
export interface LicencePolicy {
  readonly allowed: readonly string[];
  readonly exceptions: readonly LicenceException[];
}

/**
 * The licences allowed when the policy file does not say otherwise. MIT-0 (Powertools for AWS
 * Lambda) is MIT without the attribution condition: it asks less of us than MIT, so it is allowed
 * outright rather than as a per-package exception that would expire.
 */
export const DEFAULT_ALLOWED_LICENCES: readonly string[] = ['Apache-2.0', 'MIT', 'MIT-0', 'BSD-2-Clause', 'BSD-3-Clause', 'ISC', '0BSD'];

/** Validates the parsed policy file; throws a ConfigurationError naming the key (exit 2). */
export function parseLicencePolicy(value: unknown, source: string): LicencePolicy {
  const policy = parseAllowlist(policySchema, value, source, 'licence', '{ "allowed": ["MIT", ...], "entries": [ { "package": "...", "licence": "...", "reason": "...", "expires": "YYYY-MM-DD" } ] }');
  return { allowed: policy.allowed, exceptions: policy.entries };
}

/**
 * Whether an SPDX expression is allowed: `A OR B` when either is, `A AND B` when both are,
 * parentheses grouping. Anything else (no licence, `UNLICENSED`, `SEE LICENSE IN ...`) is not.
 */
export function licenceAllowed(expression: string | undefined, allowed: readonly string[]): boolean {
  if (expression === undefined) return false;
  const text = expression.trim();
  const split = (operator: string): string[] | undefined => {
    const parts: string[] = [];
    let depth = 0;
    let start = 0;
    const tokens = text.split(/(\(|\)|\s+)/);
    let offset = 0;
    for (const part of tokens) {
      if (part === '(') depth += 1;
      else if (part === ')') depth -= 1;
      else if (depth === 0 && part === operator) {
        parts.push(text.slice(start, offset));
        start = offset + part.length;
      }
      offset += part.length;
    }
    if (parts.length === 0) return undefined;
    parts.push(text.slice(start));
    return parts;
  };
  const alternatives = split('OR');
  if (alternatives !== undefined) return alternatives.some((part) => licenceAllowed(part, allowed));
  const conjuncts = split('AND');
  if (conjuncts !== undefined) return conjuncts.every((part) => licenceAllowed(part, allowed));
  if (text.startsWith('(') && text.endsWith(')')) return licenceAllowed(text.slice(1, -1), allowed);
  return allowed.includes(text);
}
