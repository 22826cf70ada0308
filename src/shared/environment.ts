import * as z from 'zod';
import { ConfigurationError } from './errors.js';

/** Environment variables as a handler receives them. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Reads a required variable; the error names the key and where it is set. */
export function requireEnv(environment: Environment, key: string, setBy: string): string {
  const value = environment[key];
  if (value === undefined || value.trim() === '') {
    throw new ConfigurationError(`Environment variable ${key} is missing or empty; it is set by ${setBy}.`, { key });
  }
  return value;
}

/** Reads a positive whole number, with a default when the variable is absent. */
export function positiveIntegerEnv(environment: Environment, key: string, defaultValue: number): number {
  const raw = environment[key];
  if (raw === undefined || raw.trim() === '') return defaultValue;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) {
    throw new ConfigurationError(`Environment variable ${key} must be a positive whole number, got ${JSON.stringify(raw)}; fix it in the application stack.`, { key, value: raw });
  }
  return value;
}

/**
 * Reads a required variable holding JSON and validates it with `schema`; the error names the key,
 * says whether it is not JSON or not the expected shape, and where it is set.
 */
export function requireJsonEnv<T>(environment: Environment, key: string, schema: z.ZodType<T>, setBy: string): T {
  const raw = requireEnv(environment, key, setBy);
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (error) {
    throw new ConfigurationError(`Environment variable ${key} is not JSON; it is set by ${setBy}.`, { key }, error);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new ConfigurationError(`Environment variable ${key} is invalid (${z.prettifyError(parsed.error)}); it is set by ${setBy}.`, { key });
  return parsed.data;
}
