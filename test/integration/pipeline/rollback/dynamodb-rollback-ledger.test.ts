import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { CodePipelineControl } from '../../../../src/pipeline/adapters/aws/codepipeline-control.js';
import { DynamoDbHealthSignals } from '../../../../src/pipeline/adapters/aws/dynamodb-health-signals.js';
import { DynamoDbRollbackLedger } from '../../../../src/pipeline/adapters/aws/dynamodb-rollback-ledger.js';
import { runRollback } from '../../../../src/pipeline/domain/rollback/rollback-orchestrator.js';
import { DEFAULT_ROLLBACK_TIMING } from '../../../../src/pipeline/domain/rollback/rollback-timing.js';
import { InMemoryDeploymentHistory } from '../../../support/fakes/in-memory-deployment-history.js';
import { InMemoryNotifier } from '../../../support/fakes/in-memory-notifier.js';
import { LocalPipelineHarness } from '../../../support/local-pipeline/local-pipeline-harness.js';
import { motoClientConfig, useFreshMoto } from '../../../support/moto.js';
import { CountingIds, ENVIRONMENTS, ManualClock, PIPELINE, deploymentEvents, executionId } from '../../../unit/pipeline/domain/rollback/rollback-fixtures.js';

const TABLE = 'kiro-cd-rollback-ledger';

async function createTable(client: DynamoDBClient): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: TABLE,
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
}

describe('DynamoDbRollbackLedger against the local emulator', () => {
  useFreshMoto();
  let documents: DynamoDBDocumentClient;
  beforeEach(async () => {
    const client = new DynamoDBClient(motoClientConfig());
    await createTable(client);
    documents = DynamoDBDocumentClient.from(client);
  });

  it('ten concurrent full-rollback triggers produce exactly one rollback', async () => {
    const history = new InMemoryDeploymentHistory([
      ...ENVIRONMENTS.flatMap((environment) => deploymentEvents({ execution: executionId(1), environment, commit: 'good', at: '2026-03-01T00:00:00.000Z', result: 'succeeded' })),
      ...deploymentEvents({ execution: executionId(3), environment: 'production', commit: 'bad', at: '2026-03-02T00:00:00.000Z', result: 'failed' }),
    ]);
    const codepipeline = await LocalPipelineHarness.start({
      name: PIPELINE,
      environments: ENVIRONMENTS,
      script: (call) => (call.commit === 'bad' && call.stage === 'Production-Application' && call.action === 'Deploy' ? { status: 'Failed', summary: 'critical alarm' } : undefined),
    });
    await codepipeline.release('good', { id: executionId(1) });
    await codepipeline.release('bad', { id: executionId(3) });
    codepipeline.changeDefinition(); // no stage target left: every trigger would go straight to a full rollback
    const notifier = new InMemoryNotifier();
    const ids = new CountingIds();
    const triggers = Array.from({ length: 10 }, (_, i) =>
      runRollback(
        { history, ledger: new DynamoDbRollbackLedger(documents, TABLE), pipeline: new CodePipelineControl(codepipeline.client, PIPELINE), notifier, clock: new ManualClock(), ids, timing: DEFAULT_ROLLBACK_TIMING, environments: ENVIRONMENTS },
        { pipelineName: PIPELINE, environment: 'production', stage: 'Production-Application', executionId: executionId(3), trigger: i % 2 === 0 ? 'stage-failed:Production-Application' : 'health-check', reason: 'critical alarm' },
      ),
    );
    const outcomes = await Promise.all(triggers);
    expect(outcomes.filter((outcome) => outcome.kind === 'succeeded')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.kind === 'duplicate')).toHaveLength(9);
    expect(codepipeline.calls.filter((call) => call.operation === 'StartPipelineExecution')).toHaveLength(1);
    expect(notifier.ofKind('rollback-succeeded')).toHaveLength(1);
  });

  it('never re-runs a finished rollback, and lets a run take over only an expired running lease', async () => {
    const ledger = new DynamoDbRollbackLedger(documents, TABLE);
    const t0 = new Date('2026-03-02T10:00:00Z');
    const later = (minutes: number): Date => new Date(t0.getTime() + minutes * 60_000);
    expect((await ledger.acquire('k', 'first', t0, later(15))).kind).toBe('acquired');
    expect(await ledger.acquire('k', 'second', later(1), later(16))).toMatchObject({ kind: 'held', lease: { rollbackId: 'first', status: 'running' } });
    expect(await ledger.acquire('k', 'third', later(20), later(35))).toMatchObject({ kind: 'acquired', lease: { rollbackId: 'third' } });
    await expect(ledger.finish('k', 'first', 'succeeded', 'stage')).rejects.toMatchObject({ code: 'CONDITION_FAILED' });
    await ledger.finish('k', 'third', 'succeeded', 'full');
    expect(await ledger.acquire('k', 'fourth', later(60), later(75))).toMatchObject({ kind: 'held', lease: { status: 'succeeded', outcome: 'full' } });
  });
});

describe('DynamoDbHealthSignals against the local emulator', () => {
  useFreshMoto();

  it('keeps the running bake, its watch token and the critical alarms that fired, once each', async () => {
    const client = new DynamoDBClient(motoClientConfig());
    await createTable(client);
    const signals = new DynamoDbHealthSignals(DynamoDBDocumentClient.from(client), TABLE);
    await signals.startBake({ environment: 'test', executionId: 'e1', startedAt: '2026-03-02T10:00:00.000Z' });
    await signals.armWatch('test', 'e1', 'token-1');
    await expect(signals.armWatch('test', 'stale', 'token-0')).rejects.toMatchObject({ name: 'ConditionalCheckFailedException' });
    expect(await signals.activeBake('test')).toEqual({ environment: 'test', executionId: 'e1', startedAt: '2026-03-02T10:00:00.000Z', watchToken: 'token-1' });
    await signals.markCritical('test', 'e1', { name: 'a', at: '2026-03-02T10:01:00.000Z' });
    await signals.markCritical('test', 'e1', { name: 'a', at: '2026-03-02T10:01:00.000Z' });
    expect(await signals.firedCritical('test', 'e1')).toEqual([{ name: 'a', at: '2026-03-02T10:01:00.000Z' }]);
    expect(await signals.firedCritical('test', 'e2')).toEqual([]);
    expect(await signals.activeBake('staging')).toBeUndefined();
  });
});
