import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';

/** Properties of {@link RollbackLedgerTable}. */
export interface RollbackLedgerTableProps {
  /** Customer-managed key (rotation on). */
  readonly key: kms.IKey;
}

/**
 * The rollback ledger (one lease item per rollback key, `rollback#…`) and the health signals
 * (`bake#<env>`, `critical#<env>#<execution>`): one small table keyed by `pk`, items expire through
 * the `ttl` attribute the adapters write. Retained and point-in-time recoverable like the history.
 */
export class RollbackLedgerTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: RollbackLedgerTableProps) {
    super(scope, id);
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      timeToLiveAttribute: 'ttl',
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
