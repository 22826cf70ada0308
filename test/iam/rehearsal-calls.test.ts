import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../infrastructure/lib/config/load-config.js';
import { readCatalogue } from '../../src/local/iam/call-catalogue.js';
import { proofIdentities } from '../../src/local/iam/iam-proof.js';
import { operatorPolicyName } from '../../src/local/iam/operator-identity.js';
import { asCaller, readRehearsalCalls, recordingRehearsalCalls, recordRehearsalCalls, REHEARSAL_CATALOGUE_FILE } from '../../src/local/iam/rehearsal-calls.js';
import { placeRehearsalCalls } from '../../src/local/iam/rehearsal-layout.js';
import { describeDenials, simulateCalls, type AttributedCall, type CallVerdict } from '../../src/local/iam/simulate-calls.js';
import { readSynthesizedIam, stacksOf, type PolicyStatement, type StackInScope, type SynthesizedIam } from '../../src/local/iam/synthesized-iam.js';
import { EMULATOR_ACCOUNT } from '../../src/local/emulator-account.js';
import { CALL_LOG_VARIABLE } from '../../src/shared/aws/call-recorder.js';
import { FUNCTION_CALLERS } from '../../src/shared/aws/callers.js';
import { motoClientConfig } from '../support/moto.js';
import { productAssembly } from '../support/shared-assembly.js';
import { asList, withoutStatement } from './weakened-iam.js';

describe('the rehearsal\'s opt-in call recorder', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'kiro-rehearsal-calls-'));
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('attributes each call on a shared client to the function whose invocation made it, and records nothing outside one', async () => {
    const file = join(scratch, 'calls.jsonl');
    const client = recordRehearsalCalls(new CloudWatchClient(motoClientConfig()), { [CALL_LOG_VARIABLE]: file });
    await client.send(new DescribeAlarmsCommand({ AlarmNames: ['outside'] }));
    await Promise.all([
      asCaller(FUNCTION_CALLERS.healthMonitorStep, async () => {
        await Promise.resolve();
        await client.send(new DescribeAlarmsCommand({ AlarmNames: ['monitor'] }));
      }),
      asCaller(FUNCTION_CALLERS.alarmStateChange, () => client.send(new DescribeAlarmsCommand({ AlarmNames: ['alarm-handler'] }))),
    ]);
    const calls = readRehearsalCalls(file).map((call) => `${call.caller} ${JSON.stringify((call.input as { AlarmNames: string[] }).AlarmNames)}`).sort();
    expect(calls).toEqual([`${FUNCTION_CALLERS.alarmStateChange} ["alarm-handler"]`, `${FUNCTION_CALLERS.healthMonitorStep} ["monitor"]`].sort());
  });

  it('leaves the client untouched without KIRO_CD_CALL_LOG, and reads no calls from a missing file', async () => {
    const client = new CloudWatchClient(motoClientConfig());
    const before = JSON.stringify((client.middlewareStack as unknown as { identify(): string[] }).identify());
    recordRehearsalCalls(client, {});
    expect(JSON.stringify((client.middlewareStack as unknown as { identify(): string[] }).identify())).toBe(before);
    await client.send(new DescribeAlarmsCommand({}));
    expect(readRehearsalCalls(join(scratch, 'absent.jsonl'))).toEqual([]);
  });

  it('records the clients built inside recordingRehearsalCalls without KIRO_CD_CALL_LOG, and no others', async () => {
    const file = join(scratch, 'scoped.jsonl');
    const inside = await recordingRehearsalCalls(file, async () => {
      await Promise.resolve();
      return recordRehearsalCalls(new CloudWatchClient(motoClientConfig()), {});
    });
    const outside = recordRehearsalCalls(new CloudWatchClient(motoClientConfig()), {});
    await asCaller(FUNCTION_CALLERS.healthMonitorStep, async () => {
      await inside.send(new DescribeAlarmsCommand({ AlarmNames: ['inside'] }));
      await outside.send(new DescribeAlarmsCommand({ AlarmNames: ['outside'] }));
    });
    expect(readRehearsalCalls(file).map((call) => call.input)).toEqual([{ AlarmNames: ['inside'] }]);
  });

  it('names the line of a broken file', () => {
    const file = join(scratch, 'broken.jsonl');
    writeFileSync(file, '{"caller":"x","service":"SNS","operation":"Publish","input":{}}\nnot json\n');
    expect(() => readRehearsalCalls(file)).toThrow(/broken\.jsonl line 2 is not a recorded call/);
    expect(readFileSync(file, 'utf8')).toContain('not json');
  });
});

/**
 * The rehearsal test's committed calls (rehearsal-calls.json, recorded in the emulator's one account)
 * placed in the account layout of the product's assembly, as npm run validate replays them. Each row
 * of the first table was a false finding before the placement: the same recorded call, simulated as
 * recorded, is denied.
 */
describe('the rehearsal\'s calls placed in the real account layout', () => {
  let stacks: StackInScope[];
  let iam: SynthesizedIam;
  let recorded: AttributedCall[];
  let placed: AttributedCall[];
  const operatorPolicy = operatorPolicyName(loadDeploymentConfig().pipeline.name);

  beforeAll(async () => {
    const assembly = await productAssembly();
    stacks = stacksOf(assembly);
    iam = readSynthesizedIam(assembly);
    recorded = readCatalogue(REHEARSAL_CATALOGUE_FILE);
    placed = placeRehearsalCalls(recorded, stacks);
  }, 360_000);

  const simulate = (calls: readonly AttributedCall[], model: SynthesizedIam = iam) => simulateCalls(calls, model, proofIdentities(model, operatorPolicy));

  it('allows every call of the committed catalogue once placed; as recorded, the calls naming the emulator account are denied', async () => {
    expect(placed.length).toBe(recorded.length);
    expect(describeDenials(await simulate(placed))).toEqual([]);
    expect(JSON.stringify(placed)).not.toContain(EMULATOR_ACCOUNT);
    const unplaced = (await simulate(recorded)).filter((verdict) => !verdict.allowed);
    expect(unplaced.length).toBeGreaterThan(0);
    // As recorded, a call names the emulator's account, or reads another account's alarms with the function's own role.
    const falseFinding = (verdict: CallVerdict): boolean => verdict.resource.includes(`:${EMULATOR_ACCOUNT}:`) || (verdict.action === 'cloudwatch:DescribeAlarms' && verdict.role.includes('HealthMonitorStepFunctionRole'));
    expect(unplaced.every(falseFinding), describeDenials(unplaced).join('\n')).toBe(true);
  });

  it.each([
    { why: 'the notifier publishes to the team topic of the pipeline account', caller: FUNCTION_CALLERS.notifyPipelineEvent, operation: 'Publish', action: 'sns:Publish', arn: /^arn:aws:sns:us-east-1:111111111111:KiroCd-PipelineRuntime-NotificationsTeam/, role: 'PipelineEventsNotifierRole', account: '111111111111' },
    { why: 'the rollback trigger starts the rollback state machine of the pipeline account', caller: FUNCTION_CALLERS.rollbackOrchestrator, operation: 'StartExecution', action: 'states:StartExecution', arn: /^arn:aws:states:us-east-1:111111111111:stateMachine:kiro-codebuild-worker-rollback$/, role: 'DeploymentSafetyRollbackOrchestratorRole', account: '111111111111' },
    { why: 'the health monitor assumes the staging observer role (cross-account: its grant and the role\'s trust)', caller: FUNCTION_CALLERS.healthMonitorStep, operation: 'DescribeAlarms', action: 'sts:AssumeRole', arn: /^arn:aws:iam::333333333333:role\/KiroWorker-Staging-pipeline-observer$/, role: 'DeploymentSafetyHealthMonitorStepFunctionRole', account: '111111111111' },
    { why: 'the health monitor reads the staging alarms as the observer role, in the staging account', caller: FUNCTION_CALLERS.healthMonitorStep, operation: 'DescribeAlarms', action: 'cloudwatch:DescribeAlarms', arn: /^arn:aws:cloudwatch:us-east-1:333333333333:alarm:KiroWorker-Staging-/, role: 'PipelineObserverAccessRole', account: '333333333333' },
  ])('$why: allowed when placed, denied as recorded', async ({ caller, operation, action, arn, role, account }) => {
    const verdict = (await simulate(placed)).find((candidate) => candidate.caller === caller && candidate.operation === operation && candidate.action === action && arn.test(candidate.resource));
    expect(verdict, JSON.stringify(placed.filter((call) => call.caller === caller))).toMatchObject({ allowed: true });
    expect(verdict?.role).toContain(role);
    expect(verdict?.roleArn.split(':')[4]).toBe(account);
    const asRecorded = recorded.filter((call) => call.caller === caller && call.operation === operation);
    expect((await simulate(asRecorded)).some((candidate) => !candidate.allowed)).toBe(true);
  });

  it('reads each environment\'s alarms through that environment\'s observer role, as alarmReaders does', () => {
    const reads = placed.filter((call) => call.operation === 'DescribeAlarms');
    expect(reads.length).toBeGreaterThan(0);
    for (const read of reads) {
      const prefix = /^KiroWorker-(\w+)-/.exec(String((read.input as { AlarmNames: string[] }).AlarmNames[0]))?.[1] ?? '';
      expect(read.assumedRoleArn, JSON.stringify(read)).toMatch(new RegExp(`^arn:aws:iam::\\d{12}:role/KiroWorker-${prefix}-pipeline-observer$`));
      expect(read).toMatchObject({ stackName: 'KiroCd-PipelineRuntime', region: 'us-east-1' });
    }
  });

  // A statement a rehearsed handler needs, removed: the check names the handler, the operation, the action, the ARN and the role.
  it.each([
    { why: 'the notifier publishes', role: 'PipelineEventsNotifierRole', remove: (statement: PolicyStatement) => statement.Sid === 'Notify', caller: FUNCTION_CALLERS.notifyPipelineEvent, operation: 'Publish', action: 'sns:Publish', arn: 'arn:aws:sns:us-east-1:111111111111:KiroCd-PipelineRuntime-NotificationsTeam' },
    { why: 'the rollback trigger starts the rollback', role: 'DeploymentSafetyRollbackOrchestratorRole', remove: (statement: PolicyStatement) => statement.Sid === 'StartRollback', caller: FUNCTION_CALLERS.rollbackOrchestrator, operation: 'StartExecution', action: 'states:StartExecution', arn: 'arn:aws:states:us-east-1:111111111111:stateMachine:kiro-codebuild-worker-rollback' },
    { why: 'the observer role reads alarms', role: 'PipelineObserverAccessRole', remove: (statement: PolicyStatement) => asList(statement.Action).includes('cloudwatch:DescribeAlarms'), caller: FUNCTION_CALLERS.healthMonitorStep, operation: 'DescribeAlarms', action: 'cloudwatch:DescribeAlarms', arn: 'arn:aws:cloudwatch:us-east-1:333333333333:alarm:KiroWorker-Staging-' },
  ])('fails when the statement for "$why" is removed', async ({ role, remove, caller, operation, action, arn }) => {
    const denials = describeDenials((await simulate(placed, withoutStatement(iam, role, remove))).filter((verdict) => !verdict.allowed));
    expect(denials.find((line) => line.startsWith(`${caller}: ${operation} needs ${action} on ${arn}`) && new RegExp(`; role \\S+/${role}\\S* \\(arn:aws:iam::\\d{12}:role/`).test(line)), denials.join('\n')).toBeDefined();
  });

  it('fails the cross-account read when the staging observer role no longer trusts the pipeline account', async () => {
    const weakened: SynthesizedIam = { ...iam, roles: iam.roles.map((role) => (role.arn.endsWith(':role/KiroWorker-Staging-pipeline-observer') ? { ...role, trust: { Statement: [] } } : role)) };
    const denials = describeDenials((await simulate(placed, weakened)).filter((verdict) => !verdict.allowed));
    expect(denials).toEqual([expect.stringMatching(new RegExp(`^${FUNCTION_CALLERS.healthMonitorStep}: DescribeAlarms needs sts:AssumeRole on arn:aws:iam::333333333333:role/KiroWorker-Staging-pipeline-observer; role \\S+/DeploymentSafetyHealthMonitorStepFunctionRole`))]);
  });

  it.each([
    { why: 'a call outside every function (the rehearsal\'s own)', call: { caller: 'rehearsal', service: 'DynamoDB', operation: 'Query', region: 'us-east-1', input: { TableName: 'x' } }, message: /for rehearsal, but no stack of the assembly deploys it as a function/ },
    { why: 'an ARN no template resource resolves to', call: { caller: FUNCTION_CALLERS.notifyPipelineEvent, service: 'SNS', operation: 'Publish', region: 'us-east-1', input: { TopicArn: `arn:aws:sns:us-east-1:${EMULATOR_ACCOUNT}:made-up` } }, message: /named arn:aws:sns:us-east-1:123456789012:made-up, but no resource of the assembly resolves to it/ },
    { why: 'alarms of two environments in one read', call: { caller: FUNCTION_CALLERS.healthMonitorStep, service: 'CloudWatch', operation: 'DescribeAlarms', region: 'us-east-1', input: { AlarmNames: ['KiroWorker-Test-poller-errors', 'KiroWorker-Staging-poller-errors'] } }, message: /which no one environment of its DEPLOYMENT_ENVIRONMENTS watches/ },
  ])('refuses to place $why', ({ call, message }) => {
    expect(() => placeRehearsalCalls([call], stacks)).toThrow(message);
  });
});
