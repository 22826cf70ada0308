import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createGateCommand } from '../../../src/cli/commands/gate.js';
import { RecordingOutput } from '../../../src/cli/output.js';
import { runCli } from '../../../src/cli/run-cli.js';
import type { Clock } from '../../../src/shared/clock.js';
import { runKiroCd } from './run-kiro-cd.js';

/**
 * `kiro-cd gate secrets` over real folders with the real secretlint: the gate runs the tool itself,
 * so these tests run it too. The planted key is assembled at run time so that this file holds no
 * key for the repository's own scan to find.
 */

const ROOT = new URL('../../..', import.meta.url).pathname;
const FAKE_ACCESS_KEY_ID = ['AKIA', 'T7WQ4NZ2', 'LPXR8KVD'].join('');

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function folderWith(files: Record<string, string>): string {
  const folder = mkdtempSync(join(tmpdir(), 'kiro-secrets-'));
  folders.push(folder);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(folder, name, '..'), { recursive: true });
    writeFileSync(join(folder, name), text);
  }
  return folder;
}

const clock: Clock = { now: () => new Date('2026-12-07T10:00:00Z'), sleep: () => Promise.resolve() };

async function gateInProcess(args: readonly string[], toolPaths = {}) {
  const out = new RecordingOutput();
  const code = await runCli([createGateCommand({ clock, toolPaths })], ['gate', 'secrets', ...args], { out, env: {}, cwd: ROOT });
  return { code, out };
}

describe('kiro-cd gate secrets (real secretlint)', () => {
  it('a fake AWS access key planted in a new file fails the gate (the CLI as a process)', async () => {
    const folder = folderWith({ 'src/config.ts': `export const key = '${FAKE_ACCESS_KEY_ID}';\n`, 'README.md': '# nothing secret\n' });
    const run = await runKiroCd(['gate', 'secrets', '--path', folder]);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('[secrets] BLOCKED: 1 secrets found in 2 files');
    expect(run.stderr).toContain('✗ blocks error @secretlint/secretlint-rule-aws/AWSAccessKeyID at src/config.ts:1:21');
    expect(run.stderr + run.stdout).not.toContain(FAKE_ACCESS_KEY_ID);
    // A kiro-cd process that loads secretlint: ~1.5 s alone, far more on a busy 2-core machine.
  }, 60_000);

  it('a folder without secrets passes, account ids included (they are not secrets)', async () => {
    // secretlint skips its own configuration file: the gate must not count that as a file left out.
    const folder = folderWith({ 'env.ts': "export const prod = { account: '123456789012', region: 'eu-west-1' };\n", '.secretlintrc.json': '{"rules": []}\n' });
    const { code, out } = await gateInProcess(['--path', folder]);
    expect(out.stdout).toContain('[secrets] passed: 0 secrets found in 1 files');
    expect(code).toBe(0);
  });

  it('blocks when secretlint is missing: a scan that did not run is never a pass', async () => {
    const folder = folderWith({ 'a.txt': 'hello\n' });
    const { code, out } = await gateInProcess(['--path', folder], { secretlint: join(folder, 'no-such-secretlint.js') });
    expect(code).toBe(1);
    expect(out.stderr).toContain(`BLOCKED: the secrets report could not be read: secretlint could not be loaded from ${join(folder, 'no-such-secretlint.js')}`);
  });

  it('blocks when secretlint stops on a rule it cannot load (its command line\'s exit 2): never a pass', async () => {
    const folder = folderWith({ 'a.txt': 'hello\n', 'rc.json': JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-no-such-rule' }] }) });
    const { code, out } = await gateInProcess(['--path', folder, '--config', join(folder, 'rc.json')]);
    expect(code).toBe(1);
    expect(out.stderr).toMatch(/BLOCKED: the secrets report could not be read: secretlint stopped: .*secretlint-rule-no-such-rule/);
    expect(out.stdout).not.toContain('passed');
  });

  it('accepts an allowlisted fixture and writes the decision for scan-report', async () => {
    const folder = folderWith({
      'fixtures/creds.ini': `aws_access_key_id = ${FAKE_ACCESS_KEY_ID}\n`,
      'allow.json': JSON.stringify({ entries: [{ path: 'fixtures/', reason: 'fake keys the tests plant on purpose', expires: '2026-12-31' }] }),
    });
    const { code, out } = await gateInProcess(['--path', folder, '--allowlist', join(folder, 'allow.json'), '--report-file', join(folder, 'out/secrets.json')]);
    expect(out.stdout).toContain('1 allowlisted');
    expect(code).toBe(0);
  });

  it.each([
    { why: 'an allowlist entry without a reason', allowlist: { entries: [{ path: 'fixtures/', expires: '2026-12-31' }] }, message: /reason/ },
    { why: 'an allowlist entry without an expiry', allowlist: { entries: [{ path: 'fixtures/', reason: 'fake keys the tests plant' }] }, message: /expires/ },
  ])('is a usage error (exit 2) with $why', async ({ allowlist, message }) => {
    const folder = folderWith({ 'a.txt': 'x\n', 'allow.json': JSON.stringify(allowlist) });
    const { code, out } = await gateInProcess(['--path', folder, '--allowlist', join(folder, 'allow.json')]);
    expect(code).toBe(2);
    expect(out.stderr).toMatch(message);
  });

  it('is a usage error when the secretlint configuration is missing', async () => {
    const folder = folderWith({ 'a.txt': 'x\n' });
    const { code, out } = await gateInProcess(['--path', folder, '--config', join(folder, 'none.json')]);
    expect(code).toBe(2);
    expect(out.stderr).toMatch(/secretlint's configuration/);
  });
});

/** A real git repository in a temporary folder, committed to with a fixed identity. */
function gitRepository(): { readonly dir: string; commit(message: string, files: Record<string, string | null>): string } {
  const dir = folderWith({});
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Test', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 'Test', GIT_COMMITTER_EMAIL: 't@example.com' } }).trim();
  git('init', '--quiet', '--initial-branch', 'main');
  return {
    dir,
    commit(message, files) {
      for (const [name, text] of Object.entries(files)) {
        if (text === null) git('rm', '--quiet', name);
        else {
          mkdirSync(join(dir, name, '..'), { recursive: true });
          writeFileSync(join(dir, name), text);
          git('add', name);
        }
      }
      git('commit', '--quiet', '-m', message);
      return git('rev-parse', 'HEAD');
    },
  };
}

describe('kiro-cd gate secrets --since (the commit range being built)', () => {
  const CONFIG = join(ROOT, '.secretlintrc.json');

  async function gateIn(dir: string, args: readonly string[]) {
    const out = new RecordingOutput();
    const code = await runCli([createGateCommand({ clock })], ['gate', 'secrets', '--config', CONFIG, ...args], { out, env: {}, cwd: dir });
    return { code, out };
  }

  function repositoryWithRemovedKey() {
    const repo = gitRepository();
    const deployed = repo.commit('first release', { 'README.md': '# service\n' });
    const planted = repo.commit('add the client configuration', { 'src/config.ts': `export const key = '${FAKE_ACCESS_KEY_ID}';\n` });
    repo.commit('remove the key again', { 'src/config.ts': null, 'src/other.ts': 'export const x = 1;\n' });
    return { repo, deployed, planted };
  }

  it('blocks on a key committed and removed again inside the range: it stays in the history', async () => {
    const { repo, deployed, planted } = repositoryWithRemovedKey();
    // The tree at HEAD holds no key: the tree scan alone passes, which is the gap the range scan closes.
    expect((await gateIn(repo.dir, [])).code).toBe(0);
    const { code, out } = await gateIn(repo.dir, ['--since', deployed]);
    expect(code).toBe(1);
    expect(out.stderr).toContain(`✗ blocks error @secretlint/secretlint-rule-aws/AWSAccessKeyID at src/config.ts:1:21 (commit ${planted.slice(0, 12)})`);
    expect(out.stderr + out.stdout).not.toContain(FAKE_ACCESS_KEY_ID);
  }, 60_000);

  it('passes when the key was committed before the last deployed commit (outside the range)', async () => {
    const { repo } = repositoryWithRemovedKey();
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: repo.dir, encoding: 'utf8' }).trim();
    repo.commit('docs', { 'docs/a.md': 'first draft\n' });
    repo.commit('docs again', { 'docs/a.md': 'second draft\n' });
    const { code, out } = await gateIn(repo.dir, ['--since', head]);
    // Only the first draft is history; the second is the tree at HEAD, which the tree scan covers.
    expect(out.stdout).toContain('passed: at HEAD 0 secrets found in 3 files; the commit range (1 file versions in 2 commits): 0 secrets found in 1 files');
    expect(code).toBe(0);
  }, 60_000);

  it('accepts a historic finding through the allowlist by its path', async () => {
    const { repo, deployed } = repositoryWithRemovedKey();
    writeFileSync(join(repo.dir, 'allow.json'), JSON.stringify({ entries: [{ path: 'src/config.ts', reason: 'rotated on 2026-12-06, see incident 42', expires: '2026-12-31' }] }));
    const { code, out } = await gateIn(repo.dir, ['--since', deployed, '--allowlist', join(repo.dir, 'allow.json')]);
    expect(out.stdout).toContain('allowlisted');
    expect(code).toBe(0);
  }, 60_000);

  it.each([
    { why: 'from the commit the history says production runs', deployedCommit: 'deployed' as const },
    { why: 'from the first commit when nothing was deployed yet', deployedCommit: undefined },
  ])('--since-deployed scans the range $why', async ({ deployedCommit }) => {
    const { repo, deployed } = repositoryWithRemovedKey();
    const asked: string[] = [];
    const out = new RecordingOutput();
    const command = createGateCommand({
      clock,
      lastDeployedCommit: (environment, table) => {
        asked.push(`${environment} ${table}`);
        return Promise.resolve(deployedCommit === undefined ? undefined : deployed);
      },
    });
    const code = await runCli([command], ['gate', 'secrets', '--config', CONFIG, '--since-deployed', 'production', '--history-table', 'kiro-history'], { out, env: {}, cwd: repo.dir });
    expect(asked).toEqual(['production kiro-history']);
    expect(out.stdout).toContain(deployedCommit === undefined ? 'nothing deployed to production yet' : `commit range: ${deployed}..HEAD`);
    expect(code).toBe(1);
  }, 60_000);

  it('is a usage error (exit 2) when --since names no commit of the repository', async () => {
    const { repo } = repositoryWithRemovedKey();
    const { code, out } = await gateIn(repo.dir, ['--since', 'f'.repeat(40)]);
    expect(code).toBe(2);
    expect(out.stderr).toMatch(/--since/);
  });

  it('is a usage error to combine --since with --path (a folder has no history)', async () => {
    const folder = folderWith({ 'a.txt': 'x\n' });
    const { code, out } = await gateIn(folder, ['--path', folder, '--since', 'HEAD~1']);
    expect(code).toBe(2);
    expect(out.stderr).toMatch(/--since/);
  });
});
