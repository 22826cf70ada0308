import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rollback } from '../../../../infrastructure/lib/constructs/rollback/rollback.js';
import { RollbackLedgerTable } from '../../../../infrastructure/lib/constructs/rollback/rollback-ledger-table.js';
import { DeploymentHistoryTable } from '../../../../infrastructure/lib/constructs/observability/deployment-history-table.js';

describe('Rollback construct', () => {
  let template: Template;
  beforeAll(() => {
    const app = new App({ builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Runtime', { env: { account: '111111111111', region: 'us-east-1' } });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new Rollback(stack, 'Rollback', {
      pipelineName: 'kiro-codebuild-worker',
      sourceActionName: 'owner_repo',
      environments: ['test', 'staging', 'production'],
      waits: { stageTimeoutSeconds: 720, fullTimeoutSeconds: 720 },
      key,
      logRetentionDays: 90,
      historyTable: new DeploymentHistoryTable(stack, 'History', { key }).table,
      ledgerTable: new RollbackLedgerTable(stack, 'Ledger', { key }).table,
      teamTopic: sns.Topic.fromTopicArn(stack, 'Team', 'arn:aws:sns:us-east-1:111111111111:team'),
      healthMonitor: sfn.StateMachine.fromStateMachineName(stack, 'Monitor', 'health-monitor'),
    });
    template = Template.fromStack(stack);
  });

  it('runs the orchestrator in one Lambda invocation of 900 s, the 15-minute budget', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 900,
      Environment: {
        Variables: Match.objectLike({ SOURCE_ACTION_NAME: 'owner_repo', PIPELINE_NAME: 'kiro-codebuild-worker', ROLLBACK_STAGE_WAIT_SECONDS: '720', ROLLBACK_FULL_WAIT_SECONDS: '720' }),
      },
      DeadLetterConfig: { TargetArn: Match.anyValue() },
    });
  });

  it('is triggered by failed environment stages and by the health monitor failing, with a KMS dead-letter queue', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.codepipeline'], detail: Match.objectLike({ state: ['FAILED'], stage: Match.arrayWith(['Test-Infrastructure', 'Production-Application']) }) },
      Targets: [Match.objectLike({ DeadLetterConfig: Match.anyValue() })],
    });
    template.hasResourceProperties('AWS::Events::Rule', { EventPattern: { source: ['aws.states'], detail: Match.objectLike({ status: ['FAILED', 'TIMED_OUT', 'ABORTED'] }) } });
    template.hasResourceProperties('AWS::SQS::Queue', { KmsMasterKeyId: Match.anyValue() });
  });

  it('grants only explicit actions, CodePipeline ones on this pipeline only', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => (policy as { Properties: { PolicyDocument: { Statement: { Sid?: string; Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement,
    );
    expect(statements.flatMap((statement) => [statement.Action].flat()).filter((action) => action.includes('*'))).toEqual([]);
    const control = statements.find((statement) => statement.Sid === 'ControlPipeline');
    expect(JSON.stringify(control?.Resource)).toContain(':codepipeline:us-east-1:111111111111:kiro-codebuild-worker');
    expect([control?.Action].flat()).not.toContain('codepipeline:RollbackStage');
  });

  it('may roll back exactly the environment stages: RollbackStage is authorized on the stage ARN, not the pipeline', () => {
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => (policy as { Properties: { PolicyDocument: { Statement: { Sid?: string; Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement,
    );
    const rollBack = statements.find((statement) => statement.Sid === 'RollBackEnvironmentStages');
    expect(rollBack?.Action).toBe('codepipeline:RollbackStage');
    const resources = JSON.stringify(rollBack?.Resource);
    for (const stage of ['Test-Infrastructure', 'Test-Application', 'Staging-Infrastructure', 'Staging-Application', 'Production-Infrastructure', 'Production-Application']) {
      expect(resources).toContain(`:codepipeline:us-east-1:111111111111:kiro-codebuild-worker/${stage}`);
    }
    expect(resources).not.toContain('Approve-');
    expect(resources).not.toContain('/*');
  });

  it('keeps the ledger in a KMS-encrypted, retained, point-in-time recoverable table with TTL', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }], TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true }, SSESpecification: Match.objectLike({ SSEEnabled: true, SSEType: 'KMS' }) }),
    });
  });
});
