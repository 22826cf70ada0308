/**
 * Where the pipeline keeps what it produces: the customer key that encrypts its artifacts and build
 * logs, the artifact bucket with its access-log bucket, and the one log group of every CodeBuild
 * action.
 *
 * A function that creates the resources in the caller's scope rather than a Construct of its own:
 * a construct scope would enter every logical id, and CloudFormation would replace the retained key
 * and buckets (orphaning the old ones) on the next deployment of an existing pipeline.
 */
import { RemovalPolicy, aws_kms as kms, aws_logs as logs, type aws_s3 as s3 } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { accessLogsBucket } from '../access-logs-bucket.js';
import { artifactBucket } from '../artifact-bucket.js';
import { cloudWatchLogsKeyStatement, grantsOnlyForAwsServicesStatement } from '../kms-key-policy.js';
import { retentionDays } from '../log-retention.js';

/** Properties of {@link createArtifactStorage}. */
export interface ArtifactStorageProps {
  /** The pipeline's name: names the build log group and describes the key. */
  readonly pipelineName: string;
  /** Days the build logs, the access logs and old artifact versions are kept. */
  readonly retentionDays: number;
}

/** The pipeline's key, artifact bucket and build log group. */
export interface ArtifactStorage {
  /** Encrypts the artifacts and the build logs; usable by AWS services only (key policy). */
  readonly key: kms.Key;
  /** The artifact bucket of the pipeline's own region. */
  readonly bucket: s3.Bucket;
  /** The log group of every CodeBuild action of the pipeline. */
  readonly buildLogs: logs.LogGroup;
}

/**
 * Creates the pipeline's artifact storage in `scope`: a rotating, retained KMS key; one log group
 * for every CodeBuild action of the pipeline (Control Tower CT.CODEBUILD.PR.3), encrypted with that
 * key and kept for the retention; an access-logged artifact bucket encrypted with the key.
 */
export function createArtifactStorage(scope: Construct, props: ArtifactStorageProps): ArtifactStorage {
  const key = new kms.Key(scope, 'ArtifactKey', {
    description: `Encrypts the artifacts of the ${props.pipelineName} pipeline`,
    enableKeyRotation: true,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  key.addToResourcePolicy(grantsOnlyForAwsServicesStatement());
  const buildLogsName = `/aws/codebuild/${props.pipelineName}-pipeline`;
  key.addToResourcePolicy(cloudWatchLogsKeyStatement(scope, { sid: 'CloudWatchLogs', logGroupName: buildLogsName }));
  const buildLogs = new logs.LogGroup(scope, 'BuildLogs', {
    logGroupName: buildLogsName,
    encryptionKey: key,
    retention: retentionDays(props.retentionDays),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const accessLogs = accessLogsBucket(scope, 'ArtifactAccessLogs', { expirationDays: props.retentionDays });
  const bucket = artifactBucket(scope, 'ArtifactBucket', { encryptionKey: key, accessLogs, retentionDays: props.retentionDays });
  return { key, bucket, buildLogs };
}
