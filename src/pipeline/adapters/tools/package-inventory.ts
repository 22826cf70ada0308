import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { InstalledPackage } from '../../domain/build-gates/licences.js';

/**
 * The installed packages, read from package-lock.json (npm 7+ `packages`: one entry per installed
 * folder, `dev: true` on dev-only ones, `license` copied from each package.json). No network and no
 * extra tool: the lock file is what `npm ci` installs, and the same file pins what esbuild bundles.
 */

interface LockEntry {
  readonly version?: string;
  readonly license?: unknown;
  readonly dev?: boolean;
  readonly devOptional?: boolean;
  readonly link?: boolean;
}

/** `node_modules/a/node_modules/@s/b` → `@s/b`. */
export function packageNameOfPath(path: string): string {
  return path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

function licenceOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  // The long-deprecated `{ type: 'MIT' }` form.
  if (typeof value === 'object' && value !== null && typeof (value as { type?: unknown }).type === 'string') return (value as { type: string }).type;
  return undefined;
}

/** Every installed package by its folder (`node_modules/...`); a string says why the lock file cannot be read. */
export async function readInstalledPackages(root: string): Promise<ReadonlyMap<string, InstalledPackage> | string> {
  let lock: unknown;
  try {
    lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as unknown;
  } catch (error) {
    return `package-lock.json cannot be read (${error instanceof Error ? error.message : String(error)})`;
  }
  const packages = (lock as { packages?: Record<string, LockEntry> }).packages;
  if (typeof packages !== 'object') return 'package-lock.json has no "packages" (lockfileVersion 2 or 3 is needed: npm 7 or later)';
  const installed = new Map<string, InstalledPackage>();
  for (const [path, entry] of Object.entries(packages)) {
    if (!path.startsWith('node_modules/') || entry.link === true) continue;
    installed.set(path, {
      name: packageNameOfPath(path),
      version: entry.version ?? '0.0.0',
      licence: licenceOf(entry.license),
      // devOptional: needed only by a dev dependency's optional part; never shipped either.
      devOnly: entry.dev === true || entry.devOptional === true,
    });
  }
  return installed;
}
