import { describe, expect, it } from 'vitest';
import { createHistoryCommand } from '../../../../src/cli/commands/history.js';
import { createStatusCommand } from '../../../../src/cli/commands/status.js';
import { createDoraCommand, formatDoraMeasures } from '../../../../src/cli/commands/dora.js';
import { RecordingOutput } from '../../../../src/cli/output.js';
import { runCli } from '../../../../src/cli/run-cli.js';
import type { HistoryEvent } from '../../../../src/pipeline/domain/history-model.js';
import type { PipelineControl } from '../../../../src/pipeline/ports/pipeline-control.js';
import { InMemoryDeploymentHistory } from '../../../support/fakes/in-memory-deployment-history.js';

const PIPELINE = 'kiro-codebuild-worker';
const A = 'a'.repeat(40);
const B = 'b'.repeat(40);

function deployment(executionId: string, commit: string, environment: 'test' | 'production', at: string, state: 'SUCCEEDED' | 'FAILED', triggerType = 'Webhook'): HistoryEvent[] {
  const base = { pipelineName: PIPELINE, executionId };
  const stage = environment === 'test' ? 'Test-Application' : 'Production-Application';
  return [
    { ...base, kind: 'execution', eventId: `${executionId}-x`, at, state: 'STARTED', commit: { id: commit }, triggerType },
    { ...base, kind: 'stage', eventId: `${executionId}-s1`, at, stage, environment, state: 'STARTED' },
    { ...base, kind: 'stage', eventId: `${executionId}-s2`, at, stage, environment, state },
    { ...base, kind: 'health-check', eventId: `${executionId}-h`, at, environment, verdict: state === 'SUCCEEDED' ? 'pass' : 'fail', reason: 'bake', alarms: [] },
  ];
}

const history = new InMemoryDeploymentHistory([
  ...deployment('e1', A, 'production', '2026-11-01T10:00:00.000Z', 'SUCCEEDED'),
  ...deployment('e2', B, 'test', '2026-11-05T10:00:00.000Z', 'FAILED'),
  ...deployment('e3', A, 'test', '2026-11-05T11:00:00.000Z', 'SUCCEEDED', 'AutomatedRollback'),
]);

const opened: { table?: string; endpoint?: string; pipeline?: string } = {};
const defaults = () => ({ region: 'us-east-1', pipelineName: PIPELINE });
/** Stands in for ListStackResources on the runtime stack. */
const discoverHistoryTable = () => Promise.resolve('stack-table');
const historyCommand = createHistoryCommand({
  clock: { now: () => new Date('2026-11-06T00:00:00Z'), sleep: () => Promise.resolve() },
  defaults,
  discoverHistoryTable,
  openHistory: (client, table) => {
    opened.table = table;
    opened.endpoint = client.endpoint;
    return history;
  },
});
const stageStates: PipelineControl = {
  rollbackStage: () => Promise.reject(new Error('status must not change anything')),
  redeploy: () => Promise.reject(new Error('status must not change anything')),
  executionStatus: () => Promise.reject(new Error('not used')),
  stageRollbacksInProgress: () => Promise.reject(new Error('not used')),
  stageExecution: (stage) => Promise.resolve(stage === 'Test-Application' ? { executionId: 'e3', status: 'Succeeded', type: 'ROLLBACK' } : undefined),
};
const statusCommand = createStatusCommand({
  defaults,
  discoverHistoryTable,
  openHistory: () => history,
  openPipeline: (_client, name) => {
    opened.pipeline = name;
    return stageStates;
  },
});

async function run(...argv: string[]): Promise<{ code: number; out: RecordingOutput }> {
  const out = new RecordingOutput();
  const code = await runCli([historyCommand, statusCommand], argv, { out, env: {}, cwd: '/' });
  return { code, out };
}

describe('kiro-cd history (in process, in-memory history)', () => {
  it.each([
    ['a commit prefix', ['--commit', 'bbbbbbb'], ['e2']],
    ['a full commit', ['--commit', A], ['e3', 'e1']],
    ['an environment', ['--environment', 'test'], ['e3', 'e2']],
    ['a relative time', ['--since', '2d'], ['e3', 'e2']],
    ['an upper bound', ['--until', '2026-11-02'], ['e1']],
    ['a limit', ['--limit', '1'], ['e3']],
  ])('filters by %s', async (_why, args, executions) => {
    const { code, out } = await run('history', ...args, '--output', 'json');
    expect(code).toBe(0);
    expect((JSON.parse(out.stdout) as { executionId: string }[]).map((record) => record.executionId)).toEqual(executions);
  });

  it('marks a rollback execution and says so when nothing matches', async () => {
    expect((await run('history', '--environment', 'test')).out.stdout).toMatch(/test\s+aaaaaaaa\s+succeeded\s+passed\s+rollback\s+e3/);
    expect((await run('history', '--environment', 'staging')).out.stdout).toBe('No deployments match these filters.');
  });

  it('uses the flag table and endpoint, and the table of the runtime stack without the flag', async () => {
    await run('history', '--history-table', 'flag-table', '--endpoint-url', 'http://127.0.0.1:4566');
    expect(opened).toMatchObject({ table: 'flag-table', endpoint: 'http://127.0.0.1:4566' });
    await run('history');
    expect(opened.table).toBe('stack-table');
  });

  it.each([
    [['history', '--limit', '0'], '--limit must be a whole number from 1 to 1000'],
    [['history', '--commit', 'xyz'], '--commit must be a commit SHA or a prefix of at least 7'],
    [['history', '--since', '2026-11-05', '--until', '2026-11-01'], '--since must be earlier than --until'],
    [['history', 'extra'], 'history takes no arguments'],
    [['history', '--region', 'moon-1'], '--region must be an AWS region'],
  ])('exits 2 on %j', async (argv, message) => {
    const { code, out } = await run(...argv);
    expect(code).toBe(2);
    expect(out.stderr).toContain(message);
    expect(out.stdout).toBe('');
  });
});

describe('kiro-cd status (in process)', () => {
  it('shows what each environment runs, its latest deployment and its stages, without changing anything', async () => {
    const { code, out } = await run('status', '--pipeline-name', 'other-pipeline');
    expect(code).toBe(0);
    expect(opened.pipeline).toBe('other-pipeline');
    expect(out.stdout).toMatch(/test\s+aaaaaaaa\s+aaaaaaaa succeeded \(rollback\)\s+passed\s+Test-Infrastructure=never ran, Test-Application=Succeeded \(rollback\)/);
    expect(out.stdout).toMatch(/production\s+aaaaaaaa\s+aaaaaaaa succeeded\s+passed\s+Approve-Production=never ran/);
    expect(out.stdout).toContain(`Last known good release: ${A}`);
    expect(out.stderr).toBe('');
  });

  it('limits to one environment and prints JSON', async () => {
    const { out } = await run('status', '--environment', 'production', '--output', 'json');
    const report = JSON.parse(out.stdout) as { environments: { environment: string }[] };
    expect(report.environments.map((status) => status.environment)).toEqual(['production']);
  });
});

describe('kiro-cd dora (in process)', () => {
  const dora = createDoraCommand({
    clock: { now: () => new Date('2026-11-06T00:00:00Z'), sleep: () => Promise.resolve() },
    defaults,
    discoverHistoryTable,
    openHistory: () =>
      new InMemoryDeploymentHistory([
        ...deployment('p1', A, 'production', '2026-11-01T10:00:00.000Z', 'SUCCEEDED'),
        ...deployment('p2', B, 'production', '2026-11-03T10:00:00.000Z', 'FAILED'),
      ]),
  });

  async function runDora(...argv: string[]): Promise<{ code: number; out: RecordingOutput }> {
    const out = new RecordingOutput();
    const code = await runCli([dora], ['dora', ...argv], { out, env: {}, cwd: '/' });
    return { code, out };
  }

  it('computes the measures from the history in the window, and says "no data" rather than 0', async () => {
    const { code, out } = await runDora('--since', '10d');
    expect(code).toBe(0);
    expect(out.stdout).toMatch(/Deployment frequency\s+0\.10 per day/);
    expect(out.stdout).toMatch(/Change failure rate\s+50\.0 %/);
    expect(out.stdout).toMatch(/Time to restore\s+no data/);
    expect(out.stdout).toMatch(/Lead time for changes\s+no data/);
  });

  it('prints JSON with the window', async () => {
    const { out } = await runDora('--since', '2026-11-02', '--output', 'json');
    expect(JSON.parse(out.stdout)).toMatchObject({ environment: 'production', from: '2026-11-02T00:00:00.000Z', measures: { changeFailureRate: 1 } });
  });

  it('exits 2 on a window that ends before it starts', async () => {
    const { code, out } = await runDora('--since', '2026-11-07');
    expect(code).toBe(2);
    expect(out.stderr).toContain('--since must be earlier than --until (or than now)');
  });
});

describe('formatDoraMeasures', () => {
  it.each([
    [90, '90.0 s'],
    [600, '10.0 min'],
    [10_800, '3.0 h'],
    [259_200, '3.0 days'],
  ])('shows a lead time of %d s as %s', (seconds, text) => {
    expect(formatDoraMeasures({ deploymentsPerDay: 1, leadTimeSeconds: seconds }, 'production')[1]?.value).toBe(text);
  });
});

describe('kiro-cd history: a full rollback\'s restart', () => {
  it('shows KIND rollback for the restart execution the orchestrator marked', async () => {
    const restart = deployment('e9', A, 'test', '2026-11-05T12:00:00.000Z', 'SUCCEEDED', 'StartPipelineExecution');
    const marker: HistoryEvent = { pipelineName: PIPELINE, executionId: 'e9', kind: 'execution', eventId: 'rollback:rb-9:restart', at: '2026-11-05T12:00:01.000Z', state: 'STARTED', triggerType: 'KiroFullRollbackRestart', triggerDetail: 'rollback rb-9' };
    const command = createHistoryCommand({
      clock: { now: () => new Date('2026-11-06T00:00:00Z'), sleep: () => Promise.resolve() },
      defaults,
      discoverHistoryTable,
      openHistory: () => new InMemoryDeploymentHistory([...restart, marker]),
    });
    const out = new RecordingOutput();
    expect(await runCli([command], ['history'], { out, env: {}, cwd: '/' })).toBe(0);
    expect(out.stdout).toMatch(/test\s+aaaaaaaa\s+succeeded\s+passed\s+rollback\s+e9/);
  });
});
