import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { environmentsConfig } from '../../../../infrastructure/lib/config/environments.js';
import { PipelineRuntimeStack } from '../../../../infrastructure/lib/stacks/pipeline-runtime-stack.js';
import { testApp } from '../../../support/test-app.js';

const config = loadDeploymentConfig({
  ...environmentsConfig,
  pipeline: { ...environmentsConfig.pipeline, notifications: { emails: ['team@example.com'], slack: { workspaceId: 'T0123ABCD', channelId: 'C0123ABCD' } } },
});

describe('PipelineRuntimeStack', () => {
  let template: Template;
  beforeAll(() => {
    const app = testApp();
    const stack = new PipelineRuntimeStack(app, 'Runtime', { config, env: { account: config.pipeline.account, region: config.pipeline.region } });
    template = Template.fromStack(stack);
  }, 60_000);

  it('keeps the history 90 days, recoverable and encrypted with the rotating customer key', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      GlobalSecondaryIndexes: Match.arrayWith([Match.objectLike({ IndexName: 'by-environment' }), Match.objectLike({ IndexName: 'by-commit' }), Match.objectLike({ IndexName: 'known-good' })]),
    });
  });

  it('keeps every log group 90 days, encrypted', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    // 4 for the event Lambdas, 6 for deployment safety (health-monitor steps, alarm events, its state machine,
    // the rollback trigger, the rollback's Advance step and the rollback state machine).
    expect(groups.length).toBe(10);
    for (const group of groups) expect(group.Properties).toMatchObject({ RetentionInDays: 90, KmsKeyId: expect.anything() });
  });

  it('encrypts the topics and subscribes e-mail and Slack (AWS Chatbot) from the configuration', () => {
    expect(Object.keys(template.findResources('AWS::SNS::Topic'))).toHaveLength(4);
    template.allResourcesProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'team@example.com' });
    template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'sre-oncall@example.com' });
    template.hasResourceProperties('AWS::Chatbot::SlackChannelConfiguration', { SlackWorkspaceId: 'T0123ABCD', SlackChannelId: 'C0123ABCD' });
  });

  it('routes every CodePipeline state change of this pipeline to the recorder and notifier, with a KMS dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.codepipeline'],
        'detail-type': ['CodePipeline Pipeline Execution State Change', 'CodePipeline Stage Execution State Change', 'CodePipeline Action Execution State Change'],
        detail: { pipeline: ['kiro-codebuild-worker'] },
      },
      Targets: Match.arrayWith([Match.objectLike({ DeadLetterConfig: Match.anyValue(), RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 21600 } })]),
    });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { HISTORY_TABLE_NAME: Match.anyValue() } }, DeadLetterConfig: { TargetArn: Match.anyValue() } });
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
  });

  it('lets only the commit-status function read the GitHub token secret', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'secretsmanager:GetSecretValue', Resource: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':secret:kiro-cd/github-token-\\?{6}$')])] } })]) },
    });
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ GITHUB_OWNER: 'kiro-dev', GITHUB_REPOSITORY: 'kiro-codebuild-worker', GITHUB_TOKEN_SECRET: 'kiro-cd/github-token' }) } });
  });

  it('grants only explicit actions', () => {
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      const statements = (policy.Properties as { PolicyDocument: { Statement: { Action: string | string[] }[] } }).PolicyDocument.Statement;
      for (const statement of statements) for (const action of [statement.Action].flat()) expect(action).not.toContain('*');
    }
  });

  it('alarms on a failed execution, a rollback and a dead-lettered event, notifying the team topic', () => {
    for (const metricName of ['PipelineExecutionFailed', 'DeploymentRolledBack']) {
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'KiroCD/Delivery',
        MetricName: metricName,
        Dimensions: [{ Name: 'Pipeline', Value: 'kiro-codebuild-worker' }],
        Threshold: 1,
        AlarmActions: [{ Ref: Match.stringLikeRegexp('NotificationsTeam') }],
      });
    }
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { MetricName: 'ApproximateNumberOfMessagesVisible' });
  });

  it('draws the delivery dashboard: rates, DORA, every environment alarm and findings by severity', () => {
    const dashboards = Object.values(template.findResources('AWS::CloudWatch::Dashboard'));
    expect(dashboards).toHaveLength(1);
    const body = JSON.stringify(dashboards[0]!.Properties);
    for (const needle of ['DeploymentSucceeded', 'DeploymentRolledBack', 'LeadTimeForChanges', 'TimeToRestore', 'ChangeFailureRate', 'DeploymentFrequency', 'PipelineExecutionDuration', 'KiroCD/Build,Pipeline,Tool,Severity', 'MetricName=\\\\\\"ScanNotRun']) {
      expect(body, needle).toContain(needle);
    }
    // Exactly the severities the build stage publishes (npm audit's, ESLint's, the policy gates').
    for (const severity of ['critical', 'high', 'moderate', 'low', 'info', 'error', 'warning']) expect(body).toContain(`Severity=\\\\\\"${severity}\\\\\\"`);
    expect(body).not.toMatch(/Severity=\\\\\\"(CRITICAL|MEDIUM)/);
    for (const environment of config.environments) {
      for (const id of [...environment.alarms.critical, ...environment.alarms.warning]) {
        expect(body).toContain(`arn:aws:cloudwatch:${environment.region}:${environment.account}:alarm:${environment.stackPrefix}-${id}`);
      }
    }
  });
});
