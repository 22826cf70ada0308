import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { createDetectChangesCommand, type DetectChangesDeps } from '../../../../src/cli/commands/detect-changes.js';
import { RecordingOutput } from '../../../../src/cli/output.js';
import { runCli } from '../../../../src/cli/run-cli.js';
import { CdkStackDiff } from '../../../../src/pipeline/adapters/cdk/cdk-stack-diff.js';
import { readAssemblyStacks } from '../../../../src/pipeline/adapters/cdk/cloud-assembly-stacks.js';
import { GitSourceDiff } from '../../../../src/pipeline/adapters/git/git-source-diff.js';
import type { StackDiffStatus } from '../../../../src/pipeline/domain/change-detection/decide-infrastructure-change.js';
import type { EnvironmentName, HistoryEvent } from '../../../../src/pipeline/domain/history-model.js';
import { InMemoryDeploymentHistory } from '../../../support/fakes/in-memory-deployment-history.js';

const DEPLOYED = 'a'.repeat(40);
const IN_FLIGHT = 'c'.repeat(40);
const TO = 'b'.repeat(40);

/** The events of one execution that deployed `commit` to `environment`; `succeeded` false leaves it running. */
function deployment(executionId: string, commit: string, environment: EnvironmentName, minute: number, succeeded: boolean): HistoryEvent[] {
  const at = (second: number) => new Date(Date.UTC(2026, 10, 20, 9, minute, second)).toISOString();
  const base = { pipelineName: 'kiro-codebuild-worker', executionId };
  const stage = `${environment.charAt(0).toUpperCase()}${environment.slice(1)}`;
  const events: HistoryEvent[] = [
    { ...base, kind: 'execution', eventId: `${executionId}-start`, at: at(0), state: 'STARTED', commit: { id: commit } },
    { ...base, kind: 'stage', eventId: `${executionId}-infra-start`, at: at(1), stage: `${stage}-Infrastructure`, environment, state: 'STARTED' },
  ];
  if (succeeded) {
    events.push(
      { ...base, kind: 'stage', eventId: `${executionId}-infra-ok`, at: at(2), stage: `${stage}-Infrastructure`, environment, state: 'SUCCEEDED' },
      { ...base, kind: 'stage', eventId: `${executionId}-app-start`, at: at(3), stage: `${stage}-Application`, environment, state: 'STARTED' },
      { ...base, kind: 'stage', eventId: `${executionId}-app-ok`, at: at(4), stage: `${stage}-Application`, environment, state: 'SUCCEEDED' },
      { ...base, kind: 'execution', eventId: `${executionId}-ok`, at: at(5), state: 'SUCCEEDED' },
    );
  }
  return events;
}

interface Fakes {
  readonly paths?: readonly string[];
  readonly gitFails?: boolean;
  readonly stacks?: Readonly<Record<string, StackDiffStatus>>;
  readonly history?: InMemoryDeploymentHistory;
}

function fakeDeps(fakes: Fakes, calls: { diffs: string[]; gitFrom: string[] }): DetectChangesDeps {
  const stacks = fakes.stacks ?? { 'Test/Core': 'unchanged' };
  return {
    config: () => loadDeploymentConfig(),
    openHistory: () => fakes.history ?? new InMemoryDeploymentHistory(),
    sourceDiff: () => ({
      changedPaths: (from) => {
        calls.gitFrom.push(from);
        return fakes.gitFails === true ? Promise.reject(new Error('fatal: bad object')) : Promise.resolve([...(fakes.paths ?? [])]);
      },
    }),
    stackDiff: () => ({
      diff: (stack) => {
        calls.diffs.push(stack);
        return Promise.resolve({ stack, status: stacks[stack] ?? 'error' });
      },
    }),
    readStacks: () =>
      Promise.resolve(
        Object.keys(stacks).map((selector) => ({ selector, stackName: `KiroWorker-Test-${selector.split('/')[1] ?? selector}`, tags: { 'kiro-cd:layer': 'infrastructure' } })),
      ),
  };
}

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'kiro-detect-'));
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

async function detect(args: string[], fakes: Fakes = {}) {
  const calls = { diffs: [] as string[], gitFrom: [] as string[] };
  const out = new RecordingOutput();
  const command = createDetectChangesCommand(fakeDeps(fakes, calls));
  const code = await runCli([command], ['detect-changes', ...args], { out, env: { PATH: process.env.PATH ?? '' }, cwd });
  return { code, out, calls, line: out.stdout.split('\n').at(-1) };
}

const history = () =>
  new InMemoryDeploymentHistory([...deployment('exec-1', DEPLOYED, 'test', 1, true), ...deployment('exec-2', IN_FLIGHT, 'test', 9, false)]);

describe('kiro-cd detect-changes', () => {
  it.each([
    { why: 'application-only change, cdk unchanged → skip', fakes: { paths: ['src/worker/poller.ts'], history: history() }, line: 'INFRA_TEST=skip' },
    { why: 'infrastructure change → deploy', fakes: { paths: ['infrastructure/lib/stacks/core.ts'], history: history() }, line: 'INFRA_TEST=deploy' },
    { why: 'cdk diff finds a difference → deploy', fakes: { paths: [], history: history(), stacks: { 'Test/Core': 'changed' } as const }, line: 'INFRA_TEST=deploy' },
    { why: 'empty history → first deployment → deploy', fakes: { paths: [], history: new InMemoryDeploymentHistory() }, line: 'INFRA_TEST=deploy' },
    { why: 'git cannot diff (old commit missing) → deploy', fakes: { gitFails: true, history: history() }, line: 'INFRA_TEST=deploy' },
  ])('$why', async ({ fakes, line }) => {
    const result = await detect(['--environment', 'test', '--to', TO, '--history-table', 'kiro-history', '--region', 'us-east-1'], fakes);
    expect(result.code).toBe(0);
    expect(result.line).toBe(line);
  });

  it('compares with the last successful deployment, not with this execution already recorded as in progress', async () => {
    const { calls } = await detect(['--environment', 'test', '--to', TO, '--history-table', 'kiro-history'], { history: history() });
    expect(calls.gitFrom).toEqual([DEPLOYED]);
  });

  it('uses --from over the history', async () => {
    const { calls } = await detect(['--environment', 'test', '--to', TO, '--from', 'd'.repeat(40), '--history-table', 'kiro-history'], { history: history() });
    expect(calls.gitFrom).toEqual(['d'.repeat(40)]);
  });

  it('treats a run without history table or --from as a first deployment, and says so', async () => {
    const { line, out, calls } = await detect(['--environment', 'test', '--to', TO]);
    expect(line).toBe('INFRA_TEST=deploy');
    expect(calls.gitFrom).toEqual([]);
    expect(out.stdout).toContain('no deployment history given (--history-table) and no --from: treated as a first deployment');
  });

  it('deploys, to be safe, when the history cannot be read', async () => {
    const broken = new InMemoryDeploymentHistory();
    broken.latest = () => Promise.reject(new Error('ResourceNotFoundException: table not found'));
    const { line, out } = await detect(['--environment', 'test', '--to', TO, '--history-table', 'kiro-history'], { history: broken });
    expect(line).toBe('INFRA_TEST=deploy');
    expect(out.stdout).toMatch(/deployment history could not be read: ResourceNotFoundException.*deploying to be safe/);
  });

  it('diffs every infrastructure stack of the assembly, or the stacks named with --stack', async () => {
    const stacks = { 'Test/Core': 'unchanged', 'Test/Data': 'unchanged' } as const;
    expect((await detect(['--environment', 'test', '--to', TO], { stacks })).calls.diffs).toEqual(['Test/Core', 'Test/Data']);
    expect((await detect(['--environment', 'test', '--to', TO, '--stack', 'Test/Data'], { stacks })).calls.diffs).toEqual(['Test/Data']);
  });

  it('logs what changed, per file and per stack, and why', async () => {
    const { out } = await detect(['--environment', 'test', '--to', TO, '--history-table', 'kiro-history'], {
      paths: ['src/worker/poller.ts', 'package-lock.json'],
      history: history(),
    });
    expect(out.stdout).toContain(`last successful deployment to test: ${DEPLOYED}`);
    expect(out.stdout).toContain('    * package-lock.json');
    expect(out.stdout).toContain('      src/worker/poller.ts');
    expect(out.stdout).toContain('  cdk diff Test/Core: unchanged');
    expect(out.stdout).toContain('infrastructure files changed since aaaaaaaaaaaa: package-lock.json');
  });

  it('writes the exported-variables file and prints JSON on request', async () => {
    const file = join(cwd, 'infra-test.env');
    const { out } = await detect(['--environment', 'test', '--to', TO, '--exported-variables-file', file, '--json']);
    expect(readFileSync(file, 'utf8')).toBe('INFRA_TEST=deploy\n');
    expect(out.stdout).toContain('"infrastructure": "deploy"');
  });

  it.each([
    { why: 'no environment', args: ['--to', TO] },
    { why: 'unknown environment', args: ['--environment', 'qa', '--to', TO] },
    { why: 'no --to', args: ['--environment', 'test'] },
    { why: '--to that is not a SHA', args: ['--environment', 'test', '--to', 'main; rm -rf /'] },
    { why: 'a stray argument', args: ['--environment', 'test', '--to', TO, 'extra'] },
  ])('is a usage error with $why', async ({ args }) => {
    expect((await detect(args)).code).toBe(2);
  });
});

const FAKE_CDK = fileURLToPath(new URL('../../../fixtures/build-tools/cdk/fake-cdk.sh', import.meta.url));

describe('detect-changes with real git, a real assembly manifest and a fake cdk on PATH', () => {
  let repo: string;
  let first: string;
  let appOnly: string;

  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, HOME: repo } }).trim();
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  };

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'kiro-detect-repo-'));
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'test@example.com');
    git('config', 'user.name', 'Test');
    write('infrastructure/lib/stacks/core.ts', 'export const core = 1;\n');
    write('src/worker/poller.ts', 'export const poll = 1;\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'initial');
    first = git('rev-parse', 'HEAD');
    write('src/worker/poller.ts', 'export const poll = 2;\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'application only');
    appOnly = git('rev-parse', 'HEAD');
    // A cloud assembly with one infrastructure and one application stack per environment; the fake
    // cdk answers "no differences" for every stack named *Unchanged.
    const artifacts: Record<string, unknown> = {};
    for (const [name, prefix] of [['Test', 'KiroWorker-Test'], ['Staging', 'KiroWorker-Staging'], ['Production', 'KiroWorker-Production']]) {
      artifacts[`${name}Unchanged`] = { type: 'aws:cloudformation:stack', properties: { stackName: `${prefix}-Core`, tags: { 'kiro-cd:layer': 'infrastructure' } } };
      artifacts[`${name}App`] = { type: 'aws:cloudformation:stack', properties: { stackName: `${prefix}-App`, tags: { 'kiro-cd:layer': 'application' } } };
    }
    write('cdk.out/manifest.json', JSON.stringify({ version: '48.0.0', artifacts }));
    mkdirSync(join(repo, 'node_modules', '.bin'), { recursive: true });
    copyFileSync(FAKE_CDK, join(repo, 'node_modules', '.bin', 'cdk'));
    chmodSync(join(repo, 'node_modules', '.bin', 'cdk'), 0o755);
  });

  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
  });

  it('skips the infrastructure of every environment for an application-only commit', async () => {
    const command = createDetectChangesCommand({
      config: () => loadDeploymentConfig(),
      openHistory: () => new InMemoryDeploymentHistory(),
      sourceDiff: (dir, env) => new GitSourceDiff({ cwd: dir, env }),
      stackDiff: (options) => new CdkStackDiff(options),
      readStacks: readAssemblyStacks,
    });
    for (const environment of ['test', 'staging', 'production'] as const) {
      const out = new RecordingOutput();
      const code = await runCli([command], ['detect-changes', '--environment', environment, '--from', first, '--to', appOnly], {
        out,
        env: { PATH: process.env.PATH ?? '', HOME: repo },
        cwd: repo,
      });
      expect(code).toBe(0);
      expect(out.stdout.split('\n').at(-1)).toBe(`INFRA_${environment.toUpperCase()}=skip`);
      expect(out.stdout).toContain(`cdk diff ${environment.charAt(0).toUpperCase()}${environment.slice(1)}Unchanged: unchanged`);
    }
  });
});
