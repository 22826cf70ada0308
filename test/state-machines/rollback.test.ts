/**
 * The rollback state machine's synthesized definition, validated with asl-validator and run through
 * the rehearsal's local runner: its step task bound by the function ARN the template resolves to, to
 * the real step handler over in-memory fakes and the local CodePipeline (over its endpoint), its Wait
 * state, its own timeout and the pipeline's actions waiting on one time line that moves only when the
 * step in flight has ended (test/support/event-driven-clock.ts). The trigger starts it through the local Step Functions, as on AWS.
 */
import { createRequire } from 'node:module';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../infrastructure/lib/config/load-config.js';
import { ROLLBACK_STATES, Rollback } from '../../infrastructure/lib/constructs/rollback/rollback.js';
import { parseDefinition, type AslDefinition } from '../../src/local/local-state-machine.js';
import { LocalStepFunctions, StepFunctionsApiError } from '../../src/local/local-step-functions.js';
import { resolutionContextFor, resolveIntrinsics, type SynthesizedStack, type TemplateResource } from '../../src/local/synthesized-templates.js';
import { TaskTokenBroker } from '../../src/local/task-token-broker.js';
import { CodePipelineControl } from '../../src/pipeline/adapters/aws/codepipeline-control.js';
import { rollbackExecutionName } from '../../src/pipeline/adapters/aws/sfn-rollback-executions.js';
import { rollbackTimingFor } from '../../src/pipeline/domain/plan/rollback-inputs.js';
import { createHandler as createAdvance } from '../../src/pipeline/handlers/rollback-advance.js';
import { createHandler as createTrigger } from '../../src/pipeline/handlers/rollback-trigger.js';
import type { RollbackExecutions } from '../../src/pipeline/ports/rollback-executions.js';
import { EventDrivenClock } from '../support/event-driven-clock.js';
import { InMemoryNotifier } from '../support/fakes/in-memory-notifier.js';
import { CountingIds, ENVIRONMENTS, FAILED, InMemoryRollbackLedger, PIPELINE, stagingFailureScene } from '../unit/pipeline/domain/rollback/rollback-fixtures.js';
import { testApp } from '../support/test-app.js';

const ACCOUNT = '111111111111';
const REGION = 'us-east-1';
const config = loadDeploymentConfig();
const timing = rollbackTimingFor(config, { healthMonitor: true });
const validate = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => { isValid: boolean; errors: unknown[] };
/**
 * What the local runner divides a fixed-Seconds Wait state by: none here (the one Wait state reads
 * SecondsPath and waits on the event-driven clock, as do the definition's timeouts), so time on the
 * clock is exactly the definition's. Before, a compressed real-time clock (250×) made the 1500 s
 * restart and the deadline take about 6 s of real time each.
 */
const FACTOR = 1;


const stageFailed = {
  version: '0', id: 'e-1', 'detail-type': 'CodePipeline Stage Execution State Change', source: 'aws.codepipeline', account: ACCOUNT, time: '2026-03-02T09:11:00Z', region: REGION, resources: [],
  detail: { pipeline: PIPELINE, version: 3, 'execution-id': FAILED, stage: 'Staging-Application', state: 'FAILED' },
};

describe('rollback state machine, run locally from its synthesized definition', () => {
  let definition: AslDefinition;
  let stateMachineArn: string;
  let advanceArn: string;

  beforeAll(() => {
    const app = testApp();
    const stack = new Stack(app, 'Runtime', { env: { account: ACCOUNT, region: REGION } });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new Rollback(stack, 'Rollback', {
      pipelineName: PIPELINE,
      sourceActionName: 'owner_repo',
      environments: ENVIRONMENTS,
      waits: timing,
      key,
      logRetentionDays: 90,
      historyTable: dynamodb.Table.fromTableName(stack, 'History', 'kiro-cd-history'),
      ledgerTable: dynamodb.Table.fromTableName(stack, 'Ledger', 'kiro-cd-ledger'),
      teamTopic: sns.Topic.fromTopicArn(stack, 'Team', `arn:aws:sns:${REGION}:${ACCOUNT}:team`),
    });
    const json = Template.fromStack(stack).toJSON() as { Resources: Record<string, TemplateResource> };
    const synthesized: SynthesizedStack = { artifactId: 'Runtime', stage: '', stackName: 'Runtime', templateFile: 'Runtime.template.json', resources: json.Resources, outputs: {} };
    const context = resolutionContextFor(synthesized, { region: REGION, account: ACCOUNT });
    const [machineId, machine] = Object.entries(json.Resources).find(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine') ?? [];
    definition = parseDefinition(String(resolveIntrinsics(machine?.Properties?.DefinitionString, context)));
    stateMachineArn = String(resolveIntrinsics({ 'Fn::GetAtt': [machineId, 'Arn'] }, context));
    const advanceId = Object.keys(json.Resources).find((id) => id.startsWith('RollbackAdvance') && json.Resources[id]?.Type === 'AWS::Lambda::Function') ?? '';
    advanceArn = String(resolveIntrinsics({ 'Fn::GetAtt': [advanceId, 'Arn'] }, context));
  });

  /** History, local CodePipeline, fakes, the local Step Functions with the step bound by ARN, and the trigger. */
  async function world(options: { readonly restart?: boolean; readonly neverEnds?: boolean } = {}) {
    const clock = new EventDrivenClock(new Date('2026-03-02T10:00:00Z'));
    const { history, pipeline } = await stagingFailureScene({ clock });
    if (options.restart === true) {
      // No eligible stage target (the pipeline changed since): the restart, a whole pipeline run deploying three environments, 500 s each (about 1500 s).
      pipeline.changeDefinition();
      pipeline.script = (call) => (call.variables.KIRO_ROLLBACK === 'true' && call.action === 'Deploy' ? { takesMs: 500_000 } : undefined);
    }
    // Every deployment of a rollback hangs (CloudFormation's own timeout is three days).
    if (options.neverEnds === true) pipeline.script = (call) => (call.action === 'Deploy' && (call.executionType === 'ROLLBACK' || call.variables.KIRO_ROLLBACK === 'true') ? { takesMs: 24 * 60 * 60_000 } : undefined);
    const notifier = new InMemoryNotifier();
    const ledger = new InMemoryRollbackLedger();
    const ids = new CountingIds();
    const advance = createAdvance({ history, notifier, ledger, pipeline: new CodePipelineControl(pipeline.client, PIPELINE), clock, ids, timing, environments: ENVIRONMENTS });
    const steps: unknown[] = [];
    const stepFunctions = new LocalStepFunctions({
      stateMachines: new Map([[stateMachineArn, definition]]),
      // Time stands still while a step runs (its calls to the local CodePipeline are real HTTP).
      lambdaFor: (arn) => (arn === advanceArn ? (payload) => clock.busyWhile(() => { steps.push(payload); return advance(payload); }) : undefined),
      broker: new TaskTokenBroker(),
      factor: FACTOR,
      clock,
    });
    // The adapter's naming rule and input, on the local service instead of the SDK.
    const executions: RollbackExecutions = {
      start: (key, progress) => {
        try {
          return Promise.resolve({ kind: 'started', executionArn: stepFunctions.startExecution({ stateMachineArn, name: rollbackExecutionName(key), input: JSON.stringify({ progress }) }).executionArn });
        } catch (error) {
          if (error instanceof StepFunctionsApiError && error.errorName === 'ExecutionAlreadyExists') return Promise.resolve({ kind: 'exists' });
          return Promise.reject(error instanceof Error ? error : new Error(String(error)));
        }
      },
    };
    const trigger = createTrigger({ pipelineName: PIPELINE, history, ledger, executions, clock, ids, environments: ENVIRONMENTS, log: () => undefined });
    /** Lets every execution run to its end, time moving from timer to timer. */
    const settle = (): Promise<void> => clock.runUntil(stepFunctions.settled());
    return { history, codepipeline: pipeline, clock, notifier, ledger, stepFunctions, trigger, steps, settle };
  }

  it('is valid Amazon States Language: advance, decide, wait by SecondsPath, loop', () => {
    const result = validate(definition);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
    expect(definition.StartAt).toBe(ROLLBACK_STATES.advance);
    expect(definition.States[ROLLBACK_STATES.wait]).toMatchObject({ Type: 'Wait', SecondsPath: '$.waitSeconds', Next: ROLLBACK_STATES.advance });
    expect(definition.TimeoutSeconds).toBeGreaterThan(timing.followSeconds);
  });

  it('follows a restart that needs about 1500 s to its end: trigger → StartExecution → step loop → succeeded', async () => {
    const w = await world({ restart: true });
    const started = w.clock.now().getTime();
    const result = await w.trigger(stageFailed);
    expect(result).toMatchObject({ kind: 'started' });
    await w.settle();
    const executionArn = result.kind === 'started' ? result.executionArn : '';
    const described = w.stepFunctions.describeExecution({ executionArn });
    expect(described).toMatchObject({ status: 'SUCCEEDED' });
    expect(JSON.parse(String(described['output']))).toMatchObject({ done: { kind: 'succeeded', scope: 'full' } });
    expect((w.clock.now().getTime() - started) / 1000).toBeGreaterThan(1400);
    expect(w.notifier.notices.map((notice) => notice.kind).at(-1)).toBe('rollback-succeeded');
    expect(w.steps.length).toBeGreaterThan(50);
    expect(w.codepipeline.calls.filter((call) => call.operation === 'StartPipelineExecution')).toHaveLength(1);
  }, 30_000);

  it('a second trigger for the same release starts nothing: the execution name is taken', async () => {
    const w = await world();
    expect(await w.trigger(stageFailed)).toMatchObject({ kind: 'started' });
    expect(await w.trigger({ ...stageFailed, id: 'e-2' })).toMatchObject({ kind: 'duplicate' });
    await w.settle();
    expect(w.codepipeline.calls.filter((call) => call.operation === 'RollbackStage')).toHaveLength(1);
    expect(w.stepFunctions.running()).toBe(0);
  }, 30_000);

  it('ends in RollbackFailed, recorded and announced, when nothing finishes by the deadline', async () => {
    const w = await world({ neverEnds: true });
    const result = await w.trigger(stageFailed);
    await w.settle();
    const described = w.stepFunctions.describeExecution({ executionArn: result.kind === 'started' ? result.executionArn : '' });
    expect(described).toMatchObject({ status: 'FAILED', error: 'KiroCd.RollbackFailed' });
    expect(w.notifier.notices.map((notice) => notice.kind).at(-1)).toBe('rollback-failed');
    expect((await w.ledger.get(`${PIPELINE}#staging#${FAILED}`))?.status).toBe('failed');
  }, 30_000);

  it('refuses a state machine the templates do not have, and a name Step Functions would refuse', async () => {
    const w = await world();
    expect(() => w.stepFunctions.startExecution({ stateMachineArn: `${stateMachineArn}-other`, name: 'x', input: '{}' })).toThrow(expect.objectContaining({ name: 'StateMachineDoesNotExist' }));
    expect(() => w.stepFunctions.startExecution({ stateMachineArn, name: 'a#b', input: '{}' })).toThrow(expect.objectContaining({ name: 'InvalidName' }));
    expect(rollbackExecutionName(`${PIPELINE}#staging#${FAILED}#to#${'f'.repeat(40)}#retry#12`)).toMatch(/^[0-9A-Za-z_-]{1,80}$/);
  });

  it('stops a running execution on StopExecution (ABORTED)', async () => {
    const w = await world({ neverEnds: true });
    const result = await w.trigger(stageFailed);
    const executionArn = result.kind === 'started' ? result.executionArn : '';
    w.stepFunctions.stopExecution({ executionArn });
    await w.settle();
    expect(w.stepFunctions.describeExecution({ executionArn })).toMatchObject({ status: 'ABORTED' });
  }, 30_000);
});
