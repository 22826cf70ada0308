/**
 * Which dependencies may run install scripts (package.json `allowScripts`, read by npm 11's install
 * commands; `npm install-scripts approve|deny` writes it). Every locked package that has an install
 * script carries a reviewed decision, so a new one is a visible choice in review, not a script that
 * runs unseen in CI and in the Build.
 *
 * - esbuild: its postinstall checks that the platform binary was installed; the Lambda bundling and
 *   tsx use that binary.
 * - libxmljs2 (through @cyclonedx/cyclonedx-npm): denied. Its install downloads a prebuilt binary or,
 *   without network (this machine), compiles libxml2 with node-gyp: 36 of `npm ci`'s 53 s here. The
 *   library loads it only to validate XML SBOMs; the SBOM gate writes JSON
 *   (src/pipeline/adapters/tools/cyclonedx-runner.ts), which cyclonedx-npm validates without it.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { NPM_INSTALL_COMMANDS } from '../../../src/pipeline/domain/plan/codebuild-actions.js';

const root = new URL('../../../', import.meta.url);

interface PackageJson {
  readonly allowScripts?: Readonly<Record<string, boolean>>;
}

interface PackageLock {
  readonly packages: Readonly<Record<string, { readonly hasInstallScript?: boolean }>>;
}

const manifest = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as PackageJson;
const lock = JSON.parse(readFileSync(new URL('package-lock.json', root), 'utf8')) as PackageLock;

/** The package name of a lockfile key (`node_modules/a/node_modules/@s/b` → `@s/b`). */
function packageName(lockKey: string): string {
  return lockKey.slice(lockKey.lastIndexOf('node_modules/') + 'node_modules/'.length);
}

describe('install scripts of dependencies', () => {
  const withScripts = Object.entries(lock.packages)
    .filter(([key, entry]) => key !== '' && entry.hasInstallScript === true)
    .map(([key]) => packageName(key));

  it('finds the packages with install scripts in the lockfile', () => {
    expect(withScripts).toContain('esbuild');
  });

  it('has a reviewed decision for every package with an install script', () => {
    const undecided = withScripts.filter((name) => manifest.allowScripts?.[name] === undefined);
    expect(undecided, 'add an allowScripts entry: npm install-scripts approve|deny <package>').toEqual([]);
  });

  it('lets esbuild check its binary and keeps libxmljs2 from compiling a native module the JSON SBOM never loads', () => {
    expect(manifest.allowScripts).toMatchObject({ esbuild: true, libxmljs2: false });
  });

  it('holds no decision for a package that is no longer installed (npm install-scripts prune)', () => {
    const stale = Object.keys(manifest.allowScripts ?? {}).filter((name) => !withScripts.includes(name.replace(/@[^@/]+$/, '')));
    expect(stale).toEqual([]);
  });
});

describe('install scripts in the Build', () => {
  it('installs without scripts, then runs the scripts of exactly the approved packages, whatever npm the image has', () => {
    const approved = Object.entries(manifest.allowScripts ?? {}).filter(([, allowed]) => allowed).map(([name]) => name);
    expect(NPM_INSTALL_COMMANDS).toEqual(['npm ci --ignore-scripts', `npm rebuild ${approved.join(' ')}`]);
  });
});
