import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import { LOCK_TABLE_KEYS, WORK_ITEMS_TABLE_KEYS } from '../../../src/worker/domain/table-keys.js';
import type { EnvironmentConfig } from '../../../src/shared/config/schema.js';
import { coreParameterName, workerLogGroupName, type CoreParameterKey } from '../constructs/worker/core-parameters.js';
import { accessLogsBucket } from '../constructs/access-logs-bucket.js';
import { retentionDays } from '../constructs/log-retention.js';
import { PipelineObserverAccess } from '../constructs/pipeline-observer-access.js';
import { WorkerKey } from '../constructs/worker/worker-key.js';
import { acknowledgeGuardRule, acknowledgeNagFinding } from '../policy/acknowledge.js';


/** Properties of {@link CoreInfrastructureStack}. */
export interface CoreInfrastructureStackProps extends StackProps {
  /** The environment this stack belongs to (its stack prefix and log retention are used). */
  readonly environment: EnvironmentConfig;
  /**
   * The pipeline's account and region: when given, the pipeline may read this environment's watched
   * alarms through an observer role and receives their state changes (PipelineObserverAccess).
   * @default no observer access (the pipeline then watches only alarms in its own account)
   */
  readonly pipeline?: { readonly account: string; readonly region: string };
}

/**
 * `<stackPrefix>-Core`: what the worker keeps between releases. A KMS key with rotation, the
 * artifacts bucket (and its access-log bucket), the work-items and lock tables, and the KMS-encrypted
 * log groups. Everything stateful is retained on stack deletion. Names and ARNs are published as SSM
 * parameters (see core-parameters.ts) for the application stack, which lives in another CDK Stage.
 */
export class CoreInfrastructureStack extends Stack {
  /** The environment's KMS key. */
  readonly key: kms.Key;
  readonly workItemsTable: dynamodb.Table;
  readonly lockTable: dynamodb.Table;
  readonly artifactsBucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: CoreInfrastructureStackProps) {
    super(scope, id, props);
    // Let S3 server access logging use a bucket policy instead of the legacy LogDeliveryWrite ACL,
    // so the log bucket can enforce bucket-owner object ownership (ACLs disabled), whatever the app's flags.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
    const { stackPrefix, logRetentionDays } = props.environment;

    const key = new WorkerKey(this, 'WorkerKey', { alias: `alias/kiro-worker/${stackPrefix}` }).key;
    this.key = key;

    const accessLogs = accessLogsBucket(this, 'AccessLogsBucket', { expirationDays: logRetentionDays, lifecycleRuleId: 'expire-access-logs' });
    acknowledgeNagFinding(accessLogs, 'AwsSolutions-S1', 'This bucket is the access-log destination of the artifacts bucket; logging it into itself or a third bucket would only log the log delivery.');

    this.artifactsBucket = new s3.Bucket(this, 'ArtifactsBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: key,
      bucketKeyEnabled: true,
      enforceSSL: true,
      versioned: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifacts/',
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [{ id: 'expire-old-versions', noncurrentVersionExpiration: Duration.days(logRetentionDays), abortIncompleteMultipartUploadAfter: Duration.days(7) }],
    });
    acknowledgeGuardRule(this.artifactsBucket, 's3_event_notifications_enabled_check', 'Worker artifacts are read by the build that wrote them or by a person; no process reacts to new objects.');
    acknowledgeGuardRule(this.artifactsBucket, 's3_bucket_object_lock_enabled_check', 'Old artifact versions expire by lifecycle rule, which an object lock would block; versioning already protects against overwrite and deletion.');

    const tableDefaults = {
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    } as const;

    this.workItemsTable = new dynamodb.Table(this, 'WorkItemsTable', {
      ...tableDefaults,
      partitionKey: { name: WORK_ITEMS_TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
    });
    this.workItemsTable.addGlobalSecondaryIndex({
      indexName: WORK_ITEMS_TABLE_KEYS.statusIndexName,
      partitionKey: { name: WORK_ITEMS_TABLE_KEYS.statusIndexPartitionKey, type: dynamodb.AttributeType.STRING },
      sortKey: { name: WORK_ITEMS_TABLE_KEYS.statusIndexSortKey, type: dynamodb.AttributeType.STRING },
      projectionType: dynamodb.ProjectionType.ALL,
    });

    this.lockTable = new dynamodb.Table(this, 'LockTable', {
      ...tableDefaults,
      partitionKey: { name: LOCK_TABLE_KEYS.partitionKey, type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: LOCK_TABLE_KEYS.timeToLiveAttribute,
    });

    // Implementation builds log to a group of the application stack, under a key only their role may use.
    const pollerLogs = new logs.LogGroup(this, 'PollerLogGroup', {
      logGroupName: workerLogGroupName(stackPrefix, 'poller'),
      encryptionKey: key,
      retention: retentionDays(logRetentionDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const published: Record<CoreParameterKey, string> = {
      'key-arn': key.keyArn,
      'artifacts-bucket-name': this.artifactsBucket.bucketName,
      'work-items-table-name': this.workItemsTable.tableName,
      'work-items-table-arn': this.workItemsTable.tableArn,
      'lock-table-name': this.lockTable.tableName,
      'lock-table-arn': this.lockTable.tableArn,
      'poller-log-group-name': pollerLogs.logGroupName,
    };
    for (const [name, value] of Object.entries(published) as [CoreParameterKey, string][]) {
      const parameterId = name.replace(/(^|-)([a-z])/g, (_match, _dash: string, letter: string) => letter.toUpperCase());
      new ssm.StringParameter(this, `${parameterId}Parameter`, {
        parameterName: coreParameterName(stackPrefix, name),
        stringValue: value,
        description: `Kiro worker ${stackPrefix}: ${name}, read by the application stack`,
      });
      new CfnOutput(this, parameterId, { value, description: `${name} (also in SSM ${coreParameterName(stackPrefix, name)})` });
    }
    if (props.pipeline !== undefined) {
      new PipelineObserverAccess(this, 'PipelineObserverAccess', { environment: props.environment, pipelineAccount: props.pipeline.account, pipelineRegion: props.pipeline.region });
    }
  }
}

