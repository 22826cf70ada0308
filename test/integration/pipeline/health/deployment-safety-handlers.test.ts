import { readFileSync } from 'node:fs';
import { CloudWatchClient, PutMetricAlarmCommand, SetAlarmStateCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beforeEach, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { CloudWatchAlarmReader } from '../../../../src/pipeline/adapters/aws/cloudwatch-alarm-reader.js';
import { CodePipelineControl } from '../../../../src/pipeline/adapters/aws/codepipeline-control.js';
import { DynamoDbDeploymentHistory } from '../../../../src/pipeline/adapters/aws/dynamodb-deployment-history.js';
import { DynamoDbHealthSignals } from '../../../../src/pipeline/adapters/aws/dynamodb-health-signals.js';
import { DynamoDbRollbackLedger } from '../../../../src/pipeline/adapters/aws/dynamodb-rollback-ledger.js';
import { SnsNotifier } from '../../../../src/pipeline/adapters/aws/sns-notifier.js';
import { DEFAULT_ROLLBACK_TIMING } from '../../../../src/pipeline/domain/rollback/rollback-timing.js';
import { createHandler as createAlarmHandler } from '../../../../src/pipeline/handlers/alarm-state-change.js';
import { createHandler as createMonitor, watchedAlarms, type BakeState } from '../../../../src/pipeline/handlers/health-monitor.js';
import { createHandler as createTrigger } from '../../../../src/pipeline/handlers/rollback-trigger.js';
import type { ReviewGate } from '../../../../src/pipeline/ports/review-gate.js';
import { LocalPipelineHarness } from '../../../support/local-pipeline/local-pipeline-harness.js';
import { motoClientConfig, useFreshMoto } from '../../../support/moto.js';
import { CountingIds, ENVIRONMENTS, ManualClock, PIPELINE, deploymentEvents, executionId } from '../../../unit/pipeline/domain/rollback/rollback-fixtures.js';
import { InProcessRollbackExecutions } from '../../../support/fakes/in-process-rollback-executions.js';
import { createHistoryTable } from '../history/history-table.js';

const config = loadDeploymentConfig();
const testEnvironment = config.environments.find((environment) => environment.name === 'test')!;
const HISTORY = 'kiro-cd-history';
const LEDGER = 'kiro-cd-ledger';
const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../fixtures/events/${name}.json`, import.meta.url), 'utf8'));

/** Records what the handlers ask Step Functions to do; `stale` makes the token answer as an ended task does. */
class RecordingGate implements ReviewGate {
  readonly interrupts: { token: string; alarm: string }[] = [];
  stale = false;
  approve(): Promise<void> {
    return Promise.reject(new Error('not used'));
  }
  reject(): Promise<void> {
    return Promise.reject(new Error('not used'));
  }
  interruptWatch(token: string, alarm: string): Promise<void> {
    if (this.stale) return Promise.reject(Object.assign(new Error('Task Timed Out'), { name: 'TaskTimedOut' }));
    this.interrupts.push({ token, alarm });
    return Promise.resolve();
  }
}

async function emulator() {
  const dynamodb = new DynamoDBClient(motoClientConfig());
  await createHistoryTable(dynamodb, HISTORY);
  await dynamodb.send(
    new CreateTableCommand({ TableName: LEDGER, KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }], BillingMode: 'PAY_PER_REQUEST' }),
  );
  const documents = DynamoDBDocumentClient.from(dynamodb);
  const clock = new ManualClock(Date.parse('2026-03-02T10:00:00Z'));
  const history = new DynamoDbDeploymentHistory({ client: dynamodb, tableName: HISTORY, clock });
  const signals = new DynamoDbHealthSignals(documents, LEDGER);
  const sns = new SNSClient(motoClientConfig());
  const sqs = new SQSClient(motoClientConfig());
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'kiro-cd-team' }));
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'inbox' }));
  const queueArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }))).Attributes?.QueueArn;
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }));
  const received = async (): Promise<string[]> => {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    return (Messages ?? []).map((message) => message.Body ?? '');
  };
  const notifier = new SnsNotifier({ client: sns, teamTopicArn: TopicArn! });
  return { documents, clock, history, signals, notifier, received };
}

describe('health monitor steps against the emulator: CloudWatch alarms set with SetAlarmState, notices through SNS to SQS', () => {
  useFreshMoto();
  let world: Awaited<ReturnType<typeof emulator>>;
  const cloudwatch = new CloudWatchClient(motoClientConfig());
  beforeEach(async () => {
    world = await emulator();
    for (const alarm of watchedAlarms(testEnvironment)) {
      await cloudwatch.send(
        new PutMetricAlarmCommand({ AlarmName: alarm.name, Namespace: 'KiroWorker', MetricName: alarm.name, Statistic: 'Sum', Period: 60, EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' }),
      );
      await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: alarm.name, StateValue: 'OK', StateReason: 'baseline' }));
    }
  });

  const monitor = () =>
    createMonitor({
      pipelineName: PIPELINE,
      environments: config.environments,
      alarmReaderFor: () => new CloudWatchAlarmReader(cloudwatch),
      signals: world.signals,
      history: world.history,
      notifier: world.notifier,
      gate: new RecordingGate(),
      clock: world.clock,
      log: () => undefined,
    });

  const started = async (): Promise<BakeState> => monitor()({ step: 'start', environment: 'test', executionId: executionId(7), commitId: 'abc', stage: 'Test-Application' });

  it('reads every watched alarm OK and continues, recording the check', async () => {
    const state = await monitor()({ step: 'check', state: await started() });
    expect(state.verdict?.kind).toBe('continue');
    expect((await world.history.timeline(executionId(7))).filter((event) => event.kind === 'health-check')).toHaveLength(1);
  });

  it('sees a critical alarm set with SetAlarmState and decides to roll back; the failure notice arrives through SNS', async () => {
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'KiroWorker-Test-poller-errors', StateValue: 'ALARM', StateReason: 'Threshold Crossed' }));
    const state = await monitor()({ step: 'check', state: await started() });
    expect(state.verdict).toMatchObject({ kind: 'rollback', reason: expect.stringContaining('KiroWorker-Test-poller-errors') });
    await monitor()({ step: 'conclude', outcome: 'failed', state });
    const messages = await world.received();
    expect(messages.some((body) => body.includes('KiroWorker-Test-poller-errors'))).toBe(true);
  });

  it('pauses for review on a warning alarm and sends the approve/reject instructions through SNS', async () => {
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'KiroWorker-Test-lock-contention', StateValue: 'ALARM', StateReason: 'Threshold Crossed' }));
    const state = await monitor()({ step: 'check', state: await started() });
    expect(state.verdict?.kind).toBe('pause-for-review');
    await monitor()({ step: 'review', taskToken: 'token-review', state });
    expect((await world.received()).join('\n')).toContain("kiro-cd approve --token 'token-review'");
  });
});

describe('alarm-state-change handler against the emulator, fed the documented event shape', () => {
  useFreshMoto();
  let world: Awaited<ReturnType<typeof emulator>>;
  let gate: RecordingGate;
  beforeEach(async () => {
    world = await emulator();
    gate = new RecordingGate();
  });
  const handler = () =>
    createAlarmHandler({
      pipelineName: PIPELINE,
      watched: Object.fromEntries(config.environments.map((environment) => [environment.name, watchedAlarms(environment)])),
      history: world.history,
      signals: world.signals,
      gate,
      log: () => undefined,
    });

  it('a critical alarm during the bake wakes the sleeping monitor at once, and is recorded once however often it is delivered', async () => {
    await world.signals.startBake({ environment: 'test', executionId: executionId(7), startedAt: '2026-03-02T10:00:00.000Z' });
    await world.signals.armWatch('test', executionId(7), 'watch-token');
    const event = fixture('cloudwatch-alarm-critical-alarm');
    expect(await handler()(event)).toEqual({ decision: 'interrupt', executionId: executionId(7), interrupted: true });
    await handler()(event);
    expect(gate.interrupts[0]).toEqual({ token: 'watch-token', alarm: 'KiroWorker-Test-poller-errors' });
    expect(await world.signals.firedCritical('test', executionId(7))).toEqual([{ name: 'KiroWorker-Test-poller-errors', at: '2026-03-02T10:01:10.000Z' }]);
    const recorded = (await world.history.timeline(executionId(7))).filter((e) => e.kind === 'health-check');
    expect(recorded).toHaveLength(1);
    expect(recorded[0]).toMatchObject({ verdict: 'check', alarms: [{ name: 'KiroWorker-Test-poller-errors', severity: 'critical', state: 'ALARM' }] });
  });

  it('a critical alarm while the deployment itself runs is marked for that execution, so the monitor fails at its first check', async () => {
    for (const event of deploymentEvents({ execution: executionId(8), environment: 'test', commit: 'new', at: '2026-03-02T10:00:00.000Z', result: 'succeeded' }).slice(0, 2)) await world.history.record(event);
    expect(await handler()(fixture('cloudwatch-alarm-critical-alarm'))).toEqual({ decision: 'interrupt', executionId: executionId(8), interrupted: false });
    expect(await world.signals.firedCritical('test', executionId(8))).toHaveLength(1);
  });

  it('records a warning and a recovery without waking anything', async () => {
    await world.signals.startBake({ environment: 'test', executionId: executionId(7), startedAt: '2026-03-02T10:00:00.000Z' });
    await world.signals.armWatch('test', executionId(7), 'watch-token');
    expect(await handler()(fixture('cloudwatch-alarm-warning-alarm'))).toMatchObject({ decision: 'record', interrupted: false });
    expect(await handler()(fixture('cloudwatch-alarm-critical-ok'))).toMatchObject({ decision: 'record', interrupted: false });
    expect(gate.interrupts).toEqual([]);
    expect((await world.history.timeline(executionId(7))).filter((e) => e.kind === 'health-check')).toHaveLength(2);
  });

  it('a watch that already ended (stale token) is not an error: the next check reads the mark', async () => {
    await world.signals.startBake({ environment: 'test', executionId: executionId(7), startedAt: '2026-03-02T10:00:00.000Z' });
    await world.signals.armWatch('test', executionId(7), 'old-token');
    gate.stale = true;
    expect(await handler()(fixture('cloudwatch-alarm-critical-alarm'))).toMatchObject({ decision: 'interrupt', interrupted: false });
    expect(await world.signals.firedCritical('test', executionId(7))).toHaveLength(1);
  });

  it('ignores the documentation example (an alarm no environment watches) and rejects what is not an alarm event', async () => {
    expect(await handler()(fixture('cloudwatch-alarm-documentation-example'))).toEqual({ decision: 'ignore', interrupted: false });
    await expect(handler()({ 'detail-type': 'CloudWatch Alarm State Change', detail: {} })).rejects.toMatchObject({ code: 'INPUT_MALFORMED' });
  });
});

describe('rollback trigger against the emulator ledger and the local CodePipeline', () => {
  useFreshMoto();
  const stageFailed = (stage: string, execution: string, state = 'FAILED') => ({
    version: '0', id: `e-${stage}-${state}`, 'detail-type': 'CodePipeline Stage Execution State Change', source: 'aws.codepipeline', account: '111111111111', time: '2026-03-02T09:11:00Z', region: 'us-east-1',
    resources: [`arn:aws:codepipeline:us-east-1:111111111111:${PIPELINE}`],
    detail: { pipeline: PIPELINE, version: 3, 'execution-id': execution, stage, state },
  });
  const monitorFailed = (execution: string) => ({
    version: '0', id: 'sfn-1', 'detail-type': 'Step Functions Execution Status Change', source: 'aws.states', account: '111111111111', time: '2026-03-02T09:12:00Z', region: 'us-east-1', resources: [],
    detail: { executionArn: 'arn:aws:states:us-east-1:111111111111:execution:HealthMonitor:x', stateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:HealthMonitor', status: 'FAILED', input: JSON.stringify({ environment: 'staging', executionId: execution, commitId: 'bad', stage: 'Staging-Application' }) },
  });

  async function trigger() {
    const world = await emulator();
    for (const event of [
      ...ENVIRONMENTS.flatMap((environment) => deploymentEvents({ execution: executionId(1), environment, commit: 'good', at: '2026-03-01T00:00:00.000Z', result: 'succeeded' })),
      ...deploymentEvents({ execution: executionId(3), environment: 'test', commit: 'bad', at: '2026-03-02T09:00:00.000Z', result: 'succeeded' }),
      ...deploymentEvents({ execution: executionId(3), environment: 'staging', commit: 'bad', at: '2026-03-02T09:10:00.000Z', result: 'failed' }),
    ]) await world.history.record(event);
    const codepipeline = await LocalPipelineHarness.start({
      name: PIPELINE,
      environments: ENVIRONMENTS,
      script: (call) => (call.commit === 'bad' && call.stage === 'Staging-Application' && call.action === 'Deploy' && call.executionType === 'STANDARD' ? { status: 'Failed', summary: 'Deploy action failed.' } : undefined),
    });
    await codepipeline.release('good', { id: executionId(1) });
    await codepipeline.release('bad', { id: executionId(3) });
    const deps = {
      history: world.history,
      ledger: new DynamoDbRollbackLedger(world.documents, LEDGER),
      pipeline: new CodePipelineControl(codepipeline.client, PIPELINE),
      notifier: world.notifier,
      clock: world.clock,
      ids: new CountingIds(),
      timing: DEFAULT_ROLLBACK_TIMING,
      environments: ENVIRONMENTS,
    };
    const executions = new InProcessRollbackExecutions(() => deps);
    const handler = createTrigger({ ...deps, pipelineName: PIPELINE, executions, log: () => undefined });
    return { handler, codepipeline, world, executions, deps };
  }

  it('a failed stage and the health monitor’s failure for the same release make one rollback', async () => {
    const { handler, codepipeline, world, executions } = await trigger();
    const [first, second] = await Promise.all([handler(stageFailed('Staging-Application', executionId(3))), handler(monitorFailed(executionId(3)))]);
    expect([first.kind, second.kind].sort()).toEqual(['duplicate', 'started']);
    expect(await executions.outcomes()).toEqual([expect.objectContaining({ kind: 'succeeded', scope: 'stage' })]);
    expect(codepipeline.calls.filter((call) => call.operation === 'RollbackStage')).toHaveLength(1);
    const phases = (await world.history.timeline(executionId(3))).flatMap((event) => (event.kind === 'rollback' ? [event.phase] : []));
    expect(phases).toEqual(['started', 'succeeded']);
    expect((await world.received()).some((body) => body.includes('rollback'))).toBe(true);
  });

  it('a trigger after the rollback ended finds the lease and starts nothing', async () => {
    const { handler, executions } = await trigger();
    expect(await handler(stageFailed('Staging-Application', executionId(3)))).toMatchObject({ kind: 'started' });
    await executions.outcomes();
    expect(await handler(monitorFailed(executionId(3)))).toMatchObject({ kind: 'duplicate' });
    expect(executions.started).toHaveLength(1);
  });

  it.each([
    ['a stage that succeeded', stageFailed('Staging-Application', executionId(3), 'SUCCEEDED')],
    ['the Build stage (a failed scan blocks the release: nothing was deployed)', stageFailed('Build', executionId(3))],
    ['another pipeline', { ...stageFailed('Staging-Application', executionId(3)), detail: { ...stageFailed('Staging-Application', executionId(3)).detail, pipeline: 'other' } }],
  ])('ignores %s', async (_why, event) => {
    const { handler, codepipeline, executions } = await trigger();
    expect(await handler(event)).toMatchObject({ kind: 'ignored' });
    expect(codepipeline.calls).toEqual([]);
    expect(executions.started).toEqual([]);
  });

  it('does not wait for the rollback: it plans, starts the execution and returns, touching no CodePipeline API and no clock', async () => {
    const { handler, codepipeline, world, executions } = await trigger();
    // Every deployment a rollback makes hangs (CloudFormation's own timeout is three days).
    codepipeline.script = (call) => (call.action === 'Deploy' && (call.executionType === 'ROLLBACK' || call.variables.KIRO_ROLLBACK === 'true') ? { takesMs: 24 * 60 * 60_000 } : undefined);
    const startedAt = world.clock.now().getTime();
    const result = await handler(stageFailed('Staging-Application', executionId(3)));
    expect(result).toMatchObject({ kind: 'started', key: `${PIPELINE}#staging#${executionId(3)}` });
    expect(world.clock.now().getTime()).toBe(startedAt);
    expect(executions.started[0]?.progress).toMatchObject({ step: { kind: 'acquire' }, plan: { stage: { kind: 'stage', stage: 'Staging-Application' } } });
    // The execution then runs until its deadline and records the failure.
    expect(await executions.outcomes()).toEqual([expect.objectContaining({ kind: 'failed' })]);
  });

  it('rejects an event it does not know, naming the rules to check', async () => {
    const { handler } = await trigger();
    await expect(handler({ source: 'aws.s3' })).rejects.toMatchObject({ code: 'INPUT_MALFORMED', message: expect.stringContaining('EventBridge rules') });
  });
});
