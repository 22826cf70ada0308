/**
 * The worker's two tables for the local emulator, with the same key schema the core stack gives them
 * (both read WORK_ITEMS_TABLE_KEYS / LOCK_TABLE_KEYS). The definitions have the shape both
 * DynamoDB's CreateTable and the Properties of an `AWS::DynamoDB::Table` take, so a test can create
 * the tables directly or through a CloudFormation stack.
 */
import { CreateTableCommand, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCK_TABLE_KEYS, WORK_ITEMS_TABLE_KEYS } from '../../../src/worker/domain/table-keys.js';

/** A table definition without its name. */
export type WorkerTableDefinition = Omit<CreateTableCommandInput, 'TableName'>;

/** The work-items table: keyed by work item, with the status index the poller queries. */
export const WORK_ITEMS_TABLE: WorkerTableDefinition = {
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [
    { AttributeName: WORK_ITEMS_TABLE_KEYS.partitionKey, AttributeType: 'S' },
    { AttributeName: WORK_ITEMS_TABLE_KEYS.statusIndexPartitionKey, AttributeType: 'S' },
    { AttributeName: WORK_ITEMS_TABLE_KEYS.statusIndexSortKey, AttributeType: 'S' },
  ],
  KeySchema: [{ AttributeName: WORK_ITEMS_TABLE_KEYS.partitionKey, KeyType: 'HASH' }],
  GlobalSecondaryIndexes: [
    {
      IndexName: WORK_ITEMS_TABLE_KEYS.statusIndexName,
      KeySchema: [
        { AttributeName: WORK_ITEMS_TABLE_KEYS.statusIndexPartitionKey, KeyType: 'HASH' },
        { AttributeName: WORK_ITEMS_TABLE_KEYS.statusIndexSortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    },
  ],
};

/** The lock table: one lock per work item. */
export const LOCK_TABLE: WorkerTableDefinition = {
  BillingMode: 'PAY_PER_REQUEST',
  AttributeDefinitions: [{ AttributeName: LOCK_TABLE_KEYS.partitionKey, AttributeType: 'S' }],
  KeySchema: [{ AttributeName: LOCK_TABLE_KEYS.partitionKey, KeyType: 'HASH' }],
};

/** Creates both tables under the given names. */
export async function createWorkerTables(client: DynamoDBClient, names: { readonly workItems: string; readonly locks: string }): Promise<void> {
  await client.send(new CreateTableCommand({ TableName: names.workItems, ...WORK_ITEMS_TABLE }));
  await client.send(new CreateTableCommand({ TableName: names.locks, ...LOCK_TABLE }));
}
