import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { buildCliBundle } from '../../support/cli-bundle.js';
import { runKiroCd, type CliRun } from './run-kiro-cd.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/**
 * The other CLI tests start `kiro-cd` from the run's bundle of src/cli/kiro-cd.ts
 * (test/support/cli-bundle.ts); users start bin/kiro-cd.js, through tsx. Both must be the same
 * program: here each command runs both ways and must print the same and exit the same. The commands
 * touch what a bundle could change: the command list and the lazily loaded commands, the
 * configuration data file imported at run time (a TypeScript file), a tool found relative to the
 * source module (secretlint), and a misspelt command.
 */
const scratch = mkdtempSync(join(tmpdir(), 'kiro-cli-bundle-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function write(path: string, text: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
}

/** A git repository with one application-only commit after its first. */
function repository(): { readonly dir: string; readonly base: string; readonly head: string } {
  const dir = join(scratch, 'repo');
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_GLOBAL: '/dev/null' } }).trim();
  mkdirSync(dir, { recursive: true });
  git('init', '--quiet');
  write(join(dir, 'src/worker/poller.ts'), 'export const a = 1;\n');
  git('add', '--all');
  git('commit', '--quiet', '--no-gpg-sign', '-m', 'base');
  const base = git('rev-parse', 'HEAD');
  write(join(dir, 'src/worker/poller.ts'), 'export const a = 2;\n');
  git('add', '--all');
  git('commit', '--quiet', '--no-gpg-sign', '-m', 'application only');
  return { dir, base, head: git('rev-parse', 'HEAD') };
}

/** Runs the command through the bundle and through bin/kiro-cd.js; both runs are returned. */
async function bothWays(args: readonly string[]): Promise<{ readonly bundle: CliRun; readonly bin: CliRun }> {
  const [bundle, bin] = await Promise.all([runKiroCd(args, {}, 'bundle'), runKiroCd(args, {}, 'bin')]);
  return { bundle, bin };
}

describe('the bundled kiro-cd the CLI tests start is the program bin/kiro-cd.js runs', () => {
  it('the command list, and a misspelt command\'s suggestion', async () => {
    const help = await bothWays(['--help']);
    expect(help.bundle.code).toBe(0);
    expect(help.bundle.stdout).toMatch(/^ {2}rollback +\S/m);
    expect(help.bundle).toEqual(help.bin);
    const misspelt = await bothWays(['rollbak', 'staging']);
    expect(misspelt.bundle.code).toBe(2);
    expect(misspelt.bundle.stderr).toContain('did you mean "rollback"?');
    expect(misspelt.bundle).toEqual(misspelt.bin);
  }, 120_000);

  it('plan, which imports the configuration data file (TypeScript) at run time', async () => {
    const repo = repository();
    const plan = await bothWays(['plan', repo.base, repo.head, '--repository', repo.dir, '--output', 'json']);
    expect(plan.bundle.code, plan.bundle.stderr).toBe(0);
    const plans = JSON.parse(plan.bundle.stdout) as { environment: string }[];
    expect(plans.map((entry) => entry.environment)).toEqual(['test', 'staging', 'production']);
    expect(plan.bundle).toEqual(plan.bin);
  }, 120_000);

  it('gate secrets, which finds secretlint from its own module\'s place', async () => {
    const folder = join(scratch, 'secrets');
    write(join(folder, 'src/config.ts'), `export const key = '${['AKIA', 'T7WQ4NZ2', 'LPXR8KVD'].join('')}';\n`);
    const gate = await bothWays(['gate', 'secrets', '--path', folder]);
    expect(gate.bundle.code).toBe(1);
    expect(gate.bundle.stderr).toContain('AWSAccessKeyID at src/config.ts:1:21');
    expect(gate.bundle).toEqual(gate.bin);
  }, 120_000);
});

describe('the kiro-cd bundle build', () => {
  const out = (name: string): string => join(ROOT, 'node_modules', '.cache', 'kiro-cd', `${name}-${String(process.pid)}`);
  afterAll(() => {
    for (const name of ['own-url', 'dynamic']) rmSync(out(name), { recursive: true, force: true });
  });

  it('gives each source file its own import.meta.url, not the bundle\'s', async () => {
    const entry = await buildCliBundle(ROOT, out('own-url'), 'test/fixtures/cli-bundle/own-url.ts');
    expect(execFileSync(process.execPath, [entry], { encoding: 'utf8' })).toBe(pathToFileURL(join(ROOT, 'test/fixtures/cli-bundle/own-url.ts')).href);
  }, 60_000);

  it('refuses a source that imports a bundled package dynamically (esbuild would give it only the default export)', async () => {
    await expect(buildCliBundle(ROOT, out('dynamic'), 'test/fixtures/cli-bundle/dynamic-package-import.ts')).rejects.toThrow(/imports @aws-sdk\/client-cloudformation dynamically/);
  }, 60_000);
});
