import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { runKiroCd } from './run-kiro-cd.js';

/** A real git repository with an application-only commit and an infrastructure commit. */
function repository(): { dir: string; base: string; appOnly: string; infra: string } {
  const dir = mkdtempSync(join(tmpdir(), 'kiro-plan-repo-'));
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.com', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.com', GIT_CONFIG_GLOBAL: '/dev/null' } }).trim();
  const write = (path: string, text: string): void => {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  };
  const commit = (message: string): string => {
    git('add', '--all');
    git('commit', '--quiet', '--no-gpg-sign', '-m', message);
    return git('rev-parse', 'HEAD');
  };
  git('init', '--quiet');
  write('src/worker/poller.ts', 'export const a = 1;\n');
  write('infrastructure/lib/stacks/core.ts', 'export const b = 1;\n');
  const base = commit('base');
  write('src/worker/poller.ts', 'export const a = 2;\n');
  const appOnly = commit('application only');
  write('infrastructure/lib/stacks/core.ts', 'export const b = 2;\n');
  const infra = commit('infrastructure');
  return { dir, base, appOnly, infra };
}

describe('kiro-cd plan, as a process on a real git repository', () => {
  let repo: ReturnType<typeof repository>;
  beforeAll(() => {
    repo = repository();
  });

  it('skips every infrastructure stage for an application-only range and deploys it for an infrastructure change', async () => {
    const [appOnly, infra] = await Promise.all([
      runKiroCd(['plan', repo.base, repo.appOnly, '--repository', repo.dir, '--output', 'json']),
      runKiroCd(['plan', repo.appOnly, repo.infra, '--repository', repo.dir]),
    ]);
    expect(appOnly.code).toBe(0);
    const plans = JSON.parse(appOnly.stdout) as { environment: string; decision: { infrastructure: string }; stages: { stage: string; outcome: string }[] }[];
    expect(plans.map((plan) => [plan.environment, plan.decision.infrastructure])).toEqual([
      ['test', 'skip'],
      ['staging', 'skip'],
      ['production', 'skip'],
    ]);
    expect(plans[0]?.stages).toEqual([
      { stage: 'Test-Infrastructure', outcome: 'skipped' },
      { stage: 'Test-Application', outcome: 'run' },
    ]);
    expect(infra.code).toBe(0);
    expect(infra.stdout).toMatch(/production\s+deploy\s+Production-Infrastructure run/);
    expect(infra.stdout).toContain('infrastructure/lib/stacks/core.ts');
    // A plan runs no cdk diff, so it must not report one.
    expect(infra.stdout).toContain('(compared by source; cdk diff not run)');
    expect(infra.stdout).not.toContain('cdk diff: ');
  });

  it('exits 2 with a clear message for a missing argument and for a commit git does not know', async () => {
    const [missing, unknown] = await Promise.all([
      runKiroCd(['plan', repo.base, '--repository', repo.dir]),
      runKiroCd(['plan', repo.base, 'no-such-branch', '--repository', repo.dir]),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('plan takes exactly two commits');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no-such-branch');
  });
});
