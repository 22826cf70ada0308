import { Match, Template } from 'aws-cdk-lib/assertions';
import { CloudAssembly, type CloudFormationStackArtifact } from 'aws-cdk-lib/cx-api';
import { beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACT_REPLICATION_STACK_ID, PIPELINE_STACK_ID } from '../../../../infrastructure/lib/kiro-cd-app.js';
import { crossRegionAssembly } from '../../../support/cross-region-assembly.js';

/** Staging in another region than the pipeline (us-east-1): CodePipeline needs an artifact bucket there. */
describe('an environment in another region', () => {
  let replicationStacks: CloudFormationStackArtifact[];
  let pipelineStack: CloudFormationStackArtifact;
  let replication: Template;
  let pipeline: Template;

  beforeAll(async () => {
    // The run's one synthesis of that app (test/support/cross-region-assembly.ts: no Lambda bundled,
    // policy plugins on as in app.ts), which the cross-region policy gates read too; this file built
    // and synthesized the whole app itself before.
    const stacks = new CloudAssembly(await crossRegionAssembly()).stacksRecursively;
    replicationStacks = stacks.filter((stack) => stack.stackName.startsWith(`${ARTIFACT_REPLICATION_STACK_ID}-`));
    const found = stacks.find((stack) => stack.stackName === PIPELINE_STACK_ID);
    if (found === undefined || replicationStacks[0] === undefined) throw new Error(`the cross-region assembly has no ${PIPELINE_STACK_ID} or no ${ARTIFACT_REPLICATION_STACK_ID} stack`);
    pipelineStack = found;
    replication = Template.fromJSON(replicationStacks[0].template as Record<string, unknown>);
    pipeline = Template.fromJSON(pipelineStack.template as Record<string, unknown>);
  }, 420_000);

  it('gets one artifact bucket stack in that region, in the pipeline account, deployed before the pipeline', () => {
    expect(replicationStacks.map((stack) => [stack.stackName, stack.environment.account, stack.environment.region])).toEqual([['KiroCd-ArtifactReplication-us-west-2', '111111111111', 'us-west-2']]);
    expect(pipelineStack.dependencies.map((artifact) => artifact.id)).toContain(replicationStacks[0]?.id);
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
