/**
 * The health monitor's synthesized definition, run through the same local runner the rehearsal
 * uses (`runLocally` with the `TaskTokenBroker`), its Lambda tasks bound by the function ARN that
 * `findRuntimeBinding` resolves from the template to the real step handler with in-memory fakes.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as sns from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { HEALTH_MONITOR_STATES as S, HealthMonitor } from '../../infrastructure/lib/constructs/health-monitor/health-monitor.js';
import { loadDeploymentConfig } from '../../infrastructure/lib/config/load-config.js';
import type { AlarmReading } from '../../src/pipeline/domain/health/health-verdict.js';
import type { AlarmStateValue } from '../../src/pipeline/domain/history-model.js';
import { createHandler } from '../../src/pipeline/handlers/health-monitor.js';
import { runLocally, type LocalExecutionResult, type LocalLambda } from '../../src/local/local-state-machine.js';
import { TaskTokenBroker } from '../../src/local/task-token-broker.js';
import { resolutionContextFor, type SynthesizedStack, type TemplateResource } from '../../src/local/synthesized-templates.js';
import { findRuntimeBinding } from '../../src/rehearsal/runtime-binding.js';
import type { RuntimeBinding } from '../../src/rehearsal/rehearsal-runtime.js';
import { InMemoryDeploymentHistory } from '../support/fakes/in-memory-deployment-history.js';
import { InMemoryHealthSignals } from '../support/fakes/in-memory-health-signals.js';
import { InMemoryNotifier } from '../support/fakes/in-memory-notifier.js';
import { testApp } from '../support/test-app.js';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const config = loadDeploymentConfig();
const test = config.environments.find((environment) => environment.name === 'test')!;
const input = { environment: 'test', executionId: '00000000-0000-4000-8000-000000000001', commitId: 'abc123', stage: 'Test-Application' };
const FAILED = { kind: 'failed', error: 'KiroCd.HealthCheckFailed' };
/**
 * The time compression of the runs that wait out a 1-second poll interval or review timeout: the
 * rehearsal's own mechanism (the definition's TimeoutSeconds divided by the factor), so these
 * waits take 50 ms instead of a second each.
 */
const TIMED_OUT = 20;

interface WorldOptions {
  /** Answers the review task once it waits (as a reviewer running `kiro-cd approve` would). */
  readonly reviewer?: (broker: TaskTokenBroker, token: string) => void;
  /** The step whose Lambda invocation crashes. */
  readonly failStep?: string;
}

/** The handler with in-memory ports, the broker, and every payload the state machine sent the Lambda. */
function world(states: Partial<Record<string, AlarmStateValue | 'throw'>>, options: WorldOptions = {}) {
  const history = new InMemoryDeploymentHistory();
  const notifier = new InMemoryNotifier();
  const signals = new InMemoryHealthSignals();
  const broker = new TaskTokenBroker();
  const payloads: Record<string, unknown>[] = [];
  const tokens: { token: string; purpose: string }[] = [];
  let now = Date.parse('2026-03-02T10:00:00Z');
  const handler = createHandler({
    pipelineName: config.pipeline.name,
    environments: config.environments,
    alarmReaderFor: () => ({
      read: (names): Promise<AlarmReading[]> => {
        if (Object.values(states).includes('throw')) return Promise.reject(new Error('ThrottlingException: Rate exceeded'));
        return Promise.resolve(names.map((name) => ({ name, state: states[name] ?? 'OK' }) as AlarmReading));
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
  const lambda: LocalLambda = async (payload) => {
    payloads.push(payload as Record<string, unknown>);
    const step = (payload as { step?: string }).step;
    if (step !== undefined && options.failStep === step) throw Object.assign(new Error('Lambda crashed'), { name: 'Lambda.Unknown' });
    return handler(payload);
  };
  broker.onWaiting((token, purpose) => {
    tokens.push({ token, purpose });
    if (purpose === S.review) options.reviewer?.(broker, token);
  });
  return { history, notifier, signals, broker, lambda, payloads, tokens };
}

describe('health monitor state machine, run by the rehearsal\'s local runner from its synthesized definition', () => {
  let binding: RuntimeBinding;
  let template: Template;

  beforeAll(() => {
    const app = testApp();
    const stack = new Stack(app, 'Monitor', { env: { account: ACCOUNT, region: REGION } });
    new HealthMonitor(stack, 'HealthMonitor', {
      pipelineName: config.pipeline.name,
      environments: config.environments,
      key: new kms.Key(stack, 'Key', { enableKeyRotation: true }),
      logRetentionDays: config.pipeline.logRetentionDays,
      historyTable: dynamodb.Table.fromTableName(stack, 'History', 'kiro-cd-history'),
      signalsTable: dynamodb.Table.fromTableName(stack, 'Ledger', 'kiro-cd-ledger'),
      teamTopic: sns.Topic.fromTopicArn(stack, 'Team', `arn:aws:sns:${REGION}:${ACCOUNT}:kiro-cd-team`),
      observerRoleArns: { production: 'arn:aws:iam::444444444444:role/kiro-cd-observer' },
      // Shortened through the construct's configuration (not another code path), so the watch and the review timeout take a second.
      pollInterval: Duration.seconds(1),
      reviewTimeout: Duration.seconds(1),
    });
    template = Template.fromStack(stack);
    const json = template.toJSON() as { Resources: Record<string, TemplateResource> };
    const synthesized: SynthesizedStack = { artifactId: 'Monitor', stage: '', stackName: 'Monitor', templateFile: 'Monitor.template.json', resources: json.Resources, outputs: {} };
    // The rehearsal's own binding: definition and function ARN resolved from the template.
    const found = findRuntimeBinding([synthesized], { Monitor: resolutionContextFor(synthesized, { region: REGION, account: ACCOUNT }) });
    if (found.kind !== 'found') throw new Error(`The synthesized health monitor does not bind: ${found.missing.join('; ')}`);
    binding = found.binding;
  });

  /**
   * Runs the definition as the rehearsal does, the step Lambda bound only to the function ARN the
   * definition names. `factor` compresses the definition's timeouts as the rehearsal's clock does:
   * {@link TIMED_OUT} for the tests that wait a watch or the review out (each second of the
   * definition then takes 50 ms), 1 where a test measures that something ends before the timeout.
   */
  const run = (w: ReturnType<typeof world>, factor = 1): Promise<LocalExecutionResult> =>
    runLocally({
      definition: binding.healthMonitorDefinition,
      input,
      lambdaFor: (functionArn) => (functionArn === binding.healthMonitorFunctionArn ? w.lambda : undefined),
      broker: w.broker,
      factor,
    });

  it('binds the tasks to the step function of the template, by its resolved ARN', () => {
    // The Lambda functions the definition string itself references (read from the template, not from the binding).
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as { Properties: { DefinitionString: unknown } };
    const lambdas = Object.keys(template.findResources('AWS::Lambda::Function'));
    const referenced = [...JSON.stringify(machine.Properties.DefinitionString).matchAll(/"Fn::GetAtt":\["([^"]+)","Arn"\]/g)].map((match) => match[1]).filter((id) => id !== undefined && lambdas.includes(id));
    const [stepFunction] = new Set(referenced);
    expect(new Set(referenced).size).toBe(1);
    expect(stepFunction).toBeDefined();
    expect(binding.healthMonitorFunctionArn).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:Monitor-${stepFunction!}`);
  });

  it('refuses, loudly, a task whose function ARN the runner does not know', async () => {
    const w = world({});
    const stranger = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:somebody-else`;
    await expect(runLocally({ definition: binding.healthMonitorDefinition, input, lambdaFor: (arn) => (arn === stranger ? w.lambda : undefined), broker: w.broker, factor: 1 })).rejects.toThrow(binding.healthMonitorFunctionArn);
    expect(w.payloads).toEqual([]);
  });

  it('passes when every alarm stays OK for the whole bake, recording each check', async () => {
    const w = world({});
    expect(await run(w, TIMED_OUT)).toMatchObject({ kind: 'succeeded' });
    const checks = (await w.history.timeline(input.executionId)).filter((event) => event.kind === 'health-check');
    expect(checks.length).toBeGreaterThanOrEqual(2);
    expect(checks.at(-1)).toMatchObject({ verdict: 'pass' });
  }, 20_000);

  it('expires each watch token when its poll interval times it out: a late alarm event is refused with TaskTimedOut', async () => {
    const w = world({});
    expect(await run(w, TIMED_OUT)).toMatchObject({ kind: 'succeeded' });
    const watch = w.tokens.find((entry) => entry.purpose === S.watch);
    expect(watch).toBeDefined();
    expect(() => w.broker.interruptWatch(watch!.token, 'KiroWorker-Test-poller-errors', 'fired late')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
  }, 20_000);

  it('fails at the first check after a critical alarm, and notifies', async () => {
    const w = world({ 'KiroWorker-Test-poller-errors': 'ALARM' });
    expect(await run(w)).toMatchObject(FAILED);
    expect(w.notifier.ofKind('health-check-failed')[0]?.reason).toContain('KiroWorker-Test-poller-errors');
  });

  it('stops the bake at once when a critical alarm event arrives while it sleeps (not at the next poll)', async () => {
    const w = world({});
    const asleep = new Promise<string>((resolve) => {
      w.broker.onWaiting((token, purpose) => {
        if (purpose === S.watch) resolve(token);
      });
    });
    const execution = run(w);
    const token = await asleep;
    const started = Date.now();
    await w.broker.interruptWatch(token, 'KiroWorker-Test-worker-build-failures', 'fired');
    expect(await execution).toMatchObject(FAILED);
    // The watch would time out after the 1 s poll interval; the interruption ends it well before.
    expect(Date.now() - started).toBeLessThan(500);
    expect(w.notifier.ofKind('health-check-failed')[0]?.reason).toContain('Critical alarm fired during the bake');
  });

  it('pauses on a warning, and an approval lets the bake pass', async () => {
    const w = world({ 'KiroWorker-Test-lock-contention': 'ALARM' }, { reviewer: (broker, token) => void broker.approve(token, 'sre@example.com', 'known noisy') });
    expect(await run(w)).toMatchObject({ kind: 'succeeded' });
    const notice = w.notifier.ofKind('review-needed')[0];
    expect(notice?.details?.some((line) => line.startsWith('Approve: kiro-cd approve --token'))).toBe(true);
    expect((await w.history.timeline(input.executionId)).some((event) => event.kind === 'health-check' && event.verdict === 'review-approved')).toBe(true);
  }, 20_000);

  it('fails when the reviewer rejects', async () => {
    const w = world({ 'KiroWorker-Test-lock-contention': 'ALARM' }, { reviewer: (broker, token) => void broker.reject(token, 'sre@example.com', 'looks bad') });
    expect(await run(w)).toMatchObject(FAILED);
    expect(w.notifier.ofKind('health-check-failed')[0]?.reason).toContain('Review rejected');
  });

  it('fails with States.Timeout when nobody answers the review in time, and refuses the late answer with TaskTimedOut', async () => {
    const w = world({ 'KiroWorker-Test-lock-contention': 'ALARM' });
    expect(await run(w, TIMED_OUT)).toMatchObject(FAILED);
    // The review task's own TimeoutSeconds ended it: the failure step received States.Timeout.
    const conclude = w.payloads.find((payload) => payload.step === 'conclude') as { state: { failure?: { Error: string } } } | undefined;
    expect(conclude?.state.failure?.Error).toBe('States.Timeout');
    expect(w.notifier.ofKind('health-check-failed')[0]?.reason).toContain('Nobody answered the review in time');
    const review = w.tokens.find((entry) => entry.purpose === S.review);
    expect(review).toBeDefined();
    expect(() => w.broker.approve(review!.token, 'sre@example.com', 'too late')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
  }, 10_000);

  it('fails closed when the alarms cannot be read', async () => {
    const w = world({ 'KiroWorker-Test-poller-errors': 'throw' });
    expect(await run(w)).toMatchObject(FAILED);
    expect(w.notifier.ofKind('health-check-failed')[0]?.reason).toContain('ThrottlingException');
  });

  it('fails closed when a watched alarm does not exist', async () => {
    const w = world({ 'KiroWorker-Test-lock-contention': 'MISSING' });
    expect(await run(w)).toMatchObject(FAILED);
  });

  it('fails when a task itself errors, and still records why', async () => {
    const w = world({}, { failStep: 'check' });
    expect(await run(w)).toMatchObject(FAILED);
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
