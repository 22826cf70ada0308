import { Stack, Stage, aws_sqs as sqs, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { environmentsConfig } from '../../../../infrastructure/lib/config/environments.js';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import type { EnvironmentConfig } from '../../../../src/shared/config/schema.js';
import { CDK_CLI_VERSION } from '../../../../infrastructure/lib/constructs/pipeline/render-pipeline-plan.js';
import { PipelineStack } from '../../../../infrastructure/lib/stacks/pipeline-stack.js';
import { HISTORY_TABLE } from '../../../../src/pipeline/domain/history/table-keys.js';
import { DEFAULT_SOURCE_ACTION } from '../../../../src/pipeline/adapters/aws/codepipeline-control.js';
import { applicationStageName, infrastructureStageName } from '../../../../src/pipeline/domain/stage-names.js';
import { BUNDLE_DETECTION_COMMAND, STATIC_CHECKS_COMMAND } from '../../../../src/pipeline/domain/plan/codebuild-actions.js';
import { testApp } from '../../../support/test-app.js';

/**
 * Minimal stand-ins for the worker's InfrastructureStage/ApplicationStage: the pipeline stack takes
 * its stages from a factory, and what it renders around them does not depend on their content.
 */
function fixtureStage(scope: Construct, id: string, environment: EnvironmentConfig): Stage {
  const stage = new Stage(scope, id, { env: { account: environment.account, region: environment.region } });
  new sqs.Queue(new Stack(stage, 'Stack'), 'Queue', { encryption: sqs.QueueEncryption.KMS_MANAGED, enforceSSL: true });
  return stage;
}

interface CfnStage {
  Name: string;
  Actions: {
    Name: string;
    Namespace?: string;
    RunOrder?: number;
    ActionTypeId: { Category: string; Provider: string };
    Configuration?: Record<string, unknown>;
    InputArtifacts?: { Name: string }[];
    OutputArtifacts?: { Name: string }[];
  }[];
  BeforeEntry?: { Conditions: { Result: string; Rules: { RuleTypeId: { Provider: string }; Configuration: Partial<Record<string, string>> }[] }[] };
  OnSuccess?: { Conditions: { Result: string; Rules: { Configuration: Record<string, string> }[] }[] };
  OnFailure?: { Result: string };
}

describe('PipelineStack', () => {
  let template: Template;
  let stages: CfnStage[];
  let stack: PipelineStack;

  beforeAll(() => {
    const app = testApp();
    const runtime = new Stack(app, 'Runtime', { env: { account: '111111111111', region: 'us-east-1' } });
    const healthMonitor = new sfn.StateMachine(runtime, 'HealthMonitor', {
      definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Succeed(runtime, 'Pass')),
    });
    stack = new PipelineStack(app, 'Pipeline', {
      config: loadDeploymentConfig(),
      environmentStages: (scope, environment) => ({
        infrastructure: fixtureStage(scope, infrastructureStageName(environment.name), environment),
        application: fixtureStage(scope, applicationStageName(environment.name), environment),
      }),
      historyTable: { tableName: 'kiro-history', tableArn: 'arn:aws:dynamodb:us-east-1:111111111111:table/kiro-history' },
      healthMonitor,
    });
    template = Template.fromStack(stack);
    const pipelines = template.findResources('AWS::CodePipeline::Pipeline');
    stages = (Object.values(pipelines)[0] as { Properties: { Stages: CfnStage[] } }).Properties.Stages;
  });

  const byName = (name: string): CfnStage => {
    const found = stages.find((s) => s.Name === name);
    if (found === undefined) throw new Error(`no stage ${name}`);
    return found;
  };

  it('is a V2 pipeline in SUPERSEDED mode that starts on pushes to main only', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      PipelineType: 'V2',
      ExecutionMode: 'SUPERSEDED',
      Triggers: [
        {
          ProviderType: 'CodeStarSourceConnection',
          GitConfiguration: { Push: [{ Branches: { Includes: ['main'] } }], SourceActionName: Match.anyValue() },
        },
      ],
    });
  });

  it('clones the full repository so git diff works in change detection', () => {
    expect(byName('Source').Actions[0]?.Configuration).toMatchObject({ OutputArtifactFormat: 'CODEBUILD_CLONE_REF', BranchName: 'main' });
  });

  it('runs Build → self-mutation → change detection → test → staging → approval → production', () => {
    expect(stages.map((s) => s.Name)).toEqual([
      'Source',
      'Build',
      'UpdatePipeline',
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

  it('rolls every environment stage back on failure', () => {
    const environmentStages = stages.filter((s) => /-(Infrastructure|Application)$/.test(s.Name));
    expect(environmentStages).toHaveLength(6);
    for (const stage of environmentStages) expect(stage.OnFailure).toEqual({ Result: 'ROLLBACK' });
  });

  it('skips each infrastructure stage unless its own change-detection variable says deploy', () => {
    for (const environment of ['test', 'staging', 'production']) {
      const stage = byName(infrastructureStageName(environment as EnvironmentConfig['name']));
      const condition = stage.BeforeEntry?.Conditions[0];
      expect(condition?.Result).toBe('SKIP');
      expect(condition?.Rules[0]?.RuleTypeId.Provider).toBe('VariableCheck');
      const namespace = byName('Assets').Actions.find((a) => a.Name === `Detect-${environment}`)?.Namespace;
      expect(condition?.Rules[0]?.Configuration).toEqual({
        Variable: `#{${namespace}.INFRA_${environment.toUpperCase()}}`,
        Operator: 'EQ',
        Value: 'deploy',
      });
    }
  });

  /**
   * What CodePipeline does at a stage's entry, from the synthesized template: a VariableCheck rule
   * passes when the resolved variable compares to `Value` by `Operator` (EQ, NE, CONTAINS); when a
   * rule of an entry condition does not pass, the condition's result applies, and SKIP skips the
   * stage (CodePipeline User Guide, "VariableCheck" rule reference and "How do stage conditions
   * work?"). `variables` are keyed `namespace.NAME`, as `#{namespace.NAME}` refers to them.
   */
  function entryOutcome(stage: CfnStage, variables: Readonly<Record<string, string>>): 'run' | 'skipped' {
    for (const condition of stage.BeforeEntry?.Conditions ?? []) {
      const passes = condition.Rules.every((rule) => {
        if (rule.RuleTypeId.Provider !== 'VariableCheck') throw new Error(`stage ${stage.Name}: no evaluator for a ${rule.RuleTypeId.Provider} rule`);
        const reference = /^#\{([^.}]+\.[^}]+)\}$/.exec(rule.Configuration.Variable ?? '')?.[1];
        const value = reference === undefined ? undefined : variables[reference];
        if (value === undefined) throw new Error(`stage ${stage.Name}: variable ${String(rule.Configuration.Variable)} is not produced by the test's commit`);
        switch (rule.Configuration.Operator) {
          case 'EQ':
            return value === rule.Configuration.Value;
          case 'NE':
            return value !== rule.Configuration.Value;
          case 'CONTAINS':
            return value.includes(rule.Configuration.Value ?? '');
          default:
            throw new Error(`stage ${stage.Name}: no evaluator for operator ${String(rule.Configuration.Operator)}`);
        }
      });
      if (!passes && condition.Result === 'SKIP') return 'skipped';
      if (!passes) throw new Error(`stage ${stage.Name}: entry condition would ${condition.Result}`);
    }
    return 'run';
  }

  /**
   * The variables of one ordinary (non-rollback) execution: the pipeline variables at their
   * template defaults (`#{variables.NAME}`), the Build's verdict on the pipeline's own stacks under the
   * namespace the template declares on the Build action, and the change-detection verdicts of one
   * commit, as the Detect actions of the Assets stage export them.
   */
  function detectionVariables(verdicts: Readonly<Record<'test' | 'staging' | 'production', 'deploy' | 'skip'>>, pipelineChanged: boolean): Record<string, string> {
    const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0] as { Properties: { Variables?: { Name: string; DefaultValue?: string }[] } };
    const variables: Record<string, string> = Object.fromEntries((pipeline.Properties.Variables ?? []).map((variable) => [`variables.${variable.Name}`, variable.DefaultValue ?? '']));
    for (const action of byName('Build').Actions) if (action.Namespace !== undefined) variables[`${action.Namespace}.PIPELINE_CHANGED`] = String(pipelineChanged);
    for (const action of byName('Assets').Actions) {
      if (action.Namespace === undefined) continue;
      for (const [environment, verdict] of Object.entries(verdicts)) variables[`${action.Namespace}.INFRA_${environment.toUpperCase()}`] = verdict;
    }
    return variables;
  }

  it.each([
    {
      why: 'an application-only commit deploys no infrastructure stack and does not self-mutate',
      verdicts: { test: 'skip', staging: 'skip', production: 'skip' },
      pipelineChanged: false,
      skipped: ['UpdatePipeline', 'Test-Infrastructure', 'Staging-Infrastructure', 'Production-Infrastructure'],
    },
    { why: 'a change to staging only runs staging\'s infrastructure stage', verdicts: { test: 'skip', staging: 'deploy', production: 'skip' }, pipelineChanged: false, skipped: ['UpdatePipeline', 'Test-Infrastructure', 'Production-Infrastructure'] },
    { why: 'a change everywhere, the pipeline included, skips nothing', verdicts: { test: 'deploy', staging: 'deploy', production: 'deploy' }, pipelineChanged: true, skipped: [] },
  ] as const)('$why: the template\'s entry conditions skip exactly $skipped', ({ verdicts, pipelineChanged, skipped }) => {
    const variables = detectionVariables(verdicts, pipelineChanged);
    const skippedByTemplate = stages.filter((stage) => entryOutcome(stage, variables) === 'skipped').map((stage) => stage.Name);
    expect(skippedByTemplate).toEqual(skipped);
  });

  it('only the infrastructure stages hold the Deploy actions of infrastructure stacks', () => {
    const stagesDeployingInfrastructure = stages
      .filter((s) => s.Actions.some((a) => a.ActionTypeId.Provider === 'CloudFormation' && /Infrastructure/.test(JSON.stringify(a.Configuration))))
      .map((s) => s.Name);
    expect(stagesDeployingInfrastructure).toEqual(['Test-Infrastructure', 'Staging-Infrastructure', 'Production-Infrastructure']);
  });

  it('leaves environments in other accounts to the health monitor: no alarm condition that could not see their alarms', () => {
    for (const name of ['Test-Application', 'Staging-Application', 'Production-Application']) {
      expect(byName(name).OnSuccess).toBeUndefined();
      expect(byName(name).Actions.map((action) => action.Name)).toContain('HealthCheck');
    }
    expect(JSON.stringify(template.findResources('AWS::IAM::Policy'))).not.toContain('cloudwatch:DescribeAlarms');
  });

  it('refuses to leave an environment in another account without any alarm watch', () => {
    const app = testApp();
    expect(
      () =>
        new PipelineStack(app, 'Unwatched', {
          config: loadDeploymentConfig(),
          environmentStages: (scope, environment) => ({
            infrastructure: fixtureStage(scope, infrastructureStageName(environment.name), environment),
            application: fixtureStage(scope, applicationStageName(environment.name), environment),
          }),
        }),
    ).toThrow(/environment "test" is in account 222222222222, not the pipeline's 111111111111: .*Pass healthMonitor to PipelineStack/);
  });

  it('declares KIRO_ROLLBACK and KIRO_ROLLBACK_ID, and skips the production approval when KIRO_ROLLBACK is true', () => {
    template.hasResourceProperties('AWS::CodePipeline::Pipeline', {
      Variables: [Match.objectLike({ Name: 'KIRO_ROLLBACK', DefaultValue: 'false' }), Match.objectLike({ Name: 'KIRO_ROLLBACK_ID', DefaultValue: 'none' })],
    });
    const entry = byName('Approve-Production').BeforeEntry?.Conditions[0];
    expect(entry?.Result).toBe('SKIP');
    expect(entry?.Rules.map((r) => r.Configuration)).toEqual([{ Variable: '#{variables.KIRO_ROLLBACK}', Operator: 'EQ', Value: 'false' }]);
  });

  it('names the source action as the rollback adapter does', () => {
    expect(byName('Source').Actions[0]?.Name).toBe(DEFAULT_SOURCE_ACTION);
  });

  it('asks for approval with a 1440-minute timeout, notifying a topic with the release summary', () => {
    const [approve] = byName('Approve-Production').Actions as (CfnStage['Actions'][number] & { TimeoutInMinutes?: number })[];
    expect(approve?.ActionTypeId.Provider).toBe('Manual');
    expect(approve?.TimeoutInMinutes).toBe(1440);
    expect(JSON.stringify(approve?.Configuration?.NotificationArn)).toMatch(/"Ref":"ApprovalTopic/);
    expect(String(approve?.Configuration?.CustomData)).toMatch(
      /#\{SourceVariables\.CommitId\}.*production=#\{Assets@Detect-production\.INFRA_PRODUCTION\}/,
    );
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
  });

  it('runs the health monitor and the suite side by side after each application deployment', () => {
    const actions = byName('Staging-Application').Actions;
    const deployOrder = Math.max(...actions.filter((a) => a.ActionTypeId.Category === 'Deploy').map((a) => a.RunOrder ?? 1));
    const after = actions.filter((a) => (a.RunOrder ?? 1) > deployOrder);
    expect(after.map((a) => a.Name).sort()).toEqual(['HealthCheck', 'Tests-e2e']);
    expect(new Set(after.map((a) => a.RunOrder)).size).toBe(1);
    const health = byName('Staging-Application').Actions.find((a) => a.Name === 'HealthCheck');
    expect(health?.ActionTypeId.Provider).toBe('StepFunctions');
    expect(JSON.parse(String(health?.Configuration?.Input))).toEqual({
      environment: 'staging',
      pipelineName: 'kiro-codebuild-worker',
      executionId: '#{codepipeline.PipelineExecutionId}',
      commitId: '#{SourceVariables.CommitId}',
      stage: 'Staging-Application',
    });
  });

  it('pins the Node.js runtime of every action it defines, and the CDK CLI of self-mutation to the repository\'s', () => {
    const specs = Object.values(template.findResources('AWS::CodeBuild::Project')).map((project) => JSON.stringify((project as { Properties: { Source: { BuildSpec: unknown } } }).Properties.Source.BuildSpec));
    // Every action that runs Node.js: npm ci (the Build, the suites) or the bundled detection (the Detect actions).
    const withNode = specs.filter((spec) => spec.includes('npm ci') || spec.includes('node detection-tool/'));
    expect(withNode.length).toBeGreaterThanOrEqual(7);
    for (const spec of withNode) expect(spec).toMatch(/runtime-versions.{0,40}nodejs[^0-9]{0,20}22[^0-9]/);
    expect(specs.some((spec) => spec.includes(`npm install -g aws-cdk@${CDK_CLI_VERSION}`))).toBe(true);
    expect(CDK_CLI_VERSION).toMatch(/^2\.\d+\.\d+$/);
  });

  it('gives every CodeBuild project a timeout within the TR-8 budgets', () => {
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project')) as { Properties: { TimeoutInMinutes?: number } }[];
    expect(projects.length).toBeGreaterThan(0);
    for (const project of projects) expect(project.Properties.TimeoutInMinutes).toBeLessThanOrEqual(15);
  });

  it('runs the supply-chain and policy gates and the synthesis in the synth action, and reports its scans and metrics in post_build', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      TimeoutInMinutes: 12,
      Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_MEDIUM', Image: 'aws/codebuild/standard:7.0' }),
      Source: {
        BuildSpec: Match.serializedJson(
          Match.objectLike({
            phases: Match.objectLike({
              install: { commands: ['bash scripts/ensure-tools.sh', 'npm ci --ignore-scripts', 'npm rebuild esbuild'] },
              build: {
                commands: Match.arrayWith([
                  'npm audit --json > reports/npm-audit.json; node bin/kiro-cd.js gate audit --input reports/npm-audit.json --mode pipeline',
                  'npx cdk synth',
                  'node bin/kiro-cd.js policy-gates --assembly cdk.out --report-file reports/gates.json',
                ]),
              },
              post_build: {
                commands: [
                  'node bin/kiro-cd.js scan-report --output reports/security-scans.xml --audit reports/npm-audit.json --gates-report reports/gates.json --secrets reports/secrets.json --licences reports/licences.json',
                  Match.stringLikeRegexp('^node bin/kiro-cd.js publish-build-metrics .*--gates-report reports/gates.json'),
                ],
              },
            }),
            reports: { 'security-scans': { files: ['reports/security-scans.xml'], 'file-format': 'JUNITXML' } },
          }),
        ),
      },
    });
  });

  it('runs the unit tests with coverage and the static checks beside the synth, each gate blocking, each with its reports and metrics', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      TimeoutInMinutes: 12,
      EncryptionKey: Match.anyValue(),
      Environment: Match.objectLike({ ComputeType: 'BUILD_GENERAL1_MEDIUM', Image: 'aws/codebuild/standard:7.0' }),
      Source: {
        Type: 'CODEPIPELINE',
        BuildSpec: Match.serializedJson({
          version: '0.2',
          phases: {
            install: { 'runtime-versions': { nodejs: '22', python: '3.11' }, commands: ['bash scripts/ensure-tools.sh', 'npm ci --ignore-scripts', 'npm rebuild esbuild'] },
            build: {
              commands: [
                'mkdir -p reports',
                'npx vitest run --coverage; node bin/kiro-cd.js gate tests --junit reports/junit.xml',
                'node bin/kiro-cd.js gate coverage --summary coverage/coverage-summary.json --threshold 80',
              ],
            },
            post_build: { commands: ['node bin/kiro-cd.js publish-build-metrics --junit reports/junit.xml --coverage-summary coverage/coverage-summary.json --pipeline kiro-codebuild-worker'] },
          },
          reports: {
            'unit-tests': { files: ['reports/junit.xml'], 'file-format': 'JUNITXML' },
            coverage: { files: ['coverage/cobertura-coverage.xml'], 'file-format': 'COBERTURAXML' },
          },
        }),
      },
    });
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      TimeoutInMinutes: 8,
      EncryptionKey: Match.anyValue(),
      Source: {
        Type: 'CODEPIPELINE',
        BuildSpec: Match.serializedJson({
          version: '0.2',
          phases: {
            install: { 'runtime-versions': { nodejs: '22' }, commands: ['npm ci --ignore-scripts', 'npm rebuild esbuild'] },
            build: { commands: ['mkdir -p reports', STATIC_CHECKS_COMMAND] },
            post_build: {
              commands: [
                'node bin/kiro-cd.js scan-report --output reports/static-checks.xml --eslint reports/eslint.json',
                'node bin/kiro-cd.js publish-build-metrics --eslint reports/eslint.json --pipeline kiro-codebuild-worker',
              ],
            },
          },
          reports: { 'static-checks': { files: ['reports/static-checks.xml'], 'file-format': 'JUNITXML' } },
        }),
      },
    });
  });

  it('runs the three Build actions side by side on the source, with artifacts from the synth action only', () => {
    const build = byName('Build').Actions;
    expect(build.map((action) => action.Name)).toEqual(['Synth', 'UnitTests', 'StaticChecks']);
    // One run order: CodePipeline starts them together, and the stage fails when any of them fails.
    expect(new Set(build.map((action) => action.RunOrder ?? 1))).toEqual(new Set([1]));
    const sourceArtifact = byName('Source').Actions[0]?.OutputArtifacts?.[0]?.Name;
    for (const action of build) expect(action.InputArtifacts, action.Name).toEqual([{ Name: sourceArtifact }]);
    expect(build.filter((action) => (action.OutputArtifacts ?? []).length > 0).map((action) => action.Name)).toEqual(['Synth']);
    expect(build.slice(1).map((action) => action.ActionTypeId)).toEqual([
      expect.objectContaining({ Category: 'Test', Provider: 'CodeBuild' }),
      expect.objectContaining({ Category: 'Test', Provider: 'CodeBuild' }),
    ]);
    // Each on a project of its own.
    expect(new Set(build.map((action) => JSON.stringify(action.Configuration?.ProjectName))).size).toBe(3);
  });

  it("hands the Detect actions the Build's bundled detection as a second artifact, so they run no npm ci", () => {
    const build = byName('Build').Actions.find((action) => action.Name === 'Synth');
    const toolArtifact = build?.OutputArtifacts?.map((artifact) => artifact.Name).find((name) => name.includes('detection_tool'));
    expect(toolArtifact).toBeDefined();
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      TimeoutInMinutes: 12,
      Source: {
        BuildSpec: Match.serializedJson(
          Match.objectLike({
            phases: Match.objectLike({ build: { commands: Match.arrayWith(['npx cdk synth', BUNDLE_DETECTION_COMMAND]) } }),
            artifacts: { 'secondary-artifacts': Match.objectLike({ [toolArtifact ?? '']: { 'base-directory': 'detection-tool', files: ['**/*'] } }) },
          }),
        ),
      },
    });
    const detect = byName('Assets').Actions;
    expect(detect).toHaveLength(3);
    for (const action of detect) expect(action.InputArtifacts?.map((artifact) => artifact.Name)).toContain(toolArtifact);
    const specs = Object.values(template.findResources('AWS::CodeBuild::Project'))
      .map((project) => JSON.stringify((project as { Properties: { Source: { BuildSpec: unknown } } }).Properties.Source.BuildSpec))
      .filter((spec) => spec.includes('detect-changes --environment'));
    expect(specs).toHaveLength(3);
    for (const spec of specs) {
      expect(spec).not.toContain('npm ci');
      expect(spec).toContain(`$CODEBUILD_SRC_DIR_${toolArtifact ?? ''}`);
      expect(spec).toContain('node detection-tool/detect-changes.mjs detect-changes');
    }
  });

  it('exports the change-detection verdict as a CodeBuild exported variable', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      TimeoutInMinutes: 10,
      Source: {
        BuildSpec: Match.serializedJson(
          Match.objectLike({
            env: { 'exported-variables': ['INFRA_STAGING'] },
            phases: Match.objectLike({
              build: {
                commands: Match.arrayWith([Match.stringLikeRegexp('detect-changes --environment staging .*--history-table kiro-history')]),
              },
            }),
          }),
        ),
      },
    });
  });

  it('keeps artifacts in a versioned, TLS-only bucket encrypted with a rotating customer key', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true, Description: Match.stringLikeRegexp('artifacts') });
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() } })] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ DestinationBucketName: Match.anyValue() }),
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('writes each deploy action\'s execution role as Fn::Sub, the form CodePipeline\'s action schema accepts (cfn-lint E3703)', () => {
    const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0] as { Properties: { Stages: { Actions: { Configuration?: { RoleArn?: unknown } }[] }[] } };
    const roleArns = pipeline.Properties.Stages.flatMap((stage) => stage.Actions).flatMap((action) => (action.Configuration?.RoleArn === undefined ? [] : [action.Configuration.RoleArn]));
    expect(roleArns.length).toBeGreaterThan(0);
    for (const roleArn of roleArns) expect(roleArn).toEqual({ 'Fn::Sub': expect.stringMatching(/^arn:\$\{AWS::Partition\}:iam::\d{12}:role\/cdk-hnb659fds-cfn-exec-role-/) as unknown });
  });

  it('sends the logs of every CodeBuild action to one KMS-encrypted log group', () => {
    const projects = Object.values(template.findResources('AWS::CodeBuild::Project')) as { Properties: { LogsConfig?: { CloudWatchLogs?: { Status: string } } } }[];
    for (const project of projects) expect(project.Properties.LogsConfig?.CloudWatchLogs?.Status).toBe('ENABLED');
    template.hasResourceProperties('AWS::Logs::LogGroup', { KmsKeyId: Match.anyValue(), RetentionInDays: Match.anyValue() });
  });

  it('lets each post-deployment suite assume its own environment\'s test role, and tells the suite which', () => {
    for (const environment of loadDeploymentConfig().environments) {
      const roleArn = `arn:aws:iam::${environment.account}:role/${environment.stackPrefix}-post-deployment-tests`;
      template.hasResourceProperties('AWS::IAM::Policy', {
        PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sts:AssumeRole', Resource: roleArn })]) },
      });
      template.hasResourceProperties('AWS::CodeBuild::Project', {
        Environment: Match.objectLike({ EnvironmentVariables: Match.arrayWith([{ Name: 'KIRO_TEST_ROLE_ARN', Type: 'PLAINTEXT', Value: roleArn }]) }),
      });
    }
  });

  it('refers only to variables CodePipeline can resolve: every #{namespace.name} names a declared namespace', () => {
    const pipeline = Object.values(template.findResources('AWS::CodePipeline::Pipeline'))[0] as { Properties: { Stages: { Actions: { Namespace?: string }[] }[] } };
    const declared = new Set(['codepipeline', 'variables', ...pipeline.Properties.Stages.flatMap((stage) => stage.Actions.flatMap((action) => (action.Namespace === undefined ? [] : [action.Namespace])))]);
    expect(declared).toContain('SourceVariables');
    // Project environment variables (suites) and every stage property (inputs, summaries, conditions).
    const text = JSON.stringify([pipeline.Properties, template.findResources('AWS::CodeBuild::Project')]);
    const used = [...text.matchAll(/#\{([^.}]+)\.[^}]+\}/g)].map((match) => match[1]!);
    expect(used.length).toBeGreaterThan(10);
    expect([...new Set(used)].filter((namespace) => !declared.has(namespace))).toEqual([]);
  });

  it('lets the source action and every build that clones through the connection use it under both service prefixes', () => {
    const connection = loadDeploymentConfig().pipeline.source.connectionArn;
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }[];
    const holders = (action: string) => policies.filter((policy) => policy.Properties.PolicyDocument.Statement.some((statement) => [statement.Action].flat().includes(action) && JSON.stringify(statement.Resource) === JSON.stringify(connection)));
    expect(holders('codestar-connections:UseConnection').length).toBeGreaterThanOrEqual(8);
    expect(holders('codeconnections:UseConnection')).toEqual(holders('codestar-connections:UseConnection'));
  });

  it('lets change detection read the history table and exactly its designed indexes, never index/*', () => {
    const table = 'arn:aws:dynamodb:us-east-1:111111111111:table/kiro-history';
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: ['dynamodb:GetItem', 'dynamodb:Query'],
            Resource: [table, ...Object.values(HISTORY_TABLE.indexes).map((index) => `${table}/index/${index.name}`)],
          }),
        ]),
      },
    });
    expect(JSON.stringify(template.toJSON())).not.toContain(`${table}/index/*`);
  });

  it('lets the Build action read the history too: gate secrets --since-deployed starts the commit range at what production runs', () => {
    const table = 'arn:aws:dynamodb:us-east-1:111111111111:table/kiro-history';
    const policies = Object.values(template.findResources('AWS::IAM::Policy')) as { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } }[];
    // The three Build actions' roles are the ones allowed to publish the build metrics; only the synth's reads the history.
    const build = policies.filter((policy) => policy.Properties.PolicyDocument.Statement.some((statement) => [statement.Action].flat().includes('cloudwatch:PutMetricData')));
    expect(build).toHaveLength(3);
    const history = build.filter((policy) => policy.Properties.PolicyDocument.Statement.some((statement) => [statement.Action].flat().includes('dynamodb:Query')));
    expect(history).toHaveLength(1);
    expect(history[0]?.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Action: ['dynamodb:GetItem', 'dynamodb:Query'], Resource: [table, ...Object.values(HISTORY_TABLE.indexes).map((index) => `${table}/index/${index.name}`)] }),
    );
  });

  it('gives the unit-test and static-check roles nothing beyond their logs, reports, source, artifact key and metrics', () => {
    const policies = Object.entries(template.findResources('AWS::IAM::Policy')) as [string, { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown; Condition?: unknown }[] } } }][];
    const besideSynth = policies.filter(([id]) => /^PipelineBuild(UnitTests|StaticChecks)RoleDefaultPolicy/.test(id));
    expect(besideSynth).toHaveLength(2);
    for (const [id, policy] of besideSynth) {
      const actions = [...new Set(policy.Properties.PolicyDocument.Statement.flatMap((statement) => [statement.Action].flat()))].sort();
      const services = [...new Set(actions.map((action) => action.split(':')[0]))].sort();
      expect(services, id).toEqual(['cloudwatch', 'codebuild', 'codeconnections', 'codestar-connections', 'kms', 'logs', 's3']);
      // Read-only on the artifacts: a test action writes no output artifact.
      expect(actions.filter((action) => /^s3:(Put|Delete)/.test(action)), id).toEqual([]);
      expect(policy.Properties.PolicyDocument.Statement.filter((statement) => statement.Resource === '*'), id).toEqual([
        expect.objectContaining({ Action: 'cloudwatch:PutMetricData', Condition: { StringEquals: { 'cloudwatch:namespace': 'KiroCD/Build' } } }),
      ]);
    }
  });
});

describe('PipelineStack for environments in its own account, without a health monitor, and a deployment window on staging', () => {
  let stages: CfnStage[];
  let template: Template;

  beforeAll(() => {
    const app = testApp();
    const config = loadDeploymentConfig({
      ...environmentsConfig,
      environments: environmentsConfig.environments.map((environment) => ({
        ...environment,
        account: environmentsConfig.pipeline.account,
        ...(environment.name === 'staging' ? { deploymentWindow: { cron: 'cron(* 8-17 ? * MON-FRI *)', timeZone: 'UTC' } } : {}),
      })),
    });
    const stack = new PipelineStack(app, 'Pipeline', {
      config,
      environmentStages: (scope, environment) => ({
        infrastructure: fixtureStage(scope, infrastructureStageName(environment.name), environment),
        application: fixtureStage(scope, applicationStageName(environment.name), environment),
      }),
    });
    template = Template.fromStack(stack);
    const pipelines = template.findResources('AWS::CodePipeline::Pipeline');
    stages = (Object.values(pipelines)[0] as { Properties: { Stages: CfnStage[] } }).Properties.Stages;
  });

  it('rolls the application stage back when a critical alarm is in ALARM during the bake: the alarm condition is the bake (5 minutes)', () => {
    const condition = stages.find((stage) => stage.Name === 'Production-Application')?.OnSuccess?.Conditions[0];
    expect(condition?.Result).toBe('ROLLBACK');
    expect(condition?.Rules.map((r) => r.Configuration)).toEqual([
      { AlarmName: 'KiroWorker-Production-poller-errors', AlarmStates: 'ALARM', WaitTime: '5' },
      { AlarmName: 'KiroWorker-Production-worker-build-failures', AlarmStates: 'ALARM', WaitTime: '5' },
      { AlarmName: 'KiroWorker-Production-poller-throttles', AlarmStates: 'ALARM', WaitTime: '5' },
    ]);
  });

  it('lets the pipeline role read exactly the critical alarms its rules watch, in its own account', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'cloudwatch:DescribeAlarms',
            Resource: Match.arrayWith([Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([':cloudwatch:us-east-1:111111111111:alarm:KiroWorker-Production-poller-throttles'])] })]),
          }),
        ]),
      },
    });
  });

  it('fails the release at Staging-Window outside the window, before any staging stack deploys', () => {
    const names = stages.map((stage) => stage.Name);
    expect(names.indexOf('Staging-Window')).toBe(names.indexOf('Staging-Infrastructure') - 1);
    const window = stages.find((stage) => stage.Name === 'Staging-Window');
    expect(window?.BeforeEntry?.Conditions[0]?.Result).toBe('FAIL');
    expect(window?.BeforeEntry?.Conditions[0]?.Rules.map((rule) => [rule.RuleTypeId.Provider, rule.Configuration])).toEqual([
      ['DeploymentWindow', { Cron: '* * 8-17 ? * MON-FRI *', TimeZone: 'UTC' }],
    ]);
    expect(window?.Actions.map((action) => action.Name)).toEqual(['Detect-staging']);
  });

  it('skips Staging-Infrastructure on the variable the window stage exports', () => {
    const rule = stages.find((stage) => stage.Name === 'Staging-Infrastructure')?.BeforeEntry?.Conditions[0]?.Rules[0];
    expect(rule?.Configuration).toEqual({ Variable: '#{Staging-Window@Detect-staging.INFRA_STAGING}', Operator: 'EQ', Value: 'deploy' });
  });
});
