import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';
import { acknowledgeGuardRule } from '../policy/acknowledge.js';

/** Properties of {@link accessLogsBucket}. */
export interface AccessLogsBucketProps {
  /** Days after which an access-log object expires (the configured log retention). */
  readonly expirationDays: number;
  /**
   * The id of the expiry lifecycle rule.
   * @default none (S3 assigns one)
   */
  readonly lifecycleRuleId?: string;
}

/**
 * A bucket that receives S3 server access logs: SSE-S3 (the only encryption log delivery accepts,
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/enable-server-access-logging.html), TLS only,
 * no public access, ACLs disabled, versioned, objects expiring after the log retention, retained on
 * stack deletion. The cfn-guard rules that cannot hold for a log destination are acknowledged here,
 * each with its reason. The stack must set `@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy`, so that
 * delivery is granted by bucket policy rather than by the ACL this bucket disables.
 */
export function accessLogsBucket(scope: Construct, id: string, props: AccessLogsBucketProps): s3.Bucket {
  const bucket = new s3.Bucket(scope, id, {
    encryption: s3.BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
    versioned: true,
    objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
    lifecycleRules: [{ id: props.lifecycleRuleId, expiration: Duration.days(props.expirationDays), noncurrentVersionExpiration: Duration.days(1) }],
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const sseS3Only = 'S3 server access logs can only be delivered to a bucket with SSE-S3 default encryption, not SSE-KMS (S3 user guide, "Enabling Amazon S3 server access logging").';
  acknowledgeGuardRule(bucket, 's3_bucket_default_encryption_kms_check', sseS3Only);
  acknowledgeGuardRule(bucket, 'S3_BUCKET_KMS_ENCRYPTED', sseS3Only);
  acknowledgeGuardRule(bucket, 's3_bucket_logging_enabled_check', 'This is the access-log destination itself; logging it would only record the log delivery into a further bucket.');
  acknowledgeGuardRule(bucket, 's3_event_notifications_enabled_check', 'Nothing reacts to access-log objects; they are read on demand during an investigation.');
  acknowledgeGuardRule(bucket, 's3_bucket_object_lock_enabled_check', 'Access logs expire after the log retention period by lifecycle rule, which an object lock would block; versioning keeps overwritten objects.');
  return bucket;
}
