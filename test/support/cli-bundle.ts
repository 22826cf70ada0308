/**
 * One esbuild bundle of the `kiro-cd` CLI (src/cli/kiro-cd.ts, the module bin/kiro-cd.js runs) per
 * test run, for the tests that start `kiro-cd` as a process (test/integration/cli/run-kiro-cd.ts).
 * Each `node bin/kiro-cd.js` process starts tsx, whose module hooks then resolve and load every one
 * of the ~800 modules a command imports (the project's TypeScript and the AWS SDK's many small
 * files) on a separate thread: ~2 s of a `rollback --help` of ~3 s. The bundle holds the same
 * sources, transformed by the same esbuild that tsx uses, in a few files that Node.js loads itself
 * (docs/fast-feedback.md, "The spawned CLI runs from one bundle").
 *
 * What keeps it the same program:
 * - The entry is src/cli/kiro-cd.ts itself; command modules stay separate chunks (`splitting`), so a
 *   process still loads only the command it runs (command-loading.test.ts checks that through the
 *   real launcher, which test/integration/cli/cli-bundle.test.ts compares with the bundle).
 * - `import.meta.url` is each source file's own URL, not the bundle's: the modules that find files
 *   relative to themselves (the configuration file, secretlint, cfn-guard) find the same files.
 * - The configuration data file (infrastructure/lib/config/environments.ts) is still imported at run
 *   time from the working tree, through tsx (src/shared/config/environments-file.ts): tsx stays
 *   outside the bundle, resolved from the repository's node_modules.
 *
 * The bundle is built on first use by whichever test worker asks first (a directory lock), into the
 * run's directory that the global set-up provides and removes; a targeted run of files that never
 * start `kiro-cd` never pays for it.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { inject } from 'vitest';

/** The bundle's entry file inside its directory. */
export const CLI_BUNDLE_ENTRY = 'kiro-cd.mjs';
const READY_FILE = 'ready';
const FAILED_FILE = 'failed';
const LOCK_DIRECTORY = 'building';
/** ~3 s idle; far longer on a busy 2-core machine. */
const WAIT_LIMIT_MS = 180_000;
const POLL_MS = 100;

/** Gives every project source file its own `import.meta.url` (a bundle would otherwise give them all the bundle's). */
function ownImportMetaUrl(repositoryRoot: string): Plugin {
  return {
    name: 'own-import-meta-url',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (relative(repositoryRoot, args.path).split(sep).includes('node_modules')) return undefined;
        const source = await readFile(args.path, 'utf8');
        return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
      });
    },
  };
}

/**
 * Bundles src/cli/kiro-cd.ts into `outdir` (entry {@link CLI_BUNDLE_ENTRY}, chunks beside it) and
 * returns the entry's path. `outdir` must lie inside the repository (under node_modules/.cache), so
 * that what stays outside the bundle (tsx) resolves from the repository's node_modules.
 */
export async function buildCliBundle(repositoryRoot: string, outdir: string): Promise<string> {
  await build({
    absWorkingDir: repositoryRoot,
    entryPoints: { 'kiro-cd': join(repositoryRoot, 'src/cli/kiro-cd.ts') },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    // The Node.js of the machine running the tests (20 here, 22 in CodeBuild).
    target: `node${process.versions.node}`,
    // tsx loads the TypeScript configuration file at run time and registers its hooks by its own file's URL.
    external: ['tsx', 'tsx/*'],
    // Some AWS SDK dependencies still call `require`, as in the Lambda bundles (LAMBDA_BUNDLING).
    banner: { js: "import { createRequire as kiroCreateRequire } from 'node:module'; const require = kiroCreateRequire(import.meta.url);" },
    plugins: [ownImportMetaUrl(repositoryRoot)],
    logLevel: 'error',
  });
  return join(outdir, CLI_BUNDLE_ENTRY);
}

/** The run's bundle directory the global set-up made (global set-up side): inside the repository, see {@link buildCliBundle}. */
export function cliBundleDirectory(repositoryRoot: string, runId: string): string {
  return join(repositoryRoot, 'node_modules', '.cache', 'kiro-cd', `cli-bundle-${runId}`);
}

/**
 * The bundle's entry file, built once per test run (test side). The first worker to take the lock
 * builds; the others wait for its result. Throws with the build's error when it failed.
 */
export async function kiroCdBundle(repositoryRoot: string): Promise<string> {
  const directory = inject('cliBundleDirectory');
  const entry = join(directory, CLI_BUNDLE_ENTRY);
  if (existsSync(join(directory, READY_FILE))) return entry;
  let builder = false;
  try {
    mkdirSync(join(directory, LOCK_DIRECTORY), { recursive: false });
    builder = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  if (builder) {
    try {
      await buildCliBundle(repositoryRoot, directory);
      writeFileSync(join(directory, READY_FILE), '');
      return entry;
    } catch (error) {
      writeFileSync(join(directory, FAILED_FILE), error instanceof Error ? (error.stack ?? error.message) : String(error));
      throw error;
    }
  }
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (Date.now() < deadline) {
    if (existsSync(join(directory, READY_FILE))) return entry;
    if (existsSync(join(directory, FAILED_FILE))) throw new Error(`The kiro-cd bundle could not be built: ${readFileSync(join(directory, FAILED_FILE), 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`The kiro-cd bundle was not built within ${WAIT_LIMIT_MS / 1000} s (${directory}).`);
}

declare module 'vitest' {
  export interface ProvidedContext {
    cliBundleDirectory: string;
  }
}
