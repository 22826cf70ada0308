import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../infrastructure/lib/config/load-config.js';
import { buildKiroCdApp } from '../../infrastructure/lib/kiro-cd-app.js';
import { applyPolicyPlugins } from '../../infrastructure/lib/policy/apply-policy-plugins.js';
import { describeDenials, identitiesFromTemplates, simulateCalls, type CallVerdict } from '../../src/local/iam/simulate-calls.js';
import { grantUsage } from '../../src/local/iam/grant-usage.js';
import { formatRoleTable } from '../../src/local/iam/iam-proof-table.js';
import { readSynthesizedIam, rolesOfCaller, stacksOf, type PolicyStatement, type SynthesizedIam, type TemplateRole } from '../../src/local/iam/synthesized-iam.js';
import type { RecordedCall } from '../../src/shared/aws/call-recorder.js';
import { FUNCTION_CALLERS } from '../../src/shared/aws/callers.js';
import { motoEndpoint } from '../support/moto.js';
import { exerciseFunctions, readAttributedCalls, type ExerciseOutcome } from './exercise-functions.js';
import { importedOperations } from './imported-commands.js';
import { UNEXERCISED_COMMANDS, UNEXERCISED_GRANTS } from './unexercised-grants.js';

/**
 * The least-privilege proof, allowed side: the product synthesized as app.ts does, every deployed
 * function run with its template environment against the emulator with the call recorder on, and
 * every recorded call simulated against the synthesized policies of the role that function has.
 */
describe('every recorded call is allowed by the synthesized policies', () => {
  let assembly: string;
  let iam: SynthesizedIam;
  let calls: RecordedCall[];
  let outcomes: ExerciseOutcome[];
  let verdicts: CallVerdict[];

  beforeAll(async () => {
    assembly = mkdtempSync(join(tmpdir(), 'kiro-iam-'));
    const app = new App({ outdir: assembly, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    buildKiroCdApp(app, loadDeploymentConfig());
    await applyPolicyPlugins(app);
    app.synth();
    iam = readSynthesizedIam(assembly);
    const callLogDirectory = mkdtempSync(join(assembly, 'calls-'));
    outcomes = await exerciseFunctions({ endpoint: motoEndpoint(), directory: assembly, stacks: stacksOf(assembly), callLogDirectory });
    calls = readAttributedCalls(callLogDirectory);
    verdicts = await simulateCalls(calls, iam, identitiesFromTemplates(iam));
  }, 240_000);
  afterAll(() => {
    rmSync(assembly, { recursive: true, force: true });
  });

  it('finds one role for each runtime function and one per environment for the poller', () => {
    for (const caller of [FUNCTION_CALLERS.recordPipelineEvent, FUNCTION_CALLERS.notifyPipelineEvent, FUNCTION_CALLERS.rollbackOrchestrator, FUNCTION_CALLERS.healthMonitorStep]) {
      expect(rolesOfCaller(iam, caller), caller).toHaveLength(1);
    }
    expect(rolesOfCaller(iam, FUNCTION_CALLERS.workerPoller)).toHaveLength(3);
  });

  it('ran every function deployment and recorded its calls', () => {
    expect(outcomes.filter((outcome) => outcome.error !== undefined)).toEqual([]);
    const callers = new Set(calls.map((call) => call.caller));
    for (const caller of Object.values(FUNCTION_CALLERS)) expect(callers, caller).toContain(caller);
  });

  it('exercises every command class the runtime code imports, except the explained ones', () => {
    const recorded = new Set(calls.map((call) => `${call.service}:${call.operation}`));
    const unexercised = [...importedOperations(process.cwd()).keys()].filter((operation) => !recorded.has(operation)).sort();
    expect(unexercised).toEqual(Object.keys(UNEXERCISED_COMMANDS).sort());
  });

  it('denies none of them', () => {
    expect(describeDenials(verdicts)).toEqual([]);
  });

  it('leaves no grant of the proven roles unused, except the explained ones', () => {
    const uses = grantUsage(iam, provenRoles(iam), verdicts);
    console.log(formatRoleTable(verdicts, uses));
    const unexplained = uses.filter(
      (use) => use.status === 'unused' && !UNEXERCISED_GRANTS.some((row) => use.role.split('/')[1]?.startsWith(row.role) === true && row.action === use.action && row.resource.test(use.resource)),
    );
    expect(unexplained.map((use) => `${use.role} ${use.action} ${use.resource}`)).toEqual([]);
  });

  // Each row removes one statement a handler needs; the check must then fail, naming the handler,
  // the operation, the action, the ARN and the role.
  it.each([
    { why: 'the recorder writes history facts', role: 'PipelineEventsRecorderRole', sid: 'RecordFacts', caller: FUNCTION_CALLERS.recordPipelineEvent, operation: 'PutItem', action: 'dynamodb:PutItem', arn: /:table\/KiroCd-PipelineRuntime-HistoryTable/ },
    { why: 'the notifier publishes to the team topic', role: 'PipelineEventsNotifierRole', sid: 'Notify', caller: FUNCTION_CALLERS.notifyPipelineEvent, operation: 'Publish', action: 'sns:Publish', arn: /^arn:aws:sns:us-east-1:111111111111:/ },
    { why: 'the health monitor assumes the observer role in the environment account', role: 'DeploymentSafetyHealthMonitorStepFunctionRole', sid: 'AssumeObserverRoles', caller: FUNCTION_CALLERS.healthMonitorStep, operation: 'DescribeAlarms', action: 'sts:AssumeRole', arn: /^arn:aws:iam::222222222222:role\/KiroWorker-Test-pipeline-observer$/ },
    { why: 'the alarm handler wakes the watch on a critical alarm', role: 'DeploymentSafetyHealthMonitorAlarmEventFunctionRole', sid: 'WakeWatch', caller: FUNCTION_CALLERS.alarmStateChange, operation: 'SendTaskFailure', action: 'states:SendTaskFailure', arn: /:stateMachine:kiro-codebuild-worker-health-monitor$/ },
    { why: 'the poller reads pending work items (environment account)', role: 'PollerRole', sid: undefined, caller: FUNCTION_CALLERS.workerPoller, operation: 'Query', action: 'dynamodb:Query', arn: /^arn:aws:dynamodb:us-east-1:222222222222:table\/KiroWorker-Test-Core-WorkItemsTable/ },
  ])('fails when the statement for "$why" is removed', async ({ role, sid, caller, operation, action, arn }) => {
    const weakened = withoutStatement(iam, role, (statement) => (sid === undefined ? asList(statement.Action).includes(action) : statement.Sid === sid));
    const denials = (await simulateCalls(calls, weakened, identitiesFromTemplates(weakened))).filter((verdict) => !verdict.allowed);
    const named = denials.find((verdict) => verdict.caller === caller && verdict.operation === operation && verdict.action === action && arn.test(verdict.resource) && verdict.role.includes(role));
    expect(named, describeDenials(denials).join('\n')).toBeDefined();
    expect(describeDenials(named === undefined ? [] : [named])[0]).toMatch(new RegExp(`^${caller}: ${operation} needs ${action} on arn:aws:\\S+; role \\S*${role}`));
  });

  it('fails a cross-account call when the target role no longer trusts the pipeline account', async () => {
    const weakened: SynthesizedIam = {
      ...iam,
      roles: iam.roles.map((candidate) => (candidate.arn.endsWith(':role/KiroWorker-Test-pipeline-observer') ? { ...candidate, trust: { Statement: [] } } : candidate)),
    };
    const denials = (await simulateCalls(calls, weakened, identitiesFromTemplates(weakened))).filter((verdict) => !verdict.allowed);
    expect(denials.map((verdict) => `${verdict.action} ${verdict.resource}`)).toContain('sts:AssumeRole arn:aws:iam::222222222222:role/KiroWorker-Test-pipeline-observer');
  });
});

/** The roles whose every caller the exercise runs: the runtime functions, the poller, the observer roles and the health monitor's state machine. */
function provenRoles(iam: SynthesizedIam): TemplateRole[] {
  const callers = Object.values(FUNCTION_CALLERS);
  const ofCallers = callers.flatMap((caller) => rolesOfCaller(iam, caller));
  const others = iam.roles.filter((role) => role.logicalId.startsWith('PipelineObserverAccessRole') || role.logicalId.startsWith('DeploymentSafetyHealthMonitorStateMachineRole'));
  return [...ofCallers, ...others];
}

function asList(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

/** The model with the matching statements removed from every role whose logical id starts with `rolePrefix`. */
function withoutStatement(iam: SynthesizedIam, rolePrefix: string, matches: (statement: PolicyStatement) => boolean): SynthesizedIam {
  return {
    ...iam,
    roles: iam.roles.map((role) =>
      role.logicalId.startsWith(rolePrefix)
        ? { ...role, policies: role.policies.map((policy) => ({ ...policy, document: { ...policy.document, Statement: policy.document.Statement.filter((statement) => !matches(statement)) } })) }
        : role,
    ),
  };
}
