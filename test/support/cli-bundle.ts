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
 * - A source that imports a bundled package dynamically fails the build: esbuild would give it
 *   other exports than Node.js does ({@link DYNAMIC_PACKAGE_IMPORT}).
 * - The configuration data file (infrastructure/lib/config/environments.ts) is still imported at run
 *   time from the working tree, through tsx (src/shared/config/environments-file.ts): tsx stays
 *   outside the bundle, resolved from the repository's node_modules.
 *
 * The bundle is built on first use by whichever test worker asks first (a directory lock), into the
 * run's directory that the global set-up provides and removes; a targeted run of files that never
 * start `kiro-cd` never pays for it.
 */
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { inject } from 'vitest';
import { buildOncePerRun } from './once-per-run.js';

/** The bundle's entry file inside its directory. */
export const CLI_BUNDLE_ENTRY = 'kiro-cd.mjs';
const READY_FILE = 'ready';
const FAILED_FILE = 'failed';
/** ~3 s idle; far longer on a busy 2-core machine. */
const WAIT_LIMIT_MS = 180_000;

/** Packages the bundle leaves to Node.js (see {@link buildCliBundle}). */
const EXTERNAL = ['tsx', 'tsx/*'];

/**
 * `import('<package>')` of a package the bundle holds: with code splitting, esbuild gives such an
 * import of a CommonJS package (the AWS SDK clients) only its `default` export, where Node.js gives
 * the named exports too (seen: "CloudFormationClient is not a constructor" from the bundle only).
 * The project loads a package lazily through a module of its own instead (cloudformation-tables.ts).
 */
const DYNAMIC_PACKAGE_IMPORT = /\bimport\(\s*['"]([^'".][^'"]*)['"]\s*\)/g;

/**
 * Gives every project source file its own `import.meta.url` (a bundle would otherwise give them all
 * the bundle's), and refuses a source the bundle would run differently from Node.js
 * ({@link DYNAMIC_PACKAGE_IMPORT}).
 */
function sameAsNode(repositoryRoot: string): Plugin {
  return {
    name: 'kiro-cd-same-as-node',
    setup(pluginBuild) {
      pluginBuild.onLoad({ filter: /\.ts$/ }, async (args) => {
        if (relative(repositoryRoot, args.path).split(sep).includes('node_modules')) return undefined;
        const source = await readFile(args.path, 'utf8');
        const bundled = [...source.matchAll(DYNAMIC_PACKAGE_IMPORT)].map((match) => match[1] ?? '').filter((name) => !name.startsWith('node:') && !EXTERNAL.some((external) => external === name || (external.endsWith('/*') && name.startsWith(external.slice(0, -1)))));
        if (bundled.length > 0) {
          return { errors: [{ text: `${relative(repositoryRoot, args.path)} imports ${bundled.join(', ')} dynamically: bundled with code splitting, a CommonJS package gives only its default export there, unlike Node.js. Import it statically in a module of the project and import that module dynamically.` }] };
        }
        return { contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
      });
    },
  };
}

/**
 * Bundles src/cli/kiro-cd.ts (or another `entry`, relative to the repository) into `outdir` (entry
 * file {@link CLI_BUNDLE_ENTRY}, chunks beside it) and returns the entry file's path. `outdir` must lie inside the repository (under node_modules/.cache), so
 * that what stays outside the bundle (tsx) resolves from the repository's node_modules.
 */
export async function buildCliBundle(repositoryRoot: string, outdir: string, entry = 'src/cli/kiro-cd.ts'): Promise<string> {
  await build({
    absWorkingDir: repositoryRoot,
    entryPoints: { 'kiro-cd': join(repositoryRoot, entry) },
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    // The Node.js of the machine running the tests (20 here, 22 in CodeBuild).
    target: `node${process.versions.node}`,
    // tsx loads the TypeScript configuration file at run time and registers its hooks by its own file's URL.
    external: EXTERNAL,
    // Some AWS SDK dependencies still call `require`, as in the Lambda bundles (LAMBDA_BUNDLING).
    banner: { js: "import { createRequire as kiroCreateRequire } from 'node:module'; const require = kiroCreateRequire(import.meta.url);" },
    plugins: [sameAsNode(repositoryRoot)],
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
  await buildOncePerRun({ what: 'kiro-cd bundle', directory, doneFile: READY_FILE, failedFile: FAILED_FILE, waitLimitMs: WAIT_LIMIT_MS }, async () => {
    await buildCliBundle(repositoryRoot, directory);
  });
  return join(directory, CLI_BUNDLE_ENTRY);
}

declare module 'vitest' {
  export interface ProvidedContext {
    cliBundleDirectory: string;
  }
}
