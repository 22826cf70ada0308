import { build } from 'esbuild';
import { join } from 'node:path';
import type { InstalledPackage } from '../../domain/build-gates/licences.js';

/**
 * What a bundle contains: esbuild builds the entry point the way the CDK constructs do
 * (infrastructure/lib/constructs/lambda-bundling.ts, worker-project.ts) but writes nothing, and its
 * metafile lists every input file; each file under node_modules belongs to one installed package.
 */

/** One bundle: its name and entry point (relative to the repository root). */
export interface BundleEntry {
  readonly name: string;
  readonly entry: string;
  /**
   * Packages left out of the bundle. NodejsFunction leaves out `@aws-sdk/*` on Node 18+ runtimes
   * (the runtime provides the SDK); the worker's CodeBuild bundle contains it.
   */
  readonly external: readonly string[];
}

/** The package folder (`node_modules/.../name`) an input file belongs to, or undefined for the repository's own code. */
export function packageFolderOf(input: string): string | undefined {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return undefined;
  const rest = input.slice(at + 'node_modules/'.length).split('/');
  const name = rest[0]?.startsWith('@') === true ? rest.slice(0, 2).join('/') : rest[0];
  return name === undefined ? undefined : `${input.slice(0, at)}node_modules/${name}`;
}

/** The package folders a bundle contains, sorted; throws when esbuild cannot build the entry. */
export async function bundledPackageFolders(root: string, bundle: BundleEntry): Promise<readonly string[]> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, bundle.entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    external: [...bundle.external],
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const folders = new Set(Object.keys(result.metafile.inputs).flatMap((input) => packageFolderOf(input) ?? []));
  return [...folders].sort();
}

/** The installed packages for the folders; a folder the lock file does not list is reported as unknown (never silently dropped). */
export function packagesOfFolders(folders: readonly string[], installed: ReadonlyMap<string, InstalledPackage>): InstalledPackage[] {
  return folders.map((folder) => installed.get(folder) ?? { name: folder.slice(folder.lastIndexOf('node_modules/') + 13), version: 'unknown', licence: undefined, devOnly: false });
}
