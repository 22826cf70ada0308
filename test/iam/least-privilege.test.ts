import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../infrastructure/lib/config/load-config.js';
import { CALL_CATALOGUE_FILE, catalogueOf, formatCatalogue } from '../../src/local/iam/call-catalogue.js';
import { STAR_RESOURCE_EXCEPTIONS } from '../../src/local/iam/explained-grants.js';
import { proofIdentities, proveLeastPrivilege, type IamProofResult } from '../../src/local/iam/iam-proof.js';
import { runIamProof } from '../../src/local/iam/iam-proof-main.js';
import { operatorPolicyName } from '../../src/local/iam/operator-identity.js';
import { describeDenials, simulateCalls, type AttributedCall } from '../../src/local/iam/simulate-calls.js';
import { readSynthesizedIam, stacksOf, type SynthesizedIam } from '../../src/local/iam/synthesized-iam.js';
import { pipelineServiceCalls, serviceCallerIdentities, withBootstrapRoles, type PipelineServiceCalls } from '../../src/local/iam/service-calls.js';
import { functionDeployments, rolesOfCaller } from '../../src/local/iam/template-callers.js';
import { cliCaller, FUNCTION_CALLERS } from '../../src/shared/aws/callers.js';
import { motoEndpoint, resetMoto } from '../support/moto.js';
import { productAssembly } from '../support/shared-assembly.js';
import { exerciseCli, type CliOutcome } from './exercise-cli.js';
import { exerciseFunctions, forgetAccountCredentials, readAttributedCalls, type ExerciseOutcome } from './exercise-functions.js';
import { exerciseSuites, suiteDeployments, type SuiteOutcome } from './exercise-suites.js';
import { importedOperations } from './imported-commands.js';
import { UNEXERCISED_COMMANDS } from './unexercised-commands.js';
import { asList, withoutStatement } from './weakened-iam.js';

const CONFIG = loadDeploymentConfig();
const OPERATOR_POLICY = operatorPolicyName(CONFIG.pipeline.name);
/** The operational commands an on-call engineer runs with the operator policy (docs/cli.md). */
const OPERATOR_COMMANDS = ['status', 'history', 'dora', 'rollback', 'approve', 'reject'];

/**
 * The least-privilege proof, allowed side: the product synthesized as app.ts does, every deployed
 * function run with its template environment against the emulator with the call recorder on, and
 * every recorded call simulated against the synthesized policies of the role that function has;
 * then every operational `kiro-cd` command, simulated against the operator policy.
 */
describe('every recorded call is allowed by the synthesized policies', () => {
  /** The run's shared synthesis of the product (as app.ts builds it): read only, never written. */
  let assembly: string;
  /** This file's own files: the call logs and the catalogues and rehearsal logs it replays. */
  let scratch: string;
  let iam: SynthesizedIam;
  let calls: AttributedCall[];
  let outcomes: ExerciseOutcome[];
  let cliOutcomes: CliOutcome[];
  let suiteOutcomes: SuiteOutcome[];
  let service: PipelineServiceCalls;
  let proof: IamProofResult;

  beforeAll(async () => {
    // The same synthesis as app.ts's (test/support/synthesize-product.ts: buildKiroCdApp with the
    // repository's configuration, which CONFIG is, and the policy plugins), shared with the other
    // files that only read it instead of a second one of its own.
    assembly = await productAssembly();
    scratch = mkdtempSync(join(tmpdir(), 'kiro-iam-'));
    iam = readSynthesizedIam(assembly);
    const callLogDirectory = mkdtempSync(join(scratch, 'calls-'));
    const stacks = stacksOf(assembly);
    outcomes = await exerciseFunctions({ endpoint: motoEndpoint(), directory: assembly, stacks, callLogDirectory });
    // The suites find the environments' tables and alarms the function exercise provisioned.
    suiteOutcomes = await exerciseSuites({ endpoint: motoEndpoint(), stacks, callLogDirectory });
    // The CLI runs in a clean emulator: it creates the runtime stack's tables through CloudFormation, for the commands to discover.
    await resetMoto();
    forgetAccountCredentials();
    const teamTopicArn = functionDeployments(stacks, FUNCTION_CALLERS.rollbackAdvance)[0]?.variables.TEAM_TOPIC_ARN ?? '';
    cliOutcomes = await exerciseCli({ endpoint: motoEndpoint(), config: CONFIG, stacks, callLog: join(callLogDirectory, 'kiro-cd.jsonl'), teamTopicArn });
    calls = readAttributedCalls(callLogDirectory);
    service = pipelineServiceCalls(stacks);
    proof = await proveLeastPrivilege(iam, calls, OPERATOR_POLICY, service);
  }, 420_000);
  afterAll(() => {
    rmSync(scratch, { recursive: true, force: true });
  });

  it('finds one role for each runtime function and one per environment for the poller', () => {
    for (const caller of [FUNCTION_CALLERS.recordPipelineEvent, FUNCTION_CALLERS.notifyPipelineEvent, FUNCTION_CALLERS.rollbackOrchestrator, FUNCTION_CALLERS.rollbackAdvance, FUNCTION_CALLERS.healthMonitorStep]) {
      expect(rolesOfCaller(iam, caller), caller).toHaveLength(1);
    }
    expect(rolesOfCaller(iam, FUNCTION_CALLERS.workerPoller)).toHaveLength(3);
  });

  it('ran every function deployment and recorded its calls', () => {
    expect(outcomes.filter((outcome) => outcome.error !== undefined)).toEqual([]);
    const callers = new Set(calls.map((call) => call.caller));
    for (const caller of Object.values(FUNCTION_CALLERS)) expect(callers, caller).toContain(caller);
  });

  it('ran every operational kiro-cd command to a successful end and recorded its calls', () => {
    expect(cliOutcomes.filter((outcome) => outcome.code !== 0)).toEqual([]);
    const callers = new Set(calls.map((call) => call.caller));
    for (const command of OPERATOR_COMMANDS) expect(callers, command).toContain(cliCaller(command));
  });

  it('ran every post-deployment suite through its environment\'s test role and recorded its calls', () => {
    expect(suiteOutcomes.filter((outcome) => outcome.error !== undefined)).toEqual([]);
    expect(suiteOutcomes.map((outcome) => outcome.suite).sort()).toEqual(['e2e', 'integration', 'smoke']);
    for (const { caller } of suiteDeployments(stacksOf(assembly))) {
      const made = calls.filter((call) => call.caller === caller);
      expect(made.length, caller).toBeGreaterThan(0);
      expect(made.every((call) => call.assumedRoleArn?.endsWith('-post-deployment-tests') === true), caller).toBe(true);
    }
  });

  it('exercises every command class the runtime code imports, except the explained ones', () => {
    const recorded = new Set(calls.map((call) => `${call.service}:${call.operation}`));
    const unexercised = [...importedOperations(process.cwd()).keys()].filter((operation) => !recorded.has(operation)).sort();
    expect(unexercised).toEqual(Object.keys(UNEXERCISED_COMMANDS).sort());
  });

  it('denies none of them', () => {
    console.log(proof.table);
    expect(proof.denials).toEqual([]);
  });

  it('leaves no grant of the proven roles unused, except the explained ones', () => {
    expect(proof.unexplainedUnused).toEqual([]);
    expect(proof.uses.some((use) => use.role.includes('/Operator') && use.status === 'used')).toBe(true);
  });

  it('grants nothing on * that could name its resource, except the explained CDK Pipelines grants (every role, the asset role included)', () => {
    expect(proof.starResources).toEqual([]);
    expect(Object.keys(STAR_RESOURCE_EXCEPTIONS).every((key) => key.startsWith('CdkPipelineUpdatePipelineSelfMutationRole '))).toBe(true);
  });

  it('allows every call CodePipeline and CodeBuild make for the pipeline\'s actions, as AWS documents them', () => {
    const made = new Set(proof.serviceVerdicts.map((verdict) => verdict.action));
    for (const action of [
      'codebuild:StartBuild',
      'codebuild:BatchGetBuilds',
      'states:StartExecution',
      'states:DescribeExecution',
      'codeconnections:UseConnection',
      'sns:Publish',
      's3:PutObject',
      's3:GetObject',
      'sts:AssumeRole',
      'cloudformation:CreateStack',
      'cloudformation:UpdateStack',
      'iam:PassRole',
      'logs:CreateLogStream',
      'logs:PutLogEvents',
      'codebuild:CreateReport',
      'codebuild:BatchPutTestCases',
    ]) {
      expect(made, action).toContain(action);
    }
    expect(proof.serviceVerdicts.filter((verdict) => !verdict.allowed)).toEqual([]);
    // The CloudFormation actions are no longer left out: every one runs as a bootstrap deploy role built from the bootstrap template.
    expect(service.outsideAssembly).toEqual([]);
    expect(proof.serviceVerdicts.filter((verdict) => verdict.action === 'cloudformation:UpdateStack').map((verdict) => verdict.role)).toContain('CDKToolkit (444444444444/us-east-1)/DeploymentActionRole');
  });

  it('lists the pipeline\'s generated service roles apart, and every unused grant of theirs is explained', () => {
    console.log(proof.generatedUses.filter((use) => use.status === 'unused').length, 'explained unused grants of generated roles');
    expect(proof.unexplainedGenerated).toEqual([]);
    const roles = new Set(proof.generatedUses.map((use) => use.role.split('/')[1]?.replace(/[0-9A-F]{8}$/, '')));
    for (const role of ['PipelineRole', 'CdkPipelineCodeBuildActionRole', 'CdkPipelineAssetsFileRole', 'PipelineTestApplicationTestsintegrationRole', 'ImplementationRole']) expect(roles, role).toContain(role);
    // The suites' project roles use their sts:AssumeRole through the recorded suite calls.
    expect(proof.generatedUses.filter((use) => use.action === 'sts:AssumeRole' && use.resource.endsWith('-post-deployment-tests')).map((use) => use.status)).toEqual(['used', 'used', 'used']);
  });

  it('reports a grant added to a generated role that no documented call uses and no row explains, naming role, action and resource', async () => {
    const extra = { Effect: 'Allow' as const, Action: 'codebuild:DeleteProject', Resource: 'arn:aws:codebuild:us-east-1:111111111111:project/KiroCd-Pipeline-PipelineBuildSynthCdkBuildProject1250E181' };
    const widened: SynthesizedIam = {
      ...iam,
      roles: iam.roles.map((role) => (role.logicalId.startsWith('CdkPipelineCodeBuildActionRole') ? { ...role, policies: [...role.policies, { name: 'extra', document: { Statement: [extra] } }] } : role)),
    };
    const widenedProof = await proveLeastPrivilege(widened, calls, OPERATOR_POLICY, service);
    expect(widenedProof.unexplainedGenerated).toEqual([expect.stringMatching(/^KiroCd-Pipeline\/CdkPipelineCodeBuildActionRole\w+ codebuild:DeleteProject arn:aws:codebuild:us-east-1:111111111111:project\/KiroCd-Pipeline-PipelineBuildSynthCdkBuildProject1250E181$/)]);
  });

  // Each row removes one statement (or trust) a documented service call needs; the check must then
  // fail naming the caller, the operation, the action, the ARN and the role.
  it.each([
    { why: 'the artifact bucket lets the test account\'s deploy role read the templates', change: 'bucket-policy', caller: 'CodePipeline Test-Infrastructure/Deploy', operation: 'GetObject', action: 's3:GetObject', arn: /^arn:aws:s3:::\S*ArtifactBucket\S*\/Synth_Output\//, role: 'DeploymentActionRole' },
    { why: 'the deploy role trusts the pipeline account (cdk bootstrap --trust)', change: 'deploy-trust', caller: 'CodePipeline Staging-Application/KiroWorker-Staging-Application.Deploy', operation: 'DescribeStacks', action: 'sts:AssumeRole', arn: /^arn:aws:iam::333333333333:role\/cdk-hnb659fds-deploy-role-333333333333-us-east-1$/, role: 'PipelineRole' },
    { why: 'the deploy role may pass the execution role', change: 'pass-role', caller: 'CodePipeline Production-Infrastructure/Deploy', operation: 'PassRole', action: 'iam:PassRole', arn: /^arn:aws:iam::444444444444:role\/cdk-hnb659fds-cfn-exec-role-444444444444-us-east-1$/, role: 'DeploymentActionRole' },
    { why: 'the integration suite writes its test report', change: 'report-group', caller: 'CodeBuild KiroCd-Pipeline-PipelineTestApplicationTestsintegrationF59C850C', operation: 'CreateReport', action: 'codebuild:CreateReport', arn: /:report-group\/KiroCd-Pipeline-PipelineTestApplicationTestsintegrationF59C850C-integration-tests$/, role: 'PipelineTestApplicationTestsintegrationRole' },
    { why: 'the implementation project writes its build log', change: 'implementation-logs', caller: 'CodeBuild KiroWorker-Test-Application-ImplementationProject25FDD0F0', operation: 'PutLogEvents', action: 'logs:PutLogEvents', arn: /^arn:aws:logs:us-east-1:222222222222:log-group:\S+:log-stream:/, role: 'ImplementationRole' },
  ])('fails when the statement for "$why" is removed', async ({ change, caller, operation, action, arn, role }) => {
    let weakened = withBootstrapRoles(iam, service);
    if (change === 'bucket-policy') {
      weakened = { ...weakened, resourcePolicies: weakened.resourcePolicies.map((policy) => (policy.kind === 'bucket' ? { ...policy, document: { ...policy.document, Statement: policy.document.Statement.filter((statement) => !JSON.stringify(statement.Principal ?? '').includes('deploy-role-222222222222')) } } : policy)) };
    } else if (change === 'deploy-trust') {
      weakened = { ...weakened, roles: weakened.roles.map((candidate) => (candidate.arn.includes('deploy-role-333333333333') ? { ...candidate, trust: { Statement: candidate.trust.Statement.filter((statement) => !JSON.stringify(statement.Principal).includes(CONFIG.pipeline.account)) } } : candidate)) };
    } else if (change === 'pass-role') {
      weakened = withoutStatement(weakened, 'DeploymentActionRole', (statement) => statement.Action === 'iam:PassRole');
    } else if (change === 'report-group') {
      weakened = withoutStatement(weakened, 'PipelineTestApplicationTestsintegrationRole', (statement) => asList(statement.Action).includes('codebuild:CreateReport'));
    } else {
      weakened = withoutStatement(weakened, 'ImplementationRole', (statement) => asList(statement.Action).includes('logs:PutLogEvents'));
    }
    const denials = (await simulateCalls(service.calls, weakened, serviceCallerIdentities(weakened, service.callerRoles))).filter((verdict) => !verdict.allowed);
    const named = denials.find((verdict) => verdict.caller === caller && verdict.operation === operation && verdict.action === action && arn.test(verdict.resource) && verdict.role.includes(role));
    expect(named, describeDenials(denials).join('\n')).toBeDefined();
    expect(describeDenials(named === undefined ? [] : [named])[0]).toMatch(new RegExp(`^${caller.replace(/[.]/g, '\\.')}: ${operation} needs ${action} on arn:aws:\\S+; role .*${role}`));
  });

  it('fails when the source action role loses codeconnections:UseConnection', async () => {
    const weakened = withoutStatement(withBootstrapRoles(iam, service), 'PipelineSourceGitHubSourceCodePipelineActionRole', (statement) => asList(statement.Action).includes('codeconnections:UseConnection'));
    const denials = describeDenials((await simulateCalls(service.calls, weakened, serviceCallerIdentities(weakened, service.callerRoles))).filter((verdict) => !verdict.allowed));
    expect(denials).toEqual([expect.stringMatching(/^CodePipeline Source\/GitHub_Source: UseConnection needs codeconnections:UseConnection on arn:aws:codeconnections:us-east-1:111111111111:connection\/\S+; role \S*PipelineSourceGitHubSourceCodePipelineActionRole/)]);
  });

  // npm run validate replays this catalogue against cdk.out; a changed call shows here first (vitest -u rewrites it after review).
  it('matches the committed catalogue of recorded calls', async () => {
    await expect(formatCatalogue(catalogueOf(calls))).toMatchFileSnapshot(CALL_CATALOGUE_FILE);
  });

  it('passes npm run validate\'s replay of the committed catalogue over this assembly, and blocks a denied call', async () => {
    const lines: string[] = [];
    const out = { info: (line: string) => lines.push(line), error: (line: string) => lines.push(line) };
    // By default with the rehearsal test's committed calls (rehearsal-calls.json), placed in this assembly's accounts.
    expect(await runIamProof(assembly, { pipelineName: CONFIG.pipeline.name, out }), lines.join('\n')).toBe(0);
    expect(lines.join('\n')).toMatch(/KiroCd-PipelineRuntime\/Operator\S+\s+\d+\s+0\s/);
    expect(lines.join('\n')).toMatch(/With [1-9]\d* distinct calls the rehearsal recorded \(\S+rehearsal-calls\.json\), placed in the accounts of the assembly/);
    const catalogue = join(scratch, 'calls-with-an-ungranted-one.json');
    const extra: AttributedCall = { caller: cliCaller('rollback'), service: 'CodePipeline', operation: 'RollbackStage', region: 'us-east-1', input: { pipelineName: CONFIG.pipeline.name, stageName: 'Build' } };
    writeFileSync(catalogue, formatCatalogue([...catalogueOf(calls), extra]));
    lines.length = 0;
    expect(await runIamProof(assembly, { catalogue, pipelineName: CONFIG.pipeline.name, out })).toBe(1);
    expect(lines.join('\n')).toContain(`DENIED kiro-cd rollback: RollbackStage needs codepipeline:RollbackStage on arn:aws:codepipeline:us-east-1:${CONFIG.pipeline.account}:${CONFIG.pipeline.name}/Build`);
    // A rehearsal's recorded calls (KIRO_CD_CALL_LOG=… npm start) are replayed with the catalogue: the recorder never rolls back.
    const rehearsal = join(scratch, 'rehearsal-calls.jsonl');
    writeFileSync(rehearsal, `${JSON.stringify({ caller: FUNCTION_CALLERS.recordPipelineEvent, service: 'CodePipeline', operation: 'RollbackStage', region: 'us-east-1', input: { pipelineName: CONFIG.pipeline.name, stageName: 'Test-Application' } })}\n`);
    lines.length = 0;
    expect(await runIamProof(assembly, { pipelineName: CONFIG.pipeline.name, rehearsalCalls: rehearsal, out })).toBe(1);
    expect(lines.join('\n')).toContain(`DENIED ${FUNCTION_CALLERS.recordPipelineEvent}: RollbackStage needs codepipeline:RollbackStage on arn:aws:codepipeline:us-east-1:${CONFIG.pipeline.account}:${CONFIG.pipeline.name}/Test-Application`);
  });

  // Each row removes one statement a handler needs; the check must then fail, naming the handler,
  // the operation, the action, the ARN and the role.
  it.each([
    { why: 'the recorder writes history facts', role: 'PipelineEventsRecorderRole', sid: 'RecordFacts', caller: FUNCTION_CALLERS.recordPipelineEvent, operation: 'PutItem', action: 'dynamodb:PutItem', arn: /:table\/KiroCd-PipelineRuntime-HistoryTable/ },
    { why: 'the notifier publishes to the team topic', role: 'PipelineEventsNotifierRole', sid: 'Notify', caller: FUNCTION_CALLERS.notifyPipelineEvent, operation: 'Publish', action: 'sns:Publish', arn: /^arn:aws:sns:us-east-1:111111111111:/ },
    { why: 'the health monitor assumes the observer role in the environment account', role: 'DeploymentSafetyHealthMonitorStepFunctionRole', sid: 'AssumeObserverRoles', caller: FUNCTION_CALLERS.healthMonitorStep, operation: 'DescribeAlarms', action: 'sts:AssumeRole', arn: /^arn:aws:iam::222222222222:role\/KiroWorker-Test-pipeline-observer$/ },
    { why: 'the alarm handler wakes the watch on a critical alarm', role: 'DeploymentSafetyHealthMonitorAlarmEventFunctionRole', sid: 'WakeWatch', caller: FUNCTION_CALLERS.alarmStateChange, operation: 'SendTaskFailure', action: 'states:SendTaskFailure', arn: /:stateMachine:kiro-codebuild-worker-health-monitor$/ },
    { why: 'the operator rolls a stage back with kiro-cd rollback', role: 'Operator', sid: 'RollBackEnvironmentStages', caller: cliCaller('rollback'), operation: 'RollbackStage', action: 'codepipeline:RollbackStage', arn: /:codepipeline:us-east-1:111111111111:kiro-codebuild-worker\/Staging-Application$/ },
    { why: 'the operator finds the history table with kiro-cd history', role: 'Operator', sid: 'FindRuntimeTables', caller: cliCaller('history'), operation: 'ListStackResources', action: 'cloudformation:ListStackResources', arn: /:stack\/KiroCd-PipelineRuntime\// },
    { why: 'the e2e suite writes its fixture work item (staging account, through the assumed test role)', role: 'PostDeploymentTestAccessRole', sid: 'PlayWorkItems', caller: 'PipelineStagingApplicationTestse2e', operation: 'PutItem', action: 'dynamodb:PutItem', arn: /^arn:aws:dynamodb:us-east-1:333333333333:table\/KiroWorker-Staging-Core-WorkItemsTable/ },
    { why: 'the smoke suite reads the production alarms', role: 'PostDeploymentTestAccessRole', sid: 'ReadAlarms', caller: 'PipelineProductionApplicationTestssmoke', operation: 'DescribeAlarms', action: 'cloudwatch:DescribeAlarms', arn: /^arn:aws:cloudwatch:us-east-1:444444444444:alarm:KiroWorker-Production-/ },
    { why: 'the poller reads pending work items (environment account)', role: 'PollerRole', sid: undefined, caller: FUNCTION_CALLERS.workerPoller, operation: 'Query', action: 'dynamodb:Query', arn: /^arn:aws:dynamodb:us-east-1:222222222222:table\/KiroWorker-Test-Core-WorkItemsTable/ },
  ])('fails when the statement for "$why" is removed', async ({ role, sid, caller, operation, action, arn }) => {
    const weakened = withoutStatement(iam, role, (statement) => (sid === undefined ? asList(statement.Action).includes(action) : statement.Sid === sid));
    const denials = (await simulateCalls(calls, weakened, proofIdentities(weakened, OPERATOR_POLICY))).filter((verdict) => !verdict.allowed);
    const named = denials.find((verdict) => verdict.caller === caller && verdict.operation === operation && verdict.action === action && arn.test(verdict.resource) && verdict.role.includes(role));
    expect(named, describeDenials(denials).join('\n')).toBeDefined();
    expect(describeDenials(named === undefined ? [] : [named])[0]).toMatch(new RegExp(`^${caller}: ${operation} needs ${action} on arn:aws:\\S+; role \\S*${role}`));
  });

  it('fails a cross-account call when the target role no longer trusts the pipeline account', async () => {
    const weakened: SynthesizedIam = {
      ...iam,
      roles: iam.roles.map((candidate) => (candidate.arn.endsWith(':role/KiroWorker-Test-pipeline-observer') ? { ...candidate, trust: { Statement: [] } } : candidate)),
    };
    const denials = (await simulateCalls(calls, weakened, proofIdentities(weakened, OPERATOR_POLICY))).filter((verdict) => !verdict.allowed);
    expect(denials.map((verdict) => `${verdict.action} ${verdict.resource}`)).toContain('sts:AssumeRole arn:aws:iam::222222222222:role/KiroWorker-Test-pipeline-observer');
  });
});
