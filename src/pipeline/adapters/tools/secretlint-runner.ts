import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { runProcess } from './run-process.js';

/**
 * Runs secretlint (a devDependency) as a process over an explicit list of files and returns what it
 * printed. One runner per tool: the decision (`decideSecrets`) only ever sees the text.
 */

/** Where secretlint's command-line script is, from this package's node_modules; undefined when it is not installed. */
export function installedSecretlint(): string | undefined {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('secretlint/package.json')), 'bin', 'secretlint.js');
  } catch {
    return undefined;
  }
}

/** What one secretlint run produced: its JSON output, or why there is none. */
export type SecretlintRun = { readonly kind: 'output'; readonly text: string } | { readonly kind: 'failed'; readonly problem: string };

/** How to run secretlint. */
export interface SecretlintRunOptions {
  /** The folder scanned; the files are relative to it. */
  readonly root: string;
  readonly files: readonly string[];
  /** The `.secretlintrc.json` to use (absolute). */
  readonly config: string;
  /**
   * secretlint's `bin/secretlint.js`.
   * @default the installed one ({@link installedSecretlint})
   */
  readonly toolPath?: string;
}

/**
 * Runs `secretlint --format json --no-glob --output <temporary file>` over the files and returns the
 * file's text. Not stdout: secretlint exits (process.exit) before a pipe has taken all its output,
 * and a pipe then holds the first 128 KiB only (seen on this repository: 2 MB of JSON cut at
 * 131,072 bytes). With `--output` secretlint exits 0 whether or not it found anything, and 2 on a
 * fatal error. The report holds every file's full text, secrets unmasked in `sourceContent`, so it
 * is written to a private temporary folder and removed as soon as it is read. Secrets in messages
 * stay masked (secretlint's default; `--no-maskSecrets` is never passed).
 */
export async function runSecretlint(options: SecretlintRunOptions): Promise<SecretlintRun> {
  const tool = options.toolPath ?? installedSecretlint();
  if (tool === undefined) return { kind: 'failed', problem: 'secretlint is not installed: run npm ci (it is a devDependency)' };
  // mkdtemp creates the folder with mode 0700: only this user can read the report while it exists.
  const folder = await mkdtemp(join(tmpdir(), 'kiro-secretlint-'));
  const output = join(folder, 'secretlint.json');
  try {
    // The file list is passed on the command line (Linux allows ~2 MB of arguments: tens of thousands of paths).
    const args = [tool, '--format', 'json', '--no-glob', '--no-color', '--secretlintrc', options.config, '--output', output, '--', ...options.files];
    const result = await runProcess(process.execPath, args, { cwd: options.root, installHint: 'Node.js must be on the PATH.' });
    if (result.exitCode !== 0) {
      const detail = result.stderr.trim().split('\n').slice(0, 3).join(' ');
      return { kind: 'failed', problem: `secretlint stopped with exit ${String(result.exitCode)}${detail === '' ? '' : `: ${detail}`}` };
    }
    const text = await readFile(output, 'utf8').catch(() => undefined);
    return text === undefined ? { kind: 'failed', problem: 'secretlint exited 0 but wrote no report' } : { kind: 'output', text };
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
