import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import { StateMachine } from 'aws-local-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { HEALTH_MONITOR_STATES as S, HealthMonitor } from '../../infrastructure/lib/constructs/health-monitor/health-monitor.js';
import { loadDeploymentConfig } from '../../infrastructure/lib/config/load-config.js';
import type { AlarmReading, FiredCriticalAlarm } from '../../src/pipeline/domain/health/health-verdict.js';
import type { AlarmStateValue, EnvironmentName } from '../../src/pipeline/domain/history-model.js';
import { createHandler, type BakeState } from '../../src/pipeline/handlers/health-monitor.js';
import type { ActiveBake, HealthSignals } from '../../src/pipeline/ports/health-signals.js';
import type { ReviewGate } from '../../src/pipeline/ports/review-gate.js';
import { InMemoryDeploymentHistory } from '../support/fakes/in-memory-deployment-history.js';
import { InMemoryNotifier } from '../support/fakes/in-memory-notifier.js';

const FUNCTION_ARN = 'arn:aws:lambda:us-east-1:111111111111:function:kiro-cd-health-monitor';

/** Resolves the few intrinsics a synthesized definition holds (Fn::Join of literals and the partition). */
function resolve(value: unknown): unknown {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null) {
    if ('Ref' in value && value.Ref === 'AWS::Partition') return 'aws';
    // The step function's ARN: the local handlers stand in for it.
    if ('Fn::GetAtt' in value) return FUNCTION_ARN;
    if ('Fn::Join' in value) {
      const [separator, parts] = value['Fn::Join'] as [string, unknown[]];
      return parts.map(resolve).join(separator);
    }
  }
  throw new Error(`Unresolvable intrinsic in the definition: ${JSON.stringify(value)}`);
}

class MemorySignals implements HealthSignals {
  bake: ActiveBake | undefined;
  readonly fired = new Map<string, FiredCriticalAlarm[]>();
  startBake(bake: Omit<ActiveBake, 'watchToken'>): Promise<void> {
    this.bake = bake;
    return Promise.resolve();
  }
  armWatch(_environment: EnvironmentName, executionId: string, token: string): Promise<void> {
    if (this.bake?.executionId === executionId) this.bake = { ...this.bake, watchToken: token };
    return Promise.resolve();
  }
  activeBake(): Promise<ActiveBake | undefined> {
    return Promise.resolve(this.bake);
  }
  markCritical(environment: EnvironmentName, executionId: string, alarm: FiredCriticalAlarm): Promise<void> {
    const key = `${environment}#${executionId}`;
    this.fired.set(key, [...(this.fired.get(key) ?? []), alarm]);
    return Promise.resolve();
  }
  firedCritical(environment: EnvironmentName, executionId: string): Promise<FiredCriticalAlarm[]> {
    return Promise.resolve(this.fired.get(`${environment}#${executionId}`) ?? []);
  }
}

/** Stands in for Step Functions' task tokens: a paused task resolves or fails when the token is answered. */
class TokenBroker implements ReviewGate {
  private readonly pending = new Map<string, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  readonly waiting: string[] = [];
  wait(token: string): Promise<unknown> {
    this.waiting.push(token);
    return new Promise((resolve, reject) => this.pending.set(token, { resolve, reject }));
  }
  private answer(token: string): { resolve: (value: unknown) => void; reject: (error: Error) => void } {
    const found = this.pending.get(token);
    if (found === undefined) throw new Error(`No task waits for token ${token}`);
    this.pending.delete(token);
    return found;
  }
  approve(token: string, actor: string, comment?: string): Promise<void> {
    this.answer(token).resolve({ decision: 'approved', actor, comment });
    return Promise.resolve();
  }
  reject(token: string, actor: string, comment?: string): Promise<void> {
    this.answer(token).reject(Object.assign(new Error(JSON.stringify({ actor, comment })), { name: 'KiroCd.ReviewRejected' }));
    return Promise.resolve();
  }
  interruptWatch(token: string, alarmName: string, reason: string): Promise<void> {
    this.answer(token).reject(Object.assign(new Error(`${alarmName}: ${reason}`), { name: 'KiroCd.CriticalAlarm' }));
    return Promise.resolve();
  }
}

const config = loadDeploymentConfig();
const test = config.environments.find((environment) => environment.name === 'test')!;
const input = { environment: 'test', executionId: '00000000-0000-4000-8000-000000000001', commitId: 'abc123', stage: 'Test-Application' };

function world(states: Partial<Record<string, AlarmStateValue | 'throw'>>, options: { reviewer?: (broker: TokenBroker, token: string) => void; failStep?: string } = {}) {
  const history = new InMemoryDeploymentHistory();
  const notifier = new InMemoryNotifier();
  const signals = new MemorySignals();
  const broker = new TokenBroker();
  let now = Date.parse('2026-03-02T10:00:00Z');
  const handler = createHandler({
    pipelineName: config.pipeline.name,
    environments: config.environments,
    alarmReaderFor: () => ({
      read: (names): Promise<AlarmReading[]> => {
        if (Object.values(states).includes('throw')) return Promise.reject(new Error('ThrottlingException: Rate exceeded'));
        return Promise.resolve(names.flatMap((name) => (states[name] === undefined ? [{ name, state: 'OK' as const }] : [{ name, state: states[name] as AlarmStateValue }])));
      },
    }),
    signals,
    history,
    notifier,
    gate: broker,
    // Each look at the clock is half the bake later, so the bake ends after a few checks.
    clock: { now: () => new Date((now += test.healthCheck.durationSeconds * 500)), sleep: () => Promise.resolve() },
    log: () => undefined,
  });
  const call = async (payload: unknown): Promise<BakeState> => {
    const step = (payload as { step?: string }).step;
    if (step !== undefined && options.failStep === step) throw Object.assign(new Error('Lambda crashed'), { name: 'Lambda.Unknown' });
    return handler(payload);
  };
  let tokens = 0;
  const overrides = {
    taskResourceLocalHandlers: {
      [S.start]: call,
      [S.check]: call,
      [S.applyReview]: call,
      [S.concludeFailure]: call,
      // A waitForTaskToken task's parameters are { FunctionName, Payload }: the Lambda receives the Payload.
      [S.watch]: async ({ Payload: payload }: { Payload: Record<string, unknown> }) => {
        const token = `watch-${(tokens += 1)}`;
        const waiting = broker.wait(token);
        await call({ ...payload, taskToken: token });
        return waiting;
      },
      // A waitForTaskToken task's parameters are { FunctionName, Payload }: the Lambda receives the Payload.
      [S.review]: async ({ Payload: payload }: { Payload: Record<string, unknown> }) => {
        const token = `review-${(tokens += 1)}`;
        const waiting = broker.wait(token);
        await call({ ...payload, taskToken: token });
        options.reviewer?.(broker, token);
        return waiting;
      },
    },
  };
  return { history, notifier, signals, broker, overrides };
}

describe('health monitor state machine, executed locally from its synthesized definition', () => {
  let definition: Record<string, unknown>;
  let template: Template;

  beforeAll(() => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Monitor', { env: { account: '111111111111', region: 'us-east-1' } });
    new HealthMonitor(stack, 'HealthMonitor', {
      pipelineName: config.pipeline.name,
      environments: config.environments,
      key: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      logRetentionDays: config.pipeline.logRetentionDays,
      historyTable: dynamodb.Table.fromTableName(stack, 'History', 'kiro-cd-history'),
      signalsTable: dynamodb.Table.fromTableName(stack, 'Ledger', 'kiro-cd-ledger'),
      teamTopic: sns.Topic.fromTopicArn(stack, 'Team', 'arn:aws:sns:us-east-1:111111111111:kiro-cd-team'),
      observerRoleArns: { production: 'arn:aws:iam::444444444444:role/kiro-cd-observer' },
      // Shortened through the construct's configuration (not another code path), so the sleeps and the review timeout take a second.
      pollInterval: Duration.seconds(1),
      reviewTimeout: Duration.seconds(1),
    });
    template = Template.fromStack(stack);
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as { Properties: { DefinitionString: unknown } };
    definition = JSON.parse(resolve(machine.Properties.DefinitionString) as string) as Record<string, unknown>;
  });

  const run = async (overrides: object): Promise<{ status: 'succeeded' | 'failed'; error?: string }> => {
    const machine = new StateMachine(definition as never, { validationOptions: { checkArn: false, checkPaths: false } });
    try {
      // The library has no task tokens: the context supplies one, and the local handlers stand in for Step Functions' callbacks.
      await machine.run(input, { overrides, context: { Execution: { Input: input, StartTime: '2026-03-02T10:00:00Z' }, Task: { Token: 'local' } } }).result;
      return { status: 'succeeded' };
    } catch (error) {
      // The library wraps the Fail state in an ExecutionError whose message is the Fail state's cause.
      const message = (error as Error).message;
      return { status: 'failed', error: /The release is unhealthy or was rejected/.test(message) ? 'KiroCd.HealthCheckFailed' : message };
    }
  };

  it('passes when every alarm stays OK for the whole bake, recording each check', async () => {
    const w = world({});
    expect(await run(w.overrides)).toEqual({ status: 'succeeded' });
    const checks = (await w.history.timeline(input.executionId)).filter((event) => event.kind === 'health-check');
    expect(checks.length).toBeGreaterThanOrEqual(2);
    expect(checks.at(-1)).toMatchObject({ verdict: 'pass' });
  }, 20_000);

  it('fails at the first check after a critical alarm, and notifies', async () => {
    const w = world({ 'KiroWorker-Test-poller-errors': 'ALARM' });
    expect(await run(w.overrides)).toEqual({ status: 'failed', error: 'KiroCd.HealthCheckFailed' });
    expect(w.notifier.ofKind('health-check-failed')[0]?.reason).toContain('KiroWorker-Test-poller-errors');
  });

  it('stops the bake at once when a critical alarm event arrives while it sleeps (not at the next poll)', async () => {
    const w = world({});
    const execution = run(w.overrides);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const token = w.broker.waiting.at(-1)!;
    await w.broker.interruptWatch(token, 'KiroWorker-Test-worker-build-failures', 'fired');
    const started = Date.now();
    expect(await execution).toEqual({ status: 'failed', error: 'KiroCd.HealthCheckFailed' });
    expect(Date.now() - started).toBeLessThan(500);
    expect(w.notifier.ofKind('health-check-failed')[0]?.reason).toContain('Critical alarm fired during the bake');
  });

  it('pauses on a warning, and an approval lets the bake pass', async () => {
    const w = world({ 'KiroWorker-Test-lock-contention': 'ALARM' }, { reviewer: (broker, token) => void broker.approve(token, 'sre@example.com', 'known noisy') });
    expect(await run(w.overrides)).toEqual({ status: 'succeeded' });
    const notice = w.notifier.ofKind('review-needed')[0];
    expect(notice?.details?.some((line) => line.startsWith('Approve: kiro-cd approve --token'))).toBe(true);
    expect((await w.history.timeline(input.executionId)).some((event) => event.kind === 'health-check' && event.verdict === 'review-approved')).toBe(true);
  }, 20_000);

  it('fails when the reviewer rejects', async () => {
    const w = world({ 'KiroWorker-Test-lock-contention': 'ALARM' }, { reviewer: (broker, token) => void broker.reject(token, 'sre@example.com', 'looks bad') });
    expect(await run(w.overrides)).toEqual({ status: 'failed', error: 'KiroCd.HealthCheckFailed' });
    expect(w.notifier.ofKind('health-check-failed')[0]?.reason).toContain('Review rejected');
  });

  it('fails when nobody answers the review in time', async () => {
    const w = world({ 'KiroWorker-Test-lock-contention': 'ALARM' });
    expect(await run(w.overrides)).toEqual({ status: 'failed', error: 'KiroCd.HealthCheckFailed' });
    expect(w.notifier.ofKind('health-check-failed')[0]?.reason).toContain('Nobody answered the review in time');
  }, 10_000);

  it('fails closed when the alarms cannot be read', async () => {
    const w = world({ 'KiroWorker-Test-poller-errors': 'throw' });
    expect(await run(w.overrides)).toEqual({ status: 'failed', error: 'KiroCd.HealthCheckFailed' });
    expect(w.notifier.ofKind('health-check-failed')[0]?.reason).toContain('ThrottlingException');
  });

  it('fails closed when a watched alarm does not exist', async () => {
    const w = world({ 'KiroWorker-Test-lock-contention': 'MISSING' });
    expect(await run(w.overrides)).toEqual({ status: 'failed', error: 'KiroCd.HealthCheckFailed' });
  });

  it('fails when a task itself errors, and still records why', async () => {
    const w = world({}, { failStep: 'check' });
    expect(await run(w.overrides)).toEqual({ status: 'failed', error: 'KiroCd.HealthCheckFailed' });
    expect(w.notifier.ofKind('health-check-failed')[0]?.reason).toContain('The health monitor itself failed');
  });

  it('creates its Lambdas with explicit, least-privilege actions: alarms read by ARN in the same account, through the observer role across accounts', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown; Sid?: string }[] } } }[];
    const statements = policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement);
    expect(statements.flatMap((statement) => [statement.Action].flat()).filter((action) => action.includes('*'))).toEqual([]);
    const readAlarms = statements.find((statement) => statement.Sid === 'ReadAlarms');
    expect(JSON.stringify(readAlarms?.Resource)).toContain(':cloudwatch:us-east-1:222222222222:alarm:KiroWorker-Test-poller-errors');
    expect(JSON.stringify(readAlarms?.Resource)).not.toContain('444444444444');
    expect(statements.find((statement) => statement.Sid === 'AssumeObserverRoles')?.Resource).toBe('arn:aws:iam::444444444444:role/kiro-cd-observer');
    expect(statements.find((statement) => statement.Sid === 'WakeWatch')?.Action).toBe('states:SendTaskFailure');
  });

  it('routes the watched alarms’ state changes to the alarm-event Lambda, with a KMS-encrypted dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: Match.arrayWith(['KiroWorker-Production-poller-errors']) } },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
    template.resourceCountIs('AWS::Lambda::Function', 2);
  });

  it('logs to a KMS-encrypted group and traces with X-Ray', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', { TracingConfiguration: { Enabled: true }, LoggingConfiguration: { Level: 'ALL' } });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 90, KmsKeyId: {} });
  });
});
