import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { ConfigurationError } from '../../shared/errors.js';
import type { OptionValues } from '../command.js';

/** A report a build tool should have written: its text, or the fact that it is missing. */
export type ReportFile = { readonly kind: 'found'; readonly path: string; readonly text: string } | { readonly kind: 'missing'; readonly path: string; readonly problem: string };

/**
 * Reads a tool's report. A missing file is a normal outcome here (the tool crashed before writing
 * it) and the gate decides what that means; only a path that is not a file at all is reported.
 */
export async function readReport(path: string, cwd: string): Promise<ReportFile> {
  const absolute = isAbsolute(path) ? path : resolve(cwd, path);
  try {
    return { kind: 'found', path: absolute, text: await readFile(absolute, 'utf8') };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    const problem =
      code === 'ENOENT'
        ? `${path} does not exist: the tool probably failed before writing its report (see the log above)`
        : `${path} cannot be read (${code})`;
    return { kind: 'missing', path: absolute, problem };
  }
}

/** A string option's value, or undefined; throws a usage error when given without a value. */
export function stringFlag(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value.trim() === '') {
    throw new ConfigurationError(`--${name} needs a value, such as --${name} <path>.`, { option: name });
  }
  return value;
}

/** A required string option; the error names the flag and shows the usage line. */
export function requiredFlag(values: OptionValues, name: string, usage: string): string {
  const value = stringFlag(values, name);
  if (value === undefined) throw new ConfigurationError(`--${name} is required. Usage: ${usage}`, { option: name });
  return value;
}
