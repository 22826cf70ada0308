import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { KiroCdError } from '../../shared/errors.js';

/**
 * Writing the reports kiro-cd produces for CodeBuild and for later commands. A path that cannot be
 * written (a directory, no permission) is the caller's to fix, so it is a user error naming the flag.
 */

function writeError(flag: string, path: string, cause: unknown): KiroCdError {
  const code = (cause as NodeJS.ErrnoException).code ?? 'unknown';
  return new KiroCdError(`--${flag} ${path}: cannot write it (${code}); pass a path in a writable directory.`, {
    code: 'REPORT_WRITE_FAILED',
    fault: 'user',
    cause,
    context: { option: flag, path },
  });
}

/** Writes `text` to the absolute `path`, creating its parent directories. */
export async function writeReportFile(flag: string, path: string, text: string): Promise<void> {
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, text, 'utf8');
  } catch (error) {
    throw writeError(flag, path, error);
  }
}

/** Removes a report a previous run left at the absolute `path`, if any, so a run that crashes leaves none behind. */
export async function removeReportFile(flag: string, path: string): Promise<void> {
  try {
    await rm(path, { force: true });
  } catch (error) {
    throw writeError(flag, path, error);
  }
}
