import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROLLBACK_EXECUTION_MARGIN_SECONDS, ROLLBACK_STATES, Rollback } from '../../../../infrastructure/lib/constructs/rollback/rollback.js';
import { RollbackLedgerTable } from '../../../../infrastructure/lib/constructs/rollback/rollback-ledger-table.js';
import { DeploymentHistoryTable } from '../../../../infrastructure/lib/constructs/observability/deployment-history-table.js';
import { testApp } from '../../../support/test-app.js';

describe('Rollback construct', () => {
  let template: Template;
  beforeAll(() => {
    const app = testApp();
    const stack = new Stack(app, 'Runtime', { env: { account: '111111111111', region: 'us-east-1' } });
    const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    new Rollback(stack, 'Rollback', {
      pipelineName: 'kiro-codebuild-worker',
      sourceActionName: 'owner_repo',
      environments: ['test', 'staging', 'production'],
      waits: { stageTimeoutSeconds: 720, fullTimeoutSeconds: 720, followSeconds: 4947 },
      key,
      logRetentionDays: 90,
      historyTable: new DeploymentHistoryTable(stack, 'History', { key }).table,
      ledgerTable: new RollbackLedgerTable(stack, 'Ledger', { key }).table,
      teamTopic: sns.Topic.fromTopicArn(stack, 'Team', 'arn:aws:sns:us-east-1:111111111111:team'),
      healthMonitor: sfn.StateMachine.fromStateMachineName(stack, 'Monitor', 'health-monitor'),
    });
    template = Template.fromStack(stack);
  });

  type Statement = { Sid?: string; Action: string | string[]; Resource: unknown };
  const policyOf = (roleFragment: string): Statement[] =>
    Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => JSON.stringify((policy as { Properties: { Roles: unknown } }).Properties.Roles).includes(roleFragment))
      .flatMap((policy) => (policy as { Properties: { PolicyDocument: { Statement: Statement[] } } }).Properties.PolicyDocument.Statement);

  it('waits in a Step Functions loop, not in a Lambda: the trigger returns within 60 s, a step within 120 s, the execution may run the modelled follow time plus a margin', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 60,
      Environment: { Variables: Match.objectLike({ PIPELINE_NAME: 'kiro-codebuild-worker', ROLLBACK_STATE_MACHINE_ARN: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:us-east-1:111111111111:stateMachine:kiro-codebuild-worker-rollback']] } }) },
      DeadLetterConfig: { TargetArn: Match.anyValue() },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 120,
      Environment: {
        Variables: Match.objectLike({ SOURCE_ACTION_NAME: 'owner_repo', ROLLBACK_STAGE_WAIT_SECONDS: '720', ROLLBACK_FULL_WAIT_SECONDS: '720', ROLLBACK_FOLLOW_SECONDS: '4947' }),
      },
    });
    const machine = Object.values(template.findResources('AWS::StepFunctions::StateMachine'))[0] as { Properties: { DefinitionString: unknown; StateMachineName: string } };
    expect(machine.Properties.StateMachineName).toBe('kiro-codebuild-worker-rollback');
    const definition = JSON.stringify(machine.Properties.DefinitionString);
    expect(definition).toContain(`\\"TimeoutSeconds\\":${4947 + ROLLBACK_EXECUTION_MARGIN_SECONDS}`);
    expect(definition).toContain(`\\"${ROLLBACK_STATES.wait}\\":{\\"Type\\":\\"Wait\\",\\"SecondsPath\\":\\"$.waitSeconds\\"`);
  });

  it('logs every execution to a KMS-encrypted /aws/vendedlogs/states/ group, kept, with X-Ray tracing', () => {
    template.hasResource('AWS::Logs::LogGroup', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ LogGroupName: '/aws/vendedlogs/states/kiro-codebuild-worker-rollback', KmsKeyId: Match.anyValue(), RetentionInDays: 90 }),
    });
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      TracingConfiguration: { Enabled: true },
    });
  });

  it('lets the trigger start exactly this state machine, and the state machine invoke only the step function', () => {
    const trigger = policyOf('RollbackOrchestrator');
    const start = trigger.find((statement) => statement.Sid === 'StartRollback');
    expect(start).toMatchObject({ Action: 'states:StartExecution', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':states:us-east-1:111111111111:stateMachine:kiro-codebuild-worker-rollback']] } });
    expect(trigger.flatMap((statement) => [statement.Action].flat()).filter((action) => action.startsWith('codepipeline:'))).toEqual([]);
    const machine = policyOf('RollbackStateMachineRole');
    const invokes = machine.filter((statement) => [statement.Action].flat().includes('lambda:InvokeFunction'));
    expect(invokes).toHaveLength(1);
    const advance = Object.keys(template.findResources('AWS::Lambda::Function')).find((id) => id.startsWith('RollbackAdvance'));
    expect(JSON.stringify(invokes[0]?.Resource)).toContain(`"${advance ?? 'none'}"`);
    expect(JSON.stringify(invokes[0]?.Resource)).not.toContain('RollbackOrchestrator');
  });

  it('pages the team when a rollback execution fails, times out or is aborted', () => {
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'kiro-codebuild-worker-rollback-execution-problems',
      Metrics: Match.arrayWith([Match.objectLike({ Expression: 'failed + timedOut + aborted' })]),
      AlarmActions: ['arn:aws:sns:us-east-1:111111111111:team'],
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
    // A retried step looks for the stage rollbacks it already started (ListPipelineExecutions rollbackMetadata).
    expect([control?.Action].flat()).toContain('codepipeline:ListPipelineExecutions');
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
