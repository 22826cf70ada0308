import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { WORKER_ALARM_IDS } from '../../../../src/shared/config/alarm-catalog.js';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { coreParameterName } from '../../../../infrastructure/lib/constructs/worker/core-parameters.js';
import { postDeploymentTestRoleArn, postDeploymentTestRoleName } from '../../../../src/pipeline/domain/plan/environment-roles.js';
import { createEnvironmentStages } from '../../../../infrastructure/lib/stages/environment-stages.js';
import { DEFAULT_IMPLEMENTATION_COMMAND, implementationBuildspec } from '../../../../src/worker/domain/implementation-buildspec.js';
import { testApp } from '../../../support/test-app.js';

const environment = loadDeploymentConfig().environments[0]!;

type PolicyResource = { Properties: { PolicyDocument: { Statement: { Action: string | string[]; Resource: unknown }[] } } };

describe('ApplicationStack', () => {
  let template: Template;
  let json: string;
  let stageName: string;
  let stackName: string;
  beforeAll(() => {
    const app = testApp();
    const { application } = createEnvironmentStages(app, environment);
    template = Template.fromStack(application.application);
    json = JSON.stringify(template.toJSON());
    stageName = application.stageName;
    stackName = application.application.stackName;
  });

  it('lives in the Test-Application stage as <stackPrefix>-Application', () => {
    expect(stageName).toBe('Test-Application');
    expect(stackName).toBe('KiroWorker-Test-Application');
  });

  it('references no core construct: no imports, every core value comes from an SSM parameter', () => {
    expect(json).not.toContain('Fn::ImportValue');
    const parameters = template.findParameters('*', { Type: 'AWS::SSM::Parameter::Value<String>' });
    const names = Object.values(parameters)
      .map((parameter) => (parameter as { Default: string }).Default)
      .filter((name) => !name.startsWith('/cdk-bootstrap/'));
    expect(names.sort()).toEqual(
      (['key-arn', 'lock-table-arn', 'lock-table-name', 'work-items-table-arn', 'work-items-table-name'] as const).map((key) => coreParameterName('KiroWorker-Test', key)).sort(),
    );
  });

  it('runs the poller on the latest Node.js runtime, with its KMS-encrypted environment and the core log group', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Handler: 'index.handler',
      KmsKeyArn: Match.anyValue(),
      LoggingConfig: { LogGroup: '/kiro-worker/KiroWorker-Test/poller' },
      Environment: { Variables: Match.objectLike({ STACK_PREFIX: 'KiroWorker-Test', LOCK_LEASE_SECONDS: '900', SWEEP_AFTER_SECONDS: '3600', IMPLEMENTATION_PROJECT_NAME: Match.anyValue() }) },
    });
  });

  it('publishes the poller behind the alias live, invoked by the schedule', () => {
    template.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live', FunctionVersion: Match.anyValue() });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)', Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('LiveAlias') } })] });
  });

  it('shifts the alias all at once, rolling back on failure and on stop', () => {
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', {
      DeploymentConfigName: 'CodeDeployDefault.LambdaAllAtOnce',
      AutoRollbackConfiguration: { Enabled: true, Events: ['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_REQUEST'] },
    });
    template.hasResource('AWS::Lambda::Alias', { UpdatePolicy: { CodeDeployLambdaAliasUpdate: Match.anyValue() } });
  });

  // Every rollback redeploys this stack with a new version while the alarm that caused it may still be
  // in ALARM: a group watching the function-wide alarms would stop that deployment (UPDATE_FAILED) and
  // fail the rollback itself (docs/rollback.md, "CodeDeploy's alarm gate").
  it('gives CodeDeploy no alarm gate that a still-firing alarm could use to block a rollback deploy', () => {
    template.hasResourceProperties('AWS::CodeDeploy::DeploymentGroup', { AlarmConfiguration: Match.absent() });
    const deployRole = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'codedeploy.amazonaws.com' } })] } } }));
    expect(deployRole).toHaveLength(1);
    const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy).includes(deployRole[0] ?? '?'));
    expect(JSON.stringify(policies)).not.toContain('cloudwatch:DescribeAlarms');
  });

  it('creates every catalog alarm as <stackPrefix>-<id>, marked with the severity of the configuration', () => {
    for (const id of WORKER_ALARM_IDS) {
      const severity = environment.alarms.critical.includes(id) ? 'critical' : 'warning';
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `KiroWorker-Test-${id}`,
        AlarmDescription: Match.stringLikeRegexp(`^\\[${severity}\\]`),
        TreatMissingData: 'notBreaching',
        Tags: [{ Key: 'kiro:severity', Value: severity }],
      });
    }
    const severities = JSON.parse(template.findOutputs('AlarmSeverities').AlarmSeverities!.Value as string);
    expect(severities).toEqual({
      critical: environment.alarms.critical.map((id) => `KiroWorker-Test-${id}`),
      warning: WORKER_ALARM_IDS.filter((id) => !environment.alarms.critical.includes(id)).map((id) => `KiroWorker-Test-${id}`),
    });
  });

  it('watches the lock-contention metric the poller publishes, alarming on what a stuck lock looks like (issue 13, item 7)', () => {
    // One cycle per 5-minute period sees a stuck lock once: a lost race in 3 of 3 periods, not > 10 in one.
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'KiroWorker-Test-lock-contention',
      Namespace: 'KiroWorker',
      MetricName: 'LockContention',
      Dimensions: [{ Name: 'StackPrefix', Value: 'KiroWorker-Test' }],
      Period: 300,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
    });
  });

  it("turns off Lambda's own asynchronous retries of the poller, so one fault is one error and runs never overlap (issue 13, item 1)", () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: Match.stringLikeRegexp('PollerFunction') }, Qualifier: Match.anyValue(), MaximumRetryAttempts: 0 });
  });

  it('follows every state change of the implementation builds, so the item moves with its build (issue 13, items 5 and 9)', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.codebuild'],
        'detail-type': ['CodeBuild Build State Change'],
        detail: { 'project-name': [{ Ref: Match.stringLikeRegexp('ImplementationProject') }] },
      },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('BuildEnd'), 'Arn'] } })],
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'FollowBuilds', Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'] }),
          Match.objectLike({ Sid: 'ReleaseLocks', Action: 'dynamodb:DeleteItem' }),
        ]),
      },
    });
  });

  it('lets the poller read its own builds for the sweep', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Sid: 'SweepImplementationBuilds', Action: 'codebuild:BatchGetBuilds', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('ImplementationProject'), 'Arn'] } })]),
      },
    });
  });

  it('sends the implementation command as the buildspec of every build it starts (issue 13, item 9)', () => {
    const buildspec = implementationBuildspec(DEFAULT_IMPLEMENTATION_COMMAND, '22');
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ IMPLEMENTATION_BUILDSPEC: buildspec }) } });
  });

  it('makes the command\'s deadline the implementation project\'s timeout, and its own buildspec refuse builds started without the poller', () => {
    template.hasResourceProperties('AWS::CodeBuild::Project', {
      TimeoutInMinutes: 60,
      Source: { Type: 'NO_SOURCE', BuildSpec: Match.serializedJson(Match.objectLike({ phases: Match.objectLike({ build: { commands: Match.arrayWith(['exit 1']) } }) })) },
      LogsConfig: { CloudWatchLogs: { Status: 'ENABLED', GroupName: { Ref: Match.stringLikeRegexp('ImplementationLogGroup') } } },
      EncryptionKey: { 'Fn::GetAtt': [Match.stringLikeRegexp('ImplementationKey'), 'Arn'] },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/kiro-worker/KiroWorker-Test/implementation-builds', RetentionInDays: 90, KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('ImplementationKey'), 'Arn'] } });
  });

  it('alarms worker-build-failures on the worker\'s own code, never on customers\' failed builds (issue 13, item 9)', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'KiroWorker-Test-worker-build-failures',
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: Match.stringLikeRegexp('BuildEndFunction') } }],
    });
    expect(JSON.stringify(template.findResources('AWS::CloudWatch::Alarm'))).not.toContain('AWS/CodeBuild');
  });

  it('attaches no AWS managed policy and grants only explicit actions', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) {
      expect((role as { Properties: { ManagedPolicyArns?: unknown } }).Properties.ManagedPolicyArns).toBeUndefined();
    }
    const actions = Object.values(template.findResources('AWS::IAM::Policy')).flatMap((policy) =>
      (policy as PolicyResource).Properties.PolicyDocument.Statement.flatMap((statement) => statement.Action),
    );
    expect(actions.length).toBeGreaterThan(10);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('lets the poller start builds of the implementation project only and take locks with PutItem', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'TakeAndReleaseLocks', Action: ['dynamodb:PutItem', 'dynamodb:DeleteItem'] }),
          Match.objectLike({ Sid: 'StartImplementationBuilds', Action: 'codebuild:StartBuild', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('ImplementationProject'), 'Arn'] } }),
        ]),
      },
    });
  });
});

/** The statements of the post-deployment test role of `forEnvironment` in `template`. */
function testRoleStatements(template: Template, forEnvironment: typeof environment): PolicyResource['Properties']['PolicyDocument']['Statement'] {
  const roleId = Object.keys(template.findResources('AWS::IAM::Role', { Properties: { RoleName: postDeploymentTestRoleName(forEnvironment) } }))[0]!;
  const policy = Object.values(template.findResources('AWS::IAM::Policy')).find((candidate) =>
    JSON.stringify((candidate as { Properties: { Roles: unknown } }).Properties.Roles).includes(roleId),
  ) as PolicyResource | undefined;
  return policy?.Properties.PolicyDocument.Statement ?? [];
}

describe('ApplicationStack deployed by a pipeline in another account', () => {
  let template: Template;
  beforeAll(() => {
    const app = testApp();
    const { application } = createEnvironmentStages(app, environment, { account: '111111111111', region: 'us-east-1' });
    template = Template.fromStack(application.application);
  });

  it('lets the pipeline account assume a post-deployment test role with the name the pipeline expects', () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      RoleName: postDeploymentTestRoleName(environment),
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({ Action: 'sts:AssumeRole', Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::111111111111:root']] } } })],
      },
    });
    expect(postDeploymentTestRoleArn(environment)).toBe(`arn:aws:iam::${environment.account}:role/KiroWorker-Test-post-deployment-tests`);
  });

  it('gives the role exactly what its suite (integration, in test) calls, on this environment\'s resources only', () => {
    expect(environment.postDeploymentTests).toBe('integration');
    const statements = testRoleStatements(template, environment);
    expect(statements.flatMap((statement) => statement.Action).sort()).toEqual(
      [
        'cloudformation:DescribeStacks',
        'codebuild:StartBuild',
        'codebuild:StopBuild',
        'dynamodb:DeleteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'kms:Decrypt',
        'kms:DescribeKey',
        'kms:Encrypt',
        'kms:GenerateDataKey',
      ].sort(),
    );
    for (const statement of statements) expect(statement.Resource).not.toBe('*');
    expect(JSON.stringify(statements)).toContain(':stack/KiroWorker-Test-Application/*');
  });

  it('gives the production role only the reads of the smoke suite: it cannot write work items or start builds', () => {
    const production = loadDeploymentConfig().environments.find((candidate) => candidate.postDeploymentTests === 'smoke')!;
    const app = testApp();
    const { application } = createEnvironmentStages(app, production, { account: '111111111111', region: 'us-east-1' });
    const actions = testRoleStatements(Template.fromStack(application.application), production).flatMap((statement) => statement.Action).sort();
    expect(actions).toEqual(
      ['cloudformation:DescribeStacks', 'cloudwatch:DescribeAlarms', 'codebuild:BatchGetProjects', 'dynamodb:DescribeTable', 'dynamodb:Query', 'kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'].sort(),
    );
  });
});
