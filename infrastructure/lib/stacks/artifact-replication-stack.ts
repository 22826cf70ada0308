import { PhysicalName, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { accessLogsBucket } from '../constructs/access-logs-bucket.js';
import { artifactBucket } from '../constructs/artifact-bucket.js';
import { grantsOnlyForAwsServicesStatement } from '../constructs/kms-key-policy.js';

/** Properties of {@link ArtifactReplicationStack}. */
export interface ArtifactReplicationStackProps extends StackProps {
  /** The pipeline's name, for descriptions. */
  readonly pipelineName: string;
  /** Days that old artifact versions and access logs are kept. */
  readonly retentionDays: number;
}

/**
 * The pipeline's artifact bucket in one more region: CodePipeline copies a run's artifacts into a
 * bucket in the region of every action that runs elsewhere (user guide, "Add a cross-Region action").
 * CDK would create it itself, in a support stack with an unrotated key, no access logging and no
 * versioning; this stack gives that region's bucket the same guarantees as the main artifact bucket:
 * a rotating customer key that only AWS services may create grants on, versioning, TLS only, access
 * logging, expiry of old versions. It lives in the pipeline's account and the environment's region.
 */
export class ArtifactReplicationStack extends Stack {
  readonly bucket: s3.Bucket;
  /** The name of the bucket key's alias, fixed at synthesis. */
  readonly keyAliasName: string;

  constructor(scope: Construct, id: string, props: ArtifactReplicationStackProps) {
    super(scope, id, props);
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const key = new kms.Key(this, 'ReplicationKey', {
      description: `Encrypts the ${props.pipelineName} pipeline's artifacts replicated to ${this.region}`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    key.addToResourcePolicy(grantsOnlyForAwsServicesStatement());
    // The pipeline stack, in another region, cannot import the key: it names it by this alias, whose
    // name is fixed at synthesis (as CDK's own replication support stack does).
    const alias = new kms.Alias(this, 'ReplicationKeyAlias', { aliasName: PhysicalName.GENERATE_IF_NEEDED, targetKey: key, removalPolicy: RemovalPolicy.RETAIN });
    this.keyAliasName = alias.aliasName;
    const accessLogs = accessLogsBucket(this, 'ReplicationAccessLogs', { expirationDays: props.retentionDays });
    // The pipeline stack names the bucket across regions, so its name is fixed at synthesis.
    this.bucket = artifactBucket(this, 'ReplicationBucket', { bucketName: PhysicalName.GENERATE_IF_NEEDED, encryptionKey: alias, accessLogs, retentionDays: props.retentionDays });
  }
}
