import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitDiffError, GitSourceDiff } from '../../../../src/pipeline/adapters/git/git-source-diff.js';

/** A real repository with three commits, built once for the file. */
let repo: string;
const commits: string[] = [];

function git(...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', HOME: repo } }).trim();
}

function write(path: string, content: string): void {
  mkdirSync(dirname(join(repo, path)), { recursive: true });
  writeFileSync(join(repo, path), content);
}

function commit(message: string): string {
  git('add', '-A');
  git('commit', '-q', '-m', message);
  const sha = git('rev-parse', 'HEAD');
  commits.push(sha);
  return sha;
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'kiro-git-diff-'));
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'test@example.com');
  git('config', 'user.name', 'Test');
  write('infrastructure/lib/stacks/core.ts', 'export const core = 1;\n');
  write('src/worker/poller.ts', 'export const poll = 1;\n');
  write('infrastructure/lib/legacy.ts', 'export const legacy = 1;\n');
  commit('initial');
  write('src/worker/poller.ts', 'export const poll = 2;\n');
  write('docs/notes with spaces é.md', '# notes\n');
  commit('application only');
  renameSync(join(repo, 'infrastructure/lib/legacy.ts'), join(repo, 'src/worker/legacy.ts'));
  write('package-lock.json', '{}\n');
  commit('move a file out of infrastructure and touch the lockfile');
});

afterAll(() => {
  rmSync(repo, { recursive: true, force: true });
});

describe('GitSourceDiff against a real repository', () => {
  it('lists the files changed between two commits, unusual names unquoted', async () => {
    const diff = new GitSourceDiff({ cwd: repo });
    expect((await diff.changedPaths(commits[0]!, commits[1]!)).sort()).toEqual(['docs/notes with spaces é.md', 'src/worker/poller.ts']);
  });

  it('lists both sides of a move, so leaving infrastructure/ still counts', async () => {
    const diff = new GitSourceDiff({ cwd: repo });
    expect((await diff.changedPaths(commits[1]!, commits[2]!)).sort()).toEqual(['infrastructure/lib/legacy.ts', 'package-lock.json', 'src/worker/legacy.ts']);
  });

  it('lists nothing between a commit and itself', async () => {
    expect(await new GitSourceDiff({ cwd: repo }).changedPaths(commits[2]!, commits[2]!)).toEqual([]);
  });

  it('runs one git process when both commits are in the clone, and asks which one is missing only when the diff fails', async () => {
    // A git that logs each of its runs, then runs the real one.
    const log = join(repo, '..', `git-runs-${String(process.pid)}.log`);
    const counting = join(repo, '..', `counting-git-${String(process.pid)}.sh`);
    writeFileSync(counting, `#!/bin/sh\necho "$1" >> '${log}'\nexec git "$@"\n`, { mode: 0o755 });
    const runs = (): string[] => readFileSync(log, 'utf8').trim().split('\n');
    try {
      const diff = new GitSourceDiff({ cwd: repo, git: counting });
      expect((await diff.changedPaths(commits[0]!, commits[1]!)).sort()).toEqual(['docs/notes with spaces é.md', 'src/worker/poller.ts']);
      expect(runs()).toEqual(['diff']);
      await expect(diff.changedPaths(commits[0]!, 'deadbeef'.repeat(5))).rejects.toThrow(/commit deadbeef.* is not in this clone/);
      expect(runs()).toEqual(['diff', 'diff', 'cat-file', 'cat-file']);
    } finally {
      rmSync(log, { force: true });
      rmSync(counting, { force: true });
    }
  });

  it('refuses a tree where a commit is expected, as not a commit of this clone', async () => {
    const tree = git('rev-parse', `${commits[1]!}^{tree}`);
    await expect(new GitSourceDiff({ cwd: repo }).changedPaths(commits[0]!, tree)).rejects.toThrow(new RegExp(`commit ${tree} is not in this clone`));
  });

  it('says a full clone is needed when the old commit is not in the clone', async () => {
    const missing = 'deadbeef'.repeat(5);
    const attempt = new GitSourceDiff({ cwd: repo }).changedPaths(missing, commits[2]!);
    await expect(attempt).rejects.toBeInstanceOf(GitDiffError);
    await expect(attempt).rejects.toThrow(/not in this clone.*full clone/);
  });

  it('refuses a revision that would be read as an option', async () => {
    await expect(new GitSourceDiff({ cwd: repo }).changedPaths('--output=/tmp/x', commits[2]!)).rejects.toThrow(/not a commit id/);
  });

  it('reports a directory that is not a repository', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'kiro-no-git-'));
    try {
      await expect(new GitSourceDiff({ cwd: empty, env: { ...process.env, GIT_CEILING_DIRECTORIES: dirname(empty) } }).changedPaths(commits[0]!, commits[1]!)).rejects.toBeInstanceOf(GitDiffError);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
