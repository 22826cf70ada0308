import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { HISTORY_TABLE } from '../../../../src/pipeline/domain/history/table-keys.js';

/** Properties of {@link DeploymentHistoryTable}. */
export interface DeploymentHistoryTableProps {
  /** Customer-managed key (with rotation) that encrypts the table. */
  readonly key: kms.IKey;
}

/**
 * The deployment-history table: keys and indexes from `table-keys.ts` (the adapter's own design),
 * KMS customer key, point-in-time recovery, TTL on `expiresAt` (90 days, set by every writer),
 * on-demand capacity, deletion protection, retained on stack deletion (it is the audit trail).
 */
export class DeploymentHistoryTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: DeploymentHistoryTableProps) {
    super(scope, id);
    const string = dynamodb.AttributeType.STRING;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: HISTORY_TABLE.partitionKey, type: string },
      sortKey: { name: HISTORY_TABLE.sortKey, type: string },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: HISTORY_TABLE.timeToLiveAttribute,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const index of Object.values(HISTORY_TABLE.indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName: index.name,
        partitionKey: { name: index.partitionKey, type: string },
        sortKey: { name: index.sortKey, type: string },
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }
}
