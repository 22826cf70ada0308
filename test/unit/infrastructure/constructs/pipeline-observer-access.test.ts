import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { AlarmEventBusAccess } from '../../../../infrastructure/lib/constructs/health-monitor/alarm-event-bus-access.js';
import { PipelineObserverAccess, observerRoleArn } from '../../../../infrastructure/lib/constructs/pipeline-observer-access.js';
import { testApp } from '../../../support/test-app.js';

const config = loadDeploymentConfig();
const production = config.environments.find((environment) => environment.name === 'production')!;

describe('cross-account alarm access', () => {
  const app = testApp();
  const environmentStack = new Stack(app, 'Core', { env: { account: production.account, region: production.region } });
  new PipelineObserverAccess(environmentStack, 'Observer', { environment: production, pipelineAccount: config.pipeline.account, pipelineRegion: config.pipeline.region });
  const pipelineStack = new Stack(app, 'Runtime', { env: { account: config.pipeline.account, region: config.pipeline.region } });
  new AlarmEventBusAccess(pipelineStack, 'Bus', { pipelineName: config.pipeline.name, pipelineAccount: config.pipeline.account, environments: config.environments });
  const environmentTemplate = Template.fromStack(environmentStack);
  const pipelineTemplate = Template.fromStack(pipelineStack);

  it('the environment role is trusted by the pipeline account and may only describe this environment’s watched alarms', () => {
    environmentTemplate.hasResourceProperties('AWS::IAM::Role', {
      RoleName: 'KiroWorker-Production-pipeline-observer',
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { AWS: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:iam::${config.pipeline.account}:root`]] } } })] },
    });
    const statements = Object.values(environmentTemplate.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => (policy as { Properties: { PolicyDocument: { Statement: { Sid?: string; Action: string | string[]; Resource: unknown }[] } } }).Properties.PolicyDocument.Statement,
    );
    const read = statements.find((statement) => statement.Sid === 'ReadWatchedAlarms');
    expect(read?.Action).toBe('cloudwatch:DescribeAlarms');
    const resources = JSON.stringify(read?.Resource);
    expect(resources).toContain(':alarm:KiroWorker-Production-poller-errors');
    expect(resources).not.toContain('*');
    expect(resources).not.toContain('KiroWorker-Test');
    expect(observerRoleArn(production)).toBe(`arn:aws:iam::${production.account}:role/KiroWorker-Production-pipeline-observer`);
  });

  it('forwards the watched alarms’ state changes to the pipeline account’s default bus', () => {
    environmentTemplate.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], detail: { alarmName: Match.arrayWith(['KiroWorker-Production-poller-errors']) } },
      Targets: [Match.objectLike({ Arn: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:events:${config.pipeline.region}:${config.pipeline.account}:event-bus/default`]] } })],
    });
  });

  it('the pipeline account’s default bus admits each other environment account, for PutEvents only', () => {
    const statements = Object.values(pipelineTemplate.findResources('AWS::Events::EventBusPolicy')).map(
      (resource) => (resource as { Properties: { Statement: { Principal: { AWS: unknown }; Action: string } } }).Properties.Statement,
    );
    const others = [...new Set(config.environments.map((environment) => environment.account))].filter((account) => account !== config.pipeline.account);
    expect(statements).toHaveLength(others.length);
    for (const account of others) expect(JSON.stringify(statements.map((statement) => statement.Principal.AWS))).toContain(`:iam::${account}:root`);
    expect(new Set(statements.map((statement) => statement.Action))).toEqual(new Set(['events:PutEvents']));
  });
});
