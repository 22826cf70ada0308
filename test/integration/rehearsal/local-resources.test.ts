import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeTableCommand, DescribeTimeToLiveCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { provisionFromTemplates, subscribeReadBackQueue } from '../../../src/local/local-resources.js';
import { readSynthesizedStacks, resolveIntrinsics, resolutionContextFor } from '../../../src/local/synthesized-templates.js';
import { motoClientConfig, useFreshMoto } from '../../support/moto.js';

/** A cloud assembly shaped like CDK's: a top-level stack and a stage's nested assembly. */
function writeAssembly(): string {
  const root = mkdtempSync(join(tmpdir(), 'kiro-assembly-'));
  const runtime = {
    Resources: {
      HistoryTable: {
        Type: 'AWS::DynamoDB::GlobalTable',
        Properties: {
          TableName: { 'Fn::Join': ['-', [{ Ref: 'AWS::StackName' }, 'history']] },
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
            { AttributeName: 'gsi1pk', AttributeType: 'S' },
          ],
          GlobalSecondaryIndexes: [{ IndexName: 'by-commit', KeySchema: [{ AttributeName: 'gsi1pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }], Projection: { ProjectionType: 'ALL' } }],
          TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
          SSESpecification: { SSEEnabled: true, SSEType: 'KMS' },
        },
      },
      NoticesTopic: { Type: 'AWS::SNS::Topic', Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] } } },
      Key: { Type: 'AWS::KMS::Key', Properties: {} },
      Recorder: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Variables: { TABLE: { Ref: 'HistoryTable' }, TOPIC: { Ref: 'NoticesTopic' } } } } },
    },
    Outputs: { HistoryTableName: { Value: { Ref: 'HistoryTable' } } },
  };
  const application = {
    Resources: {
      PollerErrors: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          AlarmName: 'KiroWorker-Staging-poller-errors',
          MetricName: 'Errors',
          Namespace: 'AWS/Lambda',
          Statistic: 'Sum',
          Period: 60,
          EvaluationPeriods: 1,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: 'Poller' } }],
          AlarmActions: [{ Ref: 'NoticesTopic' }],
        },
      },
      Poller: { Type: 'AWS::Lambda::Function', Properties: {} },
    },
  };
  writeFileSync(join(root, 'Runtime.template.json'), JSON.stringify(runtime));
  mkdirSync(join(root, 'assembly-Staging'));
  writeFileSync(join(root, 'assembly-Staging', 'StagingApp.template.json'), JSON.stringify(application));
  writeFileSync(
    join(root, 'manifest.json'),
    JSON.stringify({
      artifacts: {
        Runtime: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Runtime.template.json', stackName: 'KiroCd-Runtime' } },
        'assembly-Staging': { type: 'cdk:cloud-assembly', properties: { directoryName: 'assembly-Staging' } },
        Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
      },
    }),
  );
  writeFileSync(
    join(root, 'assembly-Staging', 'manifest.json'),
    JSON.stringify({ artifacts: { 'Staging-App': { type: 'aws:cloudformation:stack', properties: { templateFile: 'StagingApp.template.json', stackName: 'KiroWorker-Staging-Application' } } } }),
  );
  return root;
}

const where = { region: 'us-east-1', account: '123456789012' };

describe('readSynthesizedStacks and resolveIntrinsics', () => {
  it('follows nested assemblies and resolves names the way the deployed stack would', () => {
    const stacks = readSynthesizedStacks(writeAssembly());
    expect(stacks.map((stack) => stack.stackName)).toEqual(['KiroCd-Runtime', 'KiroWorker-Staging-Application']);
    const runtime = stacks[0]!;
    const context = resolutionContextFor(runtime, where);
    expect(resolveIntrinsics(runtime.resources.Recorder!.Properties, context)).toEqual({
      Environment: { Variables: { TABLE: 'KiroCd-Runtime-history', TOPIC: 'arn:aws:sns:us-east-1:123456789012:KiroCd-Runtime-NoticesTopic' } },
    });
    expect(resolveIntrinsics({ 'Fn::Sub': ['${AWS::Region}/${Name}/${Recorder.Arn}', { Name: { Ref: 'HistoryTable' } }] }, context)).toBe(
      'us-east-1/KiroCd-Runtime-history/arn:aws:lambda:us-east-1:123456789012:function:KiroCd-Runtime-Recorder',
    );
    expect(resolveIntrinsics({ 'Fn::Select': [1, { 'Fn::Split': [':', 'a:b:c'] }] }, context)).toBe('b');
  });

  it('says how to fix a missing cloud assembly', () => {
    expect(() => readSynthesizedStacks(join(tmpdir(), 'no-such-cdk-out'))).toThrow(/Run "npm run synth" first/);
  });
});

describe('provisionFromTemplates against the local emulator', () => {
  useFreshMoto();

  it('creates the table with its keys, index and TTL, the topic and the alarm, and reads notifications back', async () => {
    const config = motoClientConfig();
    const clients = { dynamodb: new DynamoDBClient(config), sns: new SNSClient(config), sqs: new SQSClient(config), cloudwatch: new CloudWatchClient(config) };
    const provisioned = await provisionFromTemplates(readSynthesizedStacks(writeAssembly()), clients, where);

    expect(provisioned.tables.map((table) => table.physicalId)).toEqual(['KiroCd-Runtime-history']);
    const table = await clients.dynamodb.send(new DescribeTableCommand({ TableName: 'KiroCd-Runtime-history' }));
    expect(table.Table?.KeySchema).toEqual([{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }]);
    expect(table.Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toEqual(['by-commit']);
    const ttl = await clients.dynamodb.send(new DescribeTimeToLiveCommand({ TableName: 'KiroCd-Runtime-history' }));
    expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');

    const alarms = await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['KiroWorker-Staging-poller-errors'] }));
    expect(alarms.MetricAlarms?.[0]?.Dimensions).toEqual([{ Name: 'FunctionName', Value: 'KiroWorker-Staging-Application-Poller' }]);

    const topicArn = provisioned.topics[0]!.physicalId;
    expect(topicArn).toBe('arn:aws:sns:us-east-1:123456789012:KiroCd-Runtime-NoticesTopic');
    const queueUrl = await subscribeReadBackQueue(clients, [topicArn], 'read-back');
    await clients.sns.send(new PublishCommand({ TopicArn: topicArn, Message: '{"kind":"rollback-started"}' }));
    const received = await clients.sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }));
    expect(received.Messages?.map((message) => message.Body)).toEqual(['{"kind":"rollback-started"}']);
  });
});
