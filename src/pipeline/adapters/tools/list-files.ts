import { readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runProcess } from './run-process.js';

/** Folders never scanned when a folder is walked: installed packages and git's own store. */
const SKIPPED_FOLDERS = new Set(['.git', 'node_modules']);

/**
 * The files a repository tracks (`git ls-files`), relative to `root`, sorted. Only tracked files:
 * ignored ones (node_modules, cdk.out, reports) never reach `main`, so they cannot leak through it.
 * Returns undefined when `root` is not inside a git work tree.
 */
export async function trackedFiles(root: string): Promise<readonly string[] | undefined> {
  const result = await runProcess('git', ['ls-files', '-z', '--cached', '--', '.'], { cwd: root, installHint: 'Install git.' });
  if (result.exitCode !== 0) return undefined;
  return result.stdout.split('\0').filter((file) => file !== '').sort();
}

/** Every regular file under `root` (relative, sorted), skipping `.git` and `node_modules`. */
export async function filesUnder(root: string): Promise<readonly string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((file) => !file.split('/').some((part) => SKIPPED_FOLDERS.has(part)))
    .sort();
}
