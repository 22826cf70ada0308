import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { environmentsConfig } from '../../../../infrastructure/lib/config/environments.js';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { buildKiroCdApp, type KiroCdApp } from '../../../../infrastructure/lib/kiro-cd-app.js';
import { testApp } from '../../../support/test-app.js';

/** Staging in another region than the pipeline (us-east-1): CodePipeline needs an artifact bucket there. */
describe('an environment in another region', () => {
  let built: KiroCdApp;
  let replication: Template;
  let pipeline: Template;

  beforeAll(() => {
    const app = testApp();
    built = buildKiroCdApp(
      app,
      loadDeploymentConfig({ ...environmentsConfig, environments: environmentsConfig.environments.map((e) => (e.name === 'staging' ? { ...e, region: 'us-west-2' } : e)) }),
    );
    replication = Template.fromStack(built.replication[0]!);
    pipeline = Template.fromStack(built.pipeline);
    // A whole-app synthesis (no Lambda bundled, testApp()): it took ~37 s at load 10 with every Lambda bundled.
  }, 180_000);

  it('gets one artifact bucket stack in that region, in the pipeline account, deployed before the pipeline', () => {
    expect(built.replication.map((stack) => [stack.stackName, stack.account, stack.region])).toEqual([['KiroCd-ArtifactReplication-us-west-2', '111111111111', 'us-west-2']]);
    expect(built.pipeline.dependencies).toContain(built.replication[0]);
  });

  it('keeps the replicated artifacts as the main bucket keeps them: rotating customer key, versioned, TLS only, access-logged, old versions expiring', () => {
    replication.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    replication.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: { ServerSideEncryptionConfiguration: [Match.objectLike({ ServerSideEncryptionByDefault: Match.objectLike({ SSEAlgorithm: 'aws:kms' }) })] },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'artifacts/' }),
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ Id: 'expire-old-versions' })]) },
    });
  });

  it('names both regions\' buckets in the pipeline and lets its role use only the replication key, by alias', () => {
    const [resource] = Object.values(pipeline.findResources('AWS::CodePipeline::Pipeline')) as { Properties: { ArtifactStores: { Region: string }[] } }[];
    expect(resource!.Properties.ArtifactStores.map((store) => store.Region).sort()).toEqual(['us-east-1', 'us-west-2']);
    const statements = Object.values(pipeline.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => (policy as { Properties: { PolicyDocument: { Statement: { Action: unknown; Resource: unknown; Condition?: unknown }[] } } }).Properties.PolicyDocument.Statement,
    );
    const kms = statements.filter((statement) => JSON.stringify(statement.Resource).includes(':kms:us-west-2:'));
    expect(kms).toHaveLength(1);
    expect(kms[0]?.Condition).toEqual({ 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': [expect.stringMatching(/^alias\//) as unknown] } });
    expect(statements.filter((statement) => statement.Resource === '*' && JSON.stringify(statement.Action).includes('kms:'))).toEqual([]);
  });
});
