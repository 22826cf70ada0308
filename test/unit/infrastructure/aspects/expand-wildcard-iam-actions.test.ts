import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket, BucketEncryption } from 'aws-cdk-lib/aws-s3';
import { CodePipeline, CodePipelineSource, ShellStep } from 'aws-cdk-lib/pipelines';
import { expandIamActions } from '@cloud-copilot/iam-expand';
import { beforeAll, describe, expect, it } from 'vitest';
import { expandWildcardIamActions } from '../../../../infrastructure/lib/aspects/expand-wildcard-iam-actions.js';
import { IamActionCatalog } from '../../../../infrastructure/lib/aspects/iam-action-catalog.js';
import { ConfigurationError } from '../../../../src/shared/errors.js';
import { testApp } from '../../../support/test-app.js';

const env = { account: '123456789012', region: 'eu-west-1' };

interface Statement {
  readonly Effect: string;
  readonly Action?: string | string[];
  readonly Principal?: unknown;
}

/** Every statement of every policy-bearing resource of a template, with the resource type. */
function statementsOf(template: Template): { type: string; statement: Statement }[] {
  const found: { type: string; statement: Statement }[] = [];
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties?: Record<string, unknown> }>;
  for (const resource of Object.values(resources)) {
    const properties = resource.Properties ?? {};
    const documents: unknown[] = [properties.PolicyDocument, properties.KeyPolicy];
    for (const inline of (properties.Policies as { PolicyDocument: unknown }[] | undefined) ?? []) documents.push(inline.PolicyDocument);
    for (const document of documents) {
      if (document === undefined) continue;
      for (const statement of (document as { Statement: Statement[] }).Statement) found.push({ type: resource.Type, statement });
    }
  }
  return found;
}

function actionsOf(statement: Statement): string[] {
  return statement.Action === undefined ? [] : [statement.Action].flat();
}

let catalog: IamActionCatalog;
beforeAll(async () => {
  catalog = await IamActionCatalog.load();
});

describe('IamActionCatalog.expand', () => {
  it.each([
    ['s3:GetObject*', 'grantRead writes it; many Get*Object* actions exist'],
    ['kms:ReEncrypt*', 'grantEncryptDecrypt writes it'],
    ['logs:*', 'a whole service'],
    ['S3:getobject*', 'IAM matches case-insensitively'],
    ['ec2:Describe?pcs', '"?" stands for one character'],
  ])('expands %s exactly as expandIamActions does (%s)', async (pattern) => {
    expect(catalog.expand(pattern)).toEqual([...(await expandIamActions(pattern))].sort());
  });

  it('returns an explicit action unchanged, without checking it', () => {
    expect(catalog.expand('s3:GetObject')).toEqual(['s3:GetObject']);
  });

  it.each([
    ['*', 'a bare asterisk grants everything'],
    ['nosuchservice:Get*', 'unknown service prefix'],
    ['s3:NoSuchThing*', 'a pattern that matches nothing'],
    ['s3:Get:Object*', 'two separators'],
  ])('rejects %s (%s) with a ConfigurationError', (pattern) => {
    expect(() => catalog.expand(pattern)).toThrow(ConfigurationError);
  });
});

describe('ExpandWildcardIamActions on a stack with CDK grants', () => {
  let template: Template;
  beforeAll(() => {
    const app = testApp();
    const stack = new Stack(app, 'Grants', { env });
    const key = new Key(stack, 'Key', { enableKeyRotation: true, removalPolicy: RemovalPolicy.DESTROY });
    const bucket = new Bucket(stack, 'Bucket', { encryption: BucketEncryption.KMS, encryptionKey: key, enforceSSL: true });
    const role = new Role(stack, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      inlinePolicies: {
        Logs: new PolicyDocument({ statements: [new PolicyStatement({ actions: ['logs:Put*', 'logs:CreateLogStream'], resources: ['arn:aws:logs:eu-west-1:123456789012:log-group:x:*'] })] }),
      },
    });
    bucket.grantReadWrite(role);
    key.grantEncryptDecrypt(role);
    expandWildcardIamActions(app, catalog);
    template = Template.fromStack(stack);
  });

  it('leaves no wildcard action in any Allow statement except the key-policy root statement', () => {
    const offending = statementsOf(template)
      .filter(({ statement }) => statement.Effect === 'Allow' && actionsOf(statement).some((action) => action.includes('*')))
      .map(({ type, statement }) => ({ type, actions: actionsOf(statement) }));
    expect(offending).toEqual([{ type: 'AWS::KMS::Key', actions: ['kms:*'] }]);
  });

  it('grants exactly what the CDK patterns stood for', async () => {
    const policy = statementsOf(template).filter(({ type }) => type === 'AWS::IAM::Policy').flatMap(({ statement }) => actionsOf(statement));
    const expected = await expandIamActions(['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:PutObject', 's3:PutObjectLegalHold', 's3:PutObjectRetention', 's3:PutObjectTagging', 's3:PutObjectVersionTagging', 's3:Abort*']);
    for (const action of expected) expect(policy).toContain(action);
    expect(policy).toEqual(expect.arrayContaining(['kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyPair', 'kms:Decrypt', 'kms:Encrypt']));
  });

  it('expands the inline policies of a role', () => {
    const inline = statementsOf(template).filter(({ type }) => type === 'AWS::IAM::Role').flatMap(({ statement }) => actionsOf(statement));
    expect(inline).toEqual(expect.arrayContaining(['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:PutRetentionPolicy']));
    expect(inline.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('keeps the TLS-only Deny statement of the bucket policy as s3:*, which also denies future actions', () => {
    const deny = statementsOf(template).filter(({ type, statement }) => type === 'AWS::S3::BucketPolicy' && statement.Effect === 'Deny');
    expect(deny.map(({ statement }) => statement.Action)).toEqual(['s3:*']);
  });
});

describe('ExpandWildcardIamActions on a CDK Pipelines stack', () => {
  it('expands the statements CDK Pipelines generates while it builds the pipeline', () => {
    const app = testApp();
    const stack = new Stack(app, 'Pipeline', { env });
    new CodePipeline(stack, 'Pipeline', {
      synth: new ShellStep('Synth', {
        input: CodePipelineSource.connection('owner/repo', 'main', {
          connectionArn: 'arn:aws:codeconnections:eu-west-1:123456789012:connection/11111111-2222-3333-4444-555555555555',
        }),
        commands: ['npm ci', 'npm run synth'],
      }),
    });
    expandWildcardIamActions(app, catalog);
    const template = Template.fromStack(stack);
    const allowed = statementsOf(template).filter(({ statement }) => statement.Effect === 'Allow');
    const wildcards = allowed
      .filter(({ type }) => type !== 'AWS::KMS::Key')
      .flatMap(({ statement }) => actionsOf(statement))
      .filter((action) => action.includes('*'));
    expect(allowed.length).toBeGreaterThan(5);
    expect(wildcards).toEqual([]);
  });
});

describe('ExpandWildcardIamActions with a grant across stacks', () => {
  it('keeps the reference to the other stack a CloudFormation import, with its export', () => {
    const app = testApp();
    const producer = new Stack(app, 'Producer', { env });
    const consumer = new Stack(app, 'Consumer', { env });
    const bucket = new Bucket(producer, 'Bucket', { encryption: BucketEncryption.S3_MANAGED, removalPolicy: RemovalPolicy.DESTROY });
    const role = new Role(consumer, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    bucket.grantRead(role);
    expandWildcardIamActions(app, catalog);
    const consumerJson = JSON.stringify(Template.fromStack(consumer).toJSON());
    const producerOutputs = Template.fromStack(producer).toJSON().Outputs as Record<string, { Export?: unknown }> | undefined;
    expect(consumerJson).toContain('Fn::ImportValue');
    expect(consumerJson).not.toContain('Fn::GetAtt');
    expect(consumerJson).not.toContain('s3:GetObject*');
    expect(Object.values(producerOutputs ?? {}).some((output) => output.Export !== undefined)).toBe(true);
  });
});

describe('ExpandWildcardIamActions with a pattern that matches nothing', () => {
  it('fails synthesis and names the pattern', () => {
    const app = testApp();
    const stack = new Stack(app, 'Typo', { env });
    const role = new Role(stack, 'Role', { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(new PolicyStatement({ actions: ['dynamodb:GetItme*'], resources: ['arn:aws:dynamodb:eu-west-1:123456789012:table/t'] }));
    expandWildcardIamActions(app, catalog);
    expect(() => app.synth()).toThrow(/dynamodb:GetItme\*/);
  });
});
