import { DEFAULT_SOURCE_ACTION } from '../../../../../src/pipeline/adapters/aws/codepipeline-control.js';
import { describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../../infrastructure/lib/config/load-config.js';
import { environmentsConfig } from '../../../../../infrastructure/lib/config/environments.js';
import type { DeploymentConfigInput } from '../../../../../src/shared/config/schema.js';
import { planPipeline } from '../../../../../src/pipeline/domain/plan/pipeline-plan.js';
import type { PipelinePlan, PlannedStage } from '../../../../../src/pipeline/domain/plan/plan-types.js';
import { deployedStages, shellActions, testMinutesUpperBound } from '../../../../../src/pipeline/domain/plan/plan-queries.js';
import { deploymentWindowCron } from '../../../../../src/pipeline/domain/plan/stage-conditions.js';
import { TIME_BUDGETS } from '../../../../../src/pipeline/domain/plan/time-budgets.js';
import { CHANGE_DETECTION_STAGE } from '../../../../../src/pipeline/domain/pipeline-vocabulary.js';
import { ConfigurationError } from '../../../../../src/shared/errors.js';
import { partitionOf } from '../../../../../src/pipeline/domain/plan/environment-roles.js';
import { STATIC_CHECKS_COMMAND } from '../../../../../src/pipeline/domain/plan/codebuild-actions.js';

const config = loadDeploymentConfig();
const plan = planPipeline(config, { historyTableName: 'kiro-history', healthMonitor: true });
/** Every environment in the pipeline's account, where CodePipeline's alarm rule can see the alarms. */
const PIPELINE_ACCOUNT = environmentsConfig.pipeline.account;
const sameAccountConfig = loadDeploymentConfig({
  ...environmentsConfig,
  environments: environmentsConfig.environments.map((environment) => ({ ...environment, account: PIPELINE_ACCOUNT })),
});
const sameAccountPlan = planPipeline(sameAccountConfig, { historyTableName: 'kiro-history', healthMonitor: true });

function stage<K extends PlannedStage['kind']>(p: PipelinePlan, name: string, kind: K): Extract<PlannedStage, { kind: K }> {
  const found = p.stages.find((s) => s.name === name);
  if (found?.kind !== kind) throw new Error(`no ${kind} stage named ${name}`);
  return found as Extract<PlannedStage, { kind: K }>;
}

function withEnvironment(name: string, patch: Record<string, unknown>): DeploymentConfigInput {
  return {
    ...environmentsConfig,
    environments: environmentsConfig.environments.map((environment) =>
      environment.name === name ? { ...environment, ...patch } : environment,
    ),
  };
}

describe('planPipeline', () => {
  it('orders Build, change detection, then test, staging, the approval and production', () => {
    expect(plan.stages.map((s) => s.name)).toEqual([
      'Build',
      'Assets',
      'Test-Infrastructure',
      'Test-Application',
      'Staging-Infrastructure',
      'Staging-Application',
      'Approve-Production',
      'Production-Infrastructure',
      'Production-Application',
    ]);
  });

  it('triggers on the configured branch only and chooses SUPERSEDED on purpose', () => {
    expect(plan.triggerBranches).toEqual(['main']);
    expect(plan.executionMode).toBe('SUPERSEDED');
  });

  it('skips an infrastructure stage unless change detection exported "deploy" for that environment', () => {
    expect(stage(plan, 'Staging-Infrastructure', 'infrastructure').conditions.beforeEntry).toEqual({
      result: 'SKIP',
      rules: [
        {
          kind: 'variable-check',
          name: 'InfrastructureChanged',
          variable: { producer: 'Detect-staging', name: 'INFRA_STAGING' },
          operator: 'EQ',
          value: 'deploy',
        },
      ],
    });
  });

  it('watches an environment in another account by the health monitor alone: the alarm rule cannot see its alarms', () => {
    for (const environment of ['Test', 'Staging', 'Production']) {
      const application = stage(plan, `${environment}-Application`, 'application');
      expect(application.conditions.onSuccess).toBeUndefined();
      expect(application.healthCheck).toBeDefined();
      expect(application.conditions.onFailure).toEqual({ result: 'ROLLBACK', rules: [] });
    }
  });

  it('with a health monitor, takes one last look at the critical alarms after the stage (1-minute WaitTime): the monitor watched the whole bake', () => {
    const onSuccess = stage(sameAccountPlan, 'Production-Application', 'application').conditions.onSuccess;
    expect(onSuccess?.result).toBe('ROLLBACK');
    expect(onSuccess?.rules).toEqual(
      ['poller-errors', 'worker-build-failures', 'poller-throttles'].map((id) => ({
        kind: 'cloudwatch-alarm',
        name: `Alarm-${id}`,
        alarmName: `KiroWorker-Production-${id}`,
        alarmStates: ['ALARM'],
        waitTimeMinutes: 1,
        region: 'us-east-1',
      })),
    );
  });

  it('without a health monitor, the condition is the bake: 5 minutes', () => {
    const rules = stage(planPipeline(sameAccountConfig), 'Production-Application', 'application').conditions.onSuccess?.rules ?? [];
    expect(new Set(rules.map((r) => (r.kind === 'cloudwatch-alarm' ? r.waitTimeMinutes : undefined)))).toEqual(new Set([5]));
  });

  it('waits a whole number of minutes covering the health check (90 s → 2 min, never shorter)', () => {
    const p = planPipeline(
      loadDeploymentConfig(withEnvironment('test', { account: PIPELINE_ACCOUNT, healthCheck: { durationSeconds: 90, intervalSeconds: 30 } })),
    );
    const rules = stage(p, 'Test-Application', 'application').conditions.onSuccess?.rules ?? [];
    expect(rules.map((r) => (r.kind === 'cloudwatch-alarm' ? r.waitTimeMinutes : undefined))).toEqual([2, 2]);
  });

  it('refuses more critical alarms than a condition can hold, saying how to fix it', () => {
    const raw = withEnvironment('test', {
      account: PIPELINE_ACCOUNT,
      alarms: { critical: ['poller-errors', 'poller-throttles', 'poller-duration', 'worker-build-failures', 'lock-contention'], warning: [] },
    });
    expect(() => planPipeline(loadDeploymentConfig(raw))).not.toThrow();
    const validated = loadDeploymentConfig(raw);
    const tooMany = {
      ...validated,
      environments: validated.environments.map((e) =>
        e.name === 'test' ? { ...e, alarms: { ...e.alarms, critical: [...e.alarms.critical, 'poller-errors' as const] } } : e,
      ),
    };
    expect(() => planPipeline(tooMany)).toThrow(ConfigurationError);
    expect(() => planPipeline(tooMany)).toThrow(/at most 5 rules.*mark the others as warnings/);
  });

  it('asks for the production approval with the configured 24-hour timeout and a summary of the release', () => {
    const approval = stage(plan, 'Approve-Production', 'approval');
    expect(approval.timeoutMinutes).toBe(1440);
    expect(approval.summary).toContain('#{SourceVariables.CommitId}');
    expect(approval.summary).toContain('#{SourceVariables.AuthorDisplayName}');
    expect(approval.summary).toContain('#{SourceVariables.CommitMessage}');
    expect(approval.summary).toContain('production=#{Detect-production.INFRA_PRODUCTION}');
    expect(approval.summary).toMatch(/no answer within the timeout, stops the release without a rollback/);
  });

  it('runs the health check, then the environment suite, after each application deployment', () => {
    const test = stage(plan, 'Test-Application', 'application');
    expect(test.healthCheck?.input).toEqual({
      environment: 'test',
      pipelineName: 'kiro-codebuild-worker',
      executionId: '#{codepipeline.PipelineExecutionId}',
      commitId: '#{SourceVariables.CommitId}',
      stage: 'Test-Application',
    });
    expect(test.tests.commands).toEqual(['npx vitest run --config vitest.deployed.config.ts test/deployed/integration']);
    expect(test.tests.env).toMatchObject({ KIRO_ENV: 'test', KIRO_STACK_PREFIX: 'KiroWorker-Test', AWS_REGION: 'us-east-1' });
    expect(stage(plan, 'Staging-Application', 'application').tests.name).toBe('Tests-e2e');
    expect(stage(plan, 'Production-Application', 'application').tests.name).toBe('Tests-smoke');
  });

  it('leaves the health check out when no health monitor exists', () => {
    expect(stage(planPipeline(config), 'Test-Application', 'application').healthCheck).toBeUndefined();
  });

  it('passes the history table to change detection, and omits the flag without one (first deployment: deploy)', () => {
    const detect = stage(plan, CHANGE_DETECTION_STAGE, 'change-detection').actions;
    expect(detect.map((a) => a.exportedVariables)).toEqual([['INFRA_TEST'], ['INFRA_STAGING'], ['INFRA_PRODUCTION']]);
    expect(detect[0]?.commands).toContain(
      // The Build's bundled detection, run on plain Node.js: the Detect actions skip npm ci.
      'node detection-tool/detect-changes.mjs detect-changes --environment test --to $CODEBUILD_RESOLVED_SOURCE_VERSION --history-table kiro-history --cdk-app cdk.out --exported-variables-file reports/infra-test.env',
    );
    const without = stage(planPipeline(config), CHANGE_DETECTION_STAGE, 'change-detection').actions[0];
    expect(without?.commands.join('\n')).not.toContain('--history-table');
  });

  it('lets each gate decide from the tool output without any masking construct', () => {
    const buildStage = stage(plan, 'Build', 'build');
    const build = buildStage.action;
    const [unitTests, staticChecks] = buildStage.besideSynth;
    for (const action of [build, ...buildStage.besideSynth]) {
      expect([...action.installCommands, ...action.commands, ...action.postBuildCommands].join('\n'), action.name).not.toMatch(/\|\|/);
    }
    expect(build.commands).toContain(
      'npm audit --json > reports/npm-audit.json; node bin/kiro-cd.js gate audit --input reports/npm-audit.json --mode pipeline',
    );
    expect(unitTests?.commands).toEqual([
      'mkdir -p reports',
      'npx vitest run --coverage; node bin/kiro-cd.js gate tests --junit reports/junit.xml',
      'node bin/kiro-cd.js gate coverage --summary coverage/coverage-summary.json --threshold 80',
    ]);
    expect(staticChecks?.commands).toEqual(['mkdir -p reports', STATIC_CHECKS_COMMAND]);
    // Each check runs once in the stage: the synth action neither tests nor lints again.
    expect(build.commands.join('\n')).not.toMatch(/vitest|eslint|typecheck/);
    // The secrets gate runs secretlint itself over every tracked file, before any other step.
    // With the history, it also scans every file version written since the commit production runs (issue 18).
    expect(build.commands.slice(0, 2)).toEqual(['mkdir -p reports', 'node bin/kiro-cd.js gate secrets --since-deployed production --history-table kiro-history --report-file reports/secrets.json']);
    expect(stage(planPipeline(config), 'Build', 'build').action.commands[1]).toBe('node bin/kiro-cd.js gate secrets --report-file reports/secrets.json');
    expect(build.commands).toContain('node bin/kiro-cd.js gate licences --report-file reports/licences.json');
    expect(build.commands.slice(-6)).toEqual([
      'npx cdk synth',
      // The Detect actions' tool artifact (the Build's second output).
      'npx tsx infrastructure/bin/bundle-detection.ts detection-tool',
      'node bin/kiro-cd.js sbom --output-dir cdk.out/sbom',
      'node bin/kiro-cd.js policy-gates --assembly cdk.out --report-file reports/gates.json',
      // Last, once everything has passed: whether UpdatePipeline has anything to deploy.
      'node bin/kiro-cd.js pipeline-changed --stack KiroCd-Pipeline --assembly cdk.out --exported-variables-file reports/pipeline-changed.env',
      'set -a && . ./reports/pipeline-changed.env && set +a',
    ]);
    expect(build.exportedVariables).toEqual(['PIPELINE_CHANGED']);
    expect(build.reports).toEqual({ 'security-scans': { files: ['reports/security-scans.xml'], format: 'JUNITXML' } });
    expect(unitTests?.reports).toEqual({
      'unit-tests': { files: ['reports/junit.xml'], format: 'JUNITXML' },
      coverage: { files: ['coverage/cobertura-coverage.xml'], format: 'COBERTURAXML' },
    });
    expect(staticChecks?.reports).toEqual({ 'static-checks': { files: ['reports/static-checks.xml'], format: 'JUNITXML' } });
    // Only the unit tests count against the TR-8 test budget; only the synth exports a variable.
    expect([build, ...buildStage.besideSynth].map((action) => [action.name, action.countsAsTests, action.exportedVariables.length])).toEqual([
      ['Synth', false, 1],
      ['UnitTests', true, 0],
      ['StaticChecks', false, 0],
    ]);
  });

  it('installs the pinned Python tools before the dependencies where an action needs cfn-lint or the emulator', () => {
    const build = stage(plan, 'Build', 'build');
    expect([build.action, ...build.besideSynth].map((action) => [action.name, action.installCommands])).toEqual([
      ['Synth', ['bash scripts/ensure-tools.sh', 'npm ci --ignore-scripts', 'npm rebuild esbuild']],
      ['UnitTests', ['bash scripts/ensure-tools.sh', 'npm ci --ignore-scripts', 'npm rebuild esbuild']],
      ['StaticChecks', ['npm ci --ignore-scripts', 'npm rebuild esbuild']],
    ]);
  });

  it('turns every report each Build action wrote into a scan report and metrics, in post_build', () => {
    const build = stage(plan, 'Build', 'build');
    const [scanReport, metrics, ...rest] = build.action.postBuildCommands;
    expect(rest).toEqual([]);
    // Both read exactly the files the synth action's build phase writes.
    for (const command of [scanReport, metrics]) {
      expect(command).toContain('--audit reports/npm-audit.json');
      expect(command).toContain('--gates-report reports/gates.json');
      expect(command).toContain('--secrets reports/secrets.json');
      expect(command).toContain('--licences reports/licences.json');
    }
    expect(scanReport).toMatch(/^node bin\/kiro-cd\.js scan-report --output reports\/security-scans\.xml /);
    expect(metrics).toMatch(/^node bin\/kiro-cd\.js publish-build-metrics .*--pipeline kiro-codebuild-worker$/);
    const [unitTests, staticChecks] = build.besideSynth;
    expect(unitTests?.postBuildCommands).toEqual(['node bin/kiro-cd.js publish-build-metrics --junit reports/junit.xml --coverage-summary coverage/coverage-summary.json --pipeline kiro-codebuild-worker']);
    expect(staticChecks?.postBuildCommands).toEqual([
      'node bin/kiro-cd.js scan-report --output reports/static-checks.xml --eslint reports/eslint.json',
      'node bin/kiro-cd.js publish-build-metrics --eslint reports/eslint.json --pipeline kiro-codebuild-worker',
    ]);
  });

  it('points each suite at its environment\'s test role, in the partition of the environment\'s region', () => {
    expect(stage(plan, 'Production-Application', 'application').tests.env['KIRO_TEST_ROLE_ARN']).toBe('arn:aws:iam::444444444444:role/KiroWorker-Production-post-deployment-tests');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('eu-west-1')).toBe('aws');
  });

  it('gives the end-to-end suite its fixture work item and time for a real worker build, within the 30-minute test budget', () => {
    const e2e = stage(plan, 'Staging-Application', 'application').tests;
    expect(e2e.env).toMatchObject({ KIRO_E2E_REPOSITORY: 'kiro-dev/kiro-worker-e2e-fixture', KIRO_E2E_BRANCH: 'main' });
    expect(e2e.timeoutMinutes).toBe(8);
    expect(stage(plan, 'Test-Application', 'application').tests.env).not.toHaveProperty('KIRO_E2E_REPOSITORY');
    expect(testMinutesUpperBound(plan)).toBe(30);
  });

  it('publishes each post-deployment suite as a JUnit report', () => {
    const tests = stage(plan, 'Staging-Application', 'application').tests;
    expect(tests.reports).toEqual({ 'e2e-tests': { files: ['reports/junit-deployed.xml'], format: 'JUNITXML' } });
  });

  it('keeps every test within the 30-minute TR-8 budget and gives every CodeBuild action a timeout CodeBuild accepts (5 minutes at least)', () => {
    expect(testMinutesUpperBound(plan)).toBeLessThanOrEqual(TIME_BUDGETS.testsTotalMinutes);
    for (const action of shellActions(plan)) expect(action.timeoutMinutes).toBeGreaterThanOrEqual(5);
  });

  it('checks the deployment window before the approval and before the application stage', () => {
    const windowed = planPipeline(
      loadDeploymentConfig(withEnvironment('production', { deploymentWindow: { cron: 'cron(* 9-15 ? * MON-THU *)', timeZone: 'Europe/Berlin' } })),
    );
    const expected = {
      result: 'FAIL',
      rules: [{ kind: 'deployment-window', name: 'DeploymentWindow', cron: '* * 9-15 ? * MON-THU *', timeZone: 'Europe/Berlin' }],
    };
    expect(stage(windowed, 'Approve-Production', 'approval').conditions.beforeEntry).toEqual(expected);
    expect(stage(windowed, 'Production-Application', 'application').conditions.beforeEntry).toEqual(expected);
    expect(stage(windowed, 'Staging-Application', 'application').conditions.beforeEntry).toBeUndefined();
  });

  it('gives the window of an environment without approval a stage of its own, in front of its infrastructure, that runs its change detection', () => {
    const window = { cron: 'cron(* 8-17 ? * MON-FRI *)', timeZone: 'America/New_York' };
    const windowed = planPipeline(loadDeploymentConfig(withEnvironment('staging', { deploymentWindow: window })), { healthMonitor: true });
    const names = windowed.stages.map((candidate) => candidate.name);
    expect(names.slice(names.indexOf('Test-Application'), names.indexOf('Staging-Application') + 1)).toEqual([
      'Test-Application',
      'Staging-Window',
      'Staging-Infrastructure',
      'Staging-Application',
    ]);
    const gate = stage(windowed, 'Staging-Window', 'change-detection');
    expect(gate.conditions.beforeEntry).toEqual({
      result: 'FAIL',
      rules: [{ kind: 'deployment-window', name: 'DeploymentWindow', cron: '* * 8-17 ? * MON-FRI *', timeZone: 'America/New_York' }],
    });
    expect(gate.actions.map((action) => action.name)).toEqual(['Detect-staging']);
    // Detected once: no longer with the others right after the build.
    expect(stage(windowed, CHANGE_DETECTION_STAGE, 'change-detection').actions.map((action) => action.name)).toEqual(['Detect-test', 'Detect-production']);
    // The approval comes later, so its summary can name the staging verdict too.
    expect(stage(windowed, 'Approve-Production', 'approval').summary).toContain('staging=#{Detect-staging.INFRA_STAGING}');
  });

  it('names in an approval summary only the verdicts that exist when the approval is asked for', () => {
    // Copies, never the shared example configuration: test files share their process (isolate: false).
    const withApproval = withEnvironment('test', { approval: { required: true, timeoutMinutes: 60 } });
    const input = {
      ...withApproval,
      environments: withApproval.environments.map((environment) => (environment.name === 'staging' ? { ...environment, deploymentWindow: { cron: 'cron(* 8-17 ? * MON-FRI *)', timeZone: 'UTC' } } : environment)),
    };
    const summary = stage(planPipeline(loadDeploymentConfig(input)), 'Approve-Test', 'approval').summary;
    expect(summary).toContain('test=#{Detect-test.INFRA_TEST}');
    expect(summary).not.toContain('INFRA_STAGING');
  });

  it('skips the approval for a rollback execution (KIRO_ROLLBACK=true), as long as no deployment window holds the entry slot', () => {
    expect(stage(plan, 'Approve-Production', 'approval').conditions.beforeEntry).toEqual({
      result: 'SKIP',
      rules: [{ kind: 'variable-check', name: 'NotARollback', variable: { producer: 'variables', name: 'KIRO_ROLLBACK' }, operator: 'EQ', value: 'false' }],
    });
  });

  it('skips self-mutation for a rollback execution, so a restart on an old commit does not replace the pipeline, and when the pipeline did not change', () => {
    const notARollback = { kind: 'variable-check', name: 'NotARollback', variable: { producer: 'variables', name: 'KIRO_ROLLBACK' }, operator: 'EQ', value: 'false' };
    const pipelineChanged = { kind: 'variable-check', name: 'PipelineChanged', variable: { producer: 'BuildVariables', name: 'PIPELINE_CHANGED' }, operator: 'EQ', value: 'true' };
    expect(plan.managedStages).toEqual([{ name: 'UpdatePipeline', conditions: { beforeEntry: { result: 'SKIP', rules: [notARollback, pipelineChanged] } } }]);
  });

  it('runs the change detection in the asset stage, beside the publishing, with no entry condition: a restart rollback still runs it', () => {
    expect(CHANGE_DETECTION_STAGE).toBe('Assets');
    const detection = stage(plan, 'Assets', 'change-detection');
    expect(detection.actions.map((action) => action.name)).toEqual(['Detect-test', 'Detect-staging', 'Detect-production']);
    expect(detection.conditions).toEqual({});
    expect(plan.managedStages.map((managed) => managed.name)).not.toContain('Assets');
  });

  it('declares the rollback variables with safe defaults, and names the source action the rollback overrides', () => {
    expect(plan.variables.map((variable) => [variable.name, variable.defaultValue])).toEqual([
      ['KIRO_ROLLBACK', 'false'],
      ['KIRO_ROLLBACK_ID', 'none'],
    ]);
    expect(plan.source.actionName).toBe(DEFAULT_SOURCE_ACTION);
  });

  it.each([
    ['cron(0 9-16 ? * MON-THU *)', '* 0 9-16 ? * MON-THU *', 'the schema example keeps its fields, seconds prepended'],
    [' cron(* * ? * * *) ', '* * * ? * * *', 'surrounding blanks are tolerated'],
  ])('converts %s into the DeploymentWindow form %s (%s)', (input, expected) => {
    expect(deploymentWindowCron(input)).toBe(expected);
  });

  it.each([['cron(0 9 * *)'], ['rate(5 minutes)']])('rejects %s with the expected form in the message', (input) => {
    expect(() => deploymentWindowCron(input)).toThrow(/write it as "cron\(\* 9-16 \? \* MON-THU \*\)"/);
  });
});

describe('deployedStages: what one commit deploys', () => {
  it('deploys no infrastructure stack in any environment for an application-only commit', () => {
    const outcome = deployedStages(plan, { INFRA_TEST: 'skip', INFRA_STAGING: 'skip', INFRA_PRODUCTION: 'skip' });
    expect(outcome.filter((s) => s.stage.endsWith('-Infrastructure')).map((s) => s.outcome)).toEqual(['skipped', 'skipped', 'skipped']);
    expect(outcome.filter((s) => s.stage.endsWith('-Application')).map((s) => s.outcome)).toEqual(['run', 'run', 'run']);
  });

  it('deploys the infrastructure of exactly the environments whose verdict is "deploy"', () => {
    const outcome = deployedStages(plan, { INFRA_TEST: 'skip', INFRA_STAGING: 'deploy', INFRA_PRODUCTION: 'skip' });
    expect(outcome.filter((s) => s.outcome === 'skipped').map((s) => s.stage)).toEqual(['Test-Infrastructure', 'Production-Infrastructure']);
  });
});
