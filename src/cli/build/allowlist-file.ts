import { tryParseJson } from '../../pipeline/domain/build-gates/gate-result.js';
import { ConfigurationError } from '../../shared/errors.js';
import { readReport } from './report-files.js';

/**
 * Reads a gate's allowlist file. The default file may be absent (no exceptions); a file named with
 * `--allowlist` must exist, and any file present must be valid, or the gate stops with exit 2
 * (`parse` throws a ConfigurationError naming the entry and key).
 */
export async function readAllowlistFile<T>(
  path: string | undefined,
  defaultPath: string,
  cwd: string,
  parse: (value: unknown, source: string) => readonly T[],
): Promise<readonly T[]> {
  const file = await readReport(path ?? defaultPath, cwd);
  if (file.kind === 'missing') {
    if (path === undefined) return [];
    throw new ConfigurationError(`--allowlist ${path}: ${file.problem.replace(/: the tool.*$/, '')}.`, { option: 'allowlist' });
  }
  const value = tryParseJson(file.text);
  if (value === undefined) throw new ConfigurationError(`${file.path} is not valid JSON; fix the syntax of the allowlist.`, { file: file.path });
  return parse(value, file.path);
}
