import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReviewCommands } from '../../../src/cli/commands/review.js';
import { createRollbackCommand } from '../../../src/cli/commands/rollback.js';
import { RecordingOutput } from '../../../src/cli/output.js';
import { runCli } from '../../../src/cli/run-cli.js';
import { CodePipelineControl } from '../../../src/pipeline/adapters/aws/codepipeline-control.js';
import { DynamoDbDeploymentHistory } from '../../../src/pipeline/adapters/aws/dynamodb-deployment-history.js';
import { DynamoDbRollbackLedger } from '../../../src/pipeline/adapters/aws/dynamodb-rollback-ledger.js';
import { DEFAULT_ROLLBACK_TIMING, type RollbackTiming } from '../../../src/pipeline/domain/rollback/rollback-timing.js';
import type { ReviewGate } from '../../../src/pipeline/ports/review-gate.js';
import { InMemoryNotifier } from '../../support/fakes/in-memory-notifier.js';
import { LocalPipelineHarness } from '../../support/local-pipeline/local-pipeline-harness.js';
import { motoClientConfig, motoEndpoint, useFreshMoto } from '../../support/moto.js';
import { CountingIds, ENVIRONMENTS, ManualClock, PIPELINE, deploymentEvents, executionId } from '../../unit/pipeline/domain/rollback/rollback-fixtures.js';
import { createHistoryTable } from '../pipeline/history/history-table.js';
import { runKiroCd } from './run-kiro-cd.js';

const HISTORY = 'cli-history';
const LEDGER = 'cli-ledger';
const GOOD = executionId(1);
const PREVIOUS = executionId(2);
const CURRENT = executionId(3);
const PREVIOUS_COMMIT = 'b'.repeat(40);

/**
 * `timing` as the test hands it in; without one the command models its waits from the configuration.
 * `rollbackDeploy`: how long a stage rollback's deployment and then its health check (beside the
 * test suite) take, in pipeline time. The command's clock is the pipeline's.
 */
async function world(options: { readonly timing?: RollbackTiming; readonly rollbackDeploy?: { deployMs: number; bakeMs: number } } = { timing: DEFAULT_ROLLBACK_TIMING }) {
  const dynamodb = new DynamoDBClient(motoClientConfig());
  await createHistoryTable(dynamodb, HISTORY);
  await dynamodb.send(new CreateTableCommand({ TableName: LEDGER, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }));
  const history = new DynamoDbDeploymentHistory({ client: dynamodb, tableName: HISTORY, clock: new ManualClock() });
  for (const event of [
    ...ENVIRONMENTS.flatMap((environment, i) => deploymentEvents({ execution: GOOD, environment, commit: 'a'.repeat(40), at: `2026-03-01T0${i}:00:00.000Z`, result: 'succeeded' })),
    ...deploymentEvents({ execution: PREVIOUS, environment: 'staging', commit: PREVIOUS_COMMIT, at: '2026-03-01T10:00:00.000Z', result: 'succeeded' }),
    ...deploymentEvents({ execution: CURRENT, environment: 'staging', commit: 'c'.repeat(40), at: '2026-03-02T10:00:00.000Z', result: 'succeeded' }),
  ]) await history.record(event);
  const { rollbackDeploy } = options;
  const codepipeline = await LocalPipelineHarness.start({
    name: PIPELINE,
    environments: ENVIRONMENTS,
    script: (call) => (call.executionType !== 'ROLLBACK' || rollbackDeploy === undefined ? undefined : { takesMs: call.action === 'Deploy' ? rollbackDeploy.deployMs : rollbackDeploy.bakeMs }),
  });
  await codepipeline.release('a'.repeat(40), { id: GOOD });
  await codepipeline.release(PREVIOUS_COMMIT, { id: PREVIOUS, stopBefore: 'Production-Application' });
  await codepipeline.release('c'.repeat(40), { id: CURRENT, stopBefore: 'Production-Application' });
  const notifier = new InMemoryNotifier();
  const command = createRollbackCommand({
    defaults: () => ({ region: 'us-east-1', pipelineName: PIPELINE }),
    discoverHistoryTable: () => Promise.reject(new Error('tables are given by flag')),
    discoverLedgerTable: () => Promise.reject(new Error('tables are given by flag')),
    openHistory: () => history,
    openLedger: (client, tableName) => new DynamoDbRollbackLedger(DynamoDBDocumentClient.from(new DynamoDBClient({ ...motoClientConfig(), ...client, maxAttempts: 1 })), tableName),
    openPipeline: () => new CodePipelineControl(codepipeline.client, PIPELINE),
    openNotifier: () => notifier,
    dependencies: { clock: codepipeline.clock, ids: new CountingIds(), ...(options.timing === undefined ? {} : { timing: options.timing }) },
  });
  const run = async (...args: string[]) => {
    const out = new RecordingOutput();
    const code = await runCli([command], ['rollback', ...args, '--endpoint-url', motoEndpoint(), '--history-table', HISTORY, '--ledger-table', LEDGER], { out, env: { USER: 'sre' }, cwd: process.cwd() });
    return { code, out };
  };
  return { run, codepipeline, notifier };
}

describe('kiro-cd rollback against the emulator tables and the local CodePipeline', () => {
  useFreshMoto();
  let w: Awaited<ReturnType<typeof world>>;
  beforeEach(async () => {
    w = await world();
  });
  afterEach(() => w.codepipeline.close());

  it('--dry-run prints the plan and changes nothing', async () => {
    const { code, out } = await w.run('staging', '--dry-run');
    expect(code).toBe(0);
    const text = out.lines.map((line) => line.text).join('\n');
    expect(text).toContain('Dry run: nothing was changed.');
    expect(text).toContain(`RollbackStage Staging-Application to execution ${PREVIOUS}`);
    expect(w.codepipeline.calls).toEqual([]);
    expect(w.notifier.notices).toEqual([]);
  });

  it('run twice, rolls back once', async () => {
    const first = await w.run('staging', '--output', 'json');
    const second = await w.run('staging', '--output', 'json');
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(JSON.parse(first.out.lines.at(-1)?.text ?? '{}')).toMatchObject({ kind: 'succeeded', scope: 'stage' });
    expect(JSON.parse(second.out.lines.at(-1)?.text ?? '{}')).toMatchObject({ kind: 'duplicate' });
    expect(w.codepipeline.calls.filter((call) => call.operation === 'RollbackStage')).toHaveLength(1);
    expect(w.notifier.notices.map((notice) => notice.kind)).toEqual(['rollback-started', 'rollback-succeeded']);
  });

  it('--to a commit prefix rolls back to that release', async () => {
    const { code } = await w.run('staging', '--to', PREVIOUS_COMMIT.slice(0, 8));
    expect(code).toBe(0);
    expect(w.codepipeline.calls.find((call) => call.operation === 'RollbackStage')?.input).toMatchObject({ targetPipelineExecutionId: PREVIOUS });
  });

  it.each([
    ['an unknown environment', ['qa'], 'Unknown environment "qa"'],
    ['no environment', [], 'exactly one environment'],
    ['a --to that is neither an execution nor a commit', ['staging', '--to', 'main'], '--to must be a pipeline execution id'],
    ['a commit never deployed there', ['staging', '--to', 'deadbeef'], 'No deployment of commit deadbeef'],
  ])('refuses %s with exit code 2 and changes nothing', async (_why, args, message) => {
    const { code, out } = await w.run(...args);
    expect(code).toBe(2);
    expect(out.lines.map((line) => line.text).join('\n')).toContain(message);
    expect(w.codepipeline.calls).toEqual([]);
  });
});

describe('kiro-cd rollback waits as long as the stage rollback it starts', () => {
  useFreshMoto();

  it('waits out a 7.5-minute staging stage rollback (deploy, bake beside the e2e suite) instead of a fixed 360 s', async () => {
    // No timing handed in: the command sizes its waits from the configuration, as the deployed
    // orchestrator does. A fixed 360 s wait gave up on this healthy stage rollback and started a
    // full rollback into a stage that was still running (issue 11, item 3).
    // The stage re-run takes 450 s: the deployment 150 s, then the 300 s bake beside the suite.
    const w = await world({ rollbackDeploy: { deployMs: 150_000, bakeMs: 300_000 } });
    const { code, out } = await w.run('staging', '--output', 'json');
    expect(code).toBe(0);
    expect(JSON.parse(out.lines.at(-1)?.text ?? '{}')).toMatchObject({ kind: 'succeeded', scope: 'stage' });
    expect(w.codepipeline.calls.map((call) => call.operation).filter((operation) => operation !== 'GetPipelineExecution' && operation !== 'GetPipelineState')).toEqual(['RollbackStage']);
  });
});

describe('kiro-cd approve|reject', () => {
  class RecordingGate implements ReviewGate {
    readonly answers: unknown[] = [];
    approve(token: string, actor: string, comment?: string): Promise<void> {
      this.answers.push({ decision: 'approve', token, actor, comment });
      return Promise.resolve();
    }
    reject(token: string, actor: string, comment?: string): Promise<void> {
      this.answers.push({ decision: 'reject', token, actor, comment });
      return Promise.resolve();
    }
    interruptWatch(): Promise<void> {
      return Promise.reject(new Error('not a CLI action'));
    }
  }

  it('sends the decision with the actor and comment through the review gate', async () => {
    const gate = new RecordingGate();
    const { approve, reject } = createReviewCommands({ defaults: () => ({ region: 'us-east-1' }), openGate: () => gate });
    const out = new RecordingOutput();
    expect(await runCli([approve, reject], ['approve', '--token', 'tok-1', '--comment', 'known noisy'], { out, env: { USER: 'ada' }, cwd: process.cwd() })).toBe(0);
    expect(await runCli([approve, reject], ['reject', '--token', 'tok-2', '--actor', 'bob'], { out, env: {}, cwd: process.cwd() })).toBe(0);
    expect(gate.answers).toEqual([
      { decision: 'approve', token: 'tok-1', actor: 'ada', comment: 'known noisy' },
      { decision: 'reject', token: 'tok-2', actor: 'bob', comment: undefined },
    ]);
  });

  it('as a process: a missing token is a usage error (exit 2) and nothing is sent', async () => {
    const run = await runKiroCd(['approve', '--comment', 'ok', '--endpoint-url', 'http://127.0.0.1:9', '--region', 'us-east-1']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--token is required');
  }, 30_000);

  it('as a process: rollback of an unknown environment is a usage error (exit 2)', async () => {
    const run = await runKiroCd(['rollback', 'qa', '--dry-run', '--endpoint-url', 'http://127.0.0.1:9', '--region', 'us-east-1', '--history-table', 'h', '--ledger-table', 'l']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Unknown environment "qa"');
  }, 30_000);
});
