import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { CORE_PARAMETER_KEYS, coreParameterName } from '../../../../infrastructure/lib/constructs/worker/core-parameters.js';
import { retentionDays } from '../../../../infrastructure/lib/constructs/log-retention.js';
import { createEnvironmentStages } from '../../../../infrastructure/lib/stages/environment-stages.js';
import { testApp } from '../../../support/test-app.js';

const environment = loadDeploymentConfig().environments[0]!;

describe('CoreInfrastructureStack', () => {
  let template: Template;
  let stackName: string;
  let stageName: string;
  beforeAll(() => {
    const app = testApp();
    const { infrastructure } = createEnvironmentStages(app, environment);
    template = Template.fromStack(infrastructure.core);
    stackName = infrastructure.core.stackName;
    stageName = infrastructure.stageName;
  });

  it('lives in the Test-Infrastructure stage as <stackPrefix>-Core', () => {
    expect(stageName).toBe('Test-Infrastructure');
    expect(stackName).toBe('KiroWorker-Test-Core');
  });

  it('has one customer key with rotation, no wildcard action, usable by CloudWatch Logs of this account only', () => {
    template.resourceCountIs('AWS::KMS::Key', 1);
    const key = Object.values(template.findResources('AWS::KMS::Key'))[0] as { Properties: { EnableKeyRotation: boolean; KeyPolicy: { Statement: { Action: string[]; Principal: unknown; Condition?: unknown }[] } } };
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const actions = key.Properties.KeyPolicy.Statement.flatMap((statement) => statement.Action);
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
    const logs = key.Properties.KeyPolicy.Statement.find((statement) => JSON.stringify(statement.Principal).includes('logs.us-east-1.amazonaws.com'));
    expect(logs?.Condition).toEqual({ ArnLike: { 'kms:EncryptionContext:aws:logs:arn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':logs:us-east-1:222222222222:log-group:*']] } } });
  });

  it('encrypts the artifacts bucket with the key, versions it, blocks public access and logs access', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() }, BucketKeyEnabled: true }] },
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
      LoggingConfiguration: { DestinationBucketName: Match.anyValue(), LogFilePrefix: 'artifacts/' },
    });
  });

  it('denies non-TLS access to both buckets', () => {
    const policies = template.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const policy of Object.values(policies)) {
      expect(JSON.stringify(policy)).toContain('"aws:SecureTransport":"false"');
    }
  });

  it('gives both tables the customer key and point-in-time recovery, keeps them on deletion', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(2);
    for (const table of Object.values(tables) as { DeletionPolicy: string; Properties: Record<string, unknown> }[]) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.Properties.SSESpecification).toMatchObject({ SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [expect.stringContaining('WorkerKey'), 'Arn'] } });
      expect(table.Properties.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    }
  });

  it('indexes work items by status and expires abandoned locks', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      GlobalSecondaryIndexes: [{ IndexName: 'by-status', KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }, { AttributeName: 'updatedAt', KeyType: 'RANGE' }] }],
    });
    template.hasResourceProperties('AWS::DynamoDB::Table', { TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } });
  });

  it('creates the worker Lambdas\' KMS-encrypted log group with the configured retention, and none for builds (issue 13, item 9)', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: '/kiro-worker/KiroWorker-Test/poller', RetentionInDays: 90, KmsKeyId: Match.anyValue() });
    // Implementation builds log to the application stack's group, under a key only their role may use.
    expect(Object.keys(template.findResources('AWS::Logs::LogGroup'))).toHaveLength(1);
  });

  it('publishes every value of the SSM contract', () => {
    for (const key of CORE_PARAMETER_KEYS) {
      template.hasResourceProperties('AWS::SSM::Parameter', { Name: coreParameterName('KiroWorker-Test', key), Type: 'String' });
    }
    expect(Object.keys(template.findOutputs('*'))).toEqual(expect.arrayContaining(['LockTableName', 'WorkItemsTableArn', 'KeyArn']));
  });

  it('maps retention days to the CloudWatch enum and rejects others', () => {
    expect(retentionDays(90)).toBe(90);
    expect(() => retentionDays(91)).toThrow(/not a CloudWatch Logs retention; use one such as 90/);
  });
});
