/**
 * Creates the worker's two tables in the local emulator with the same key schema the core stack
 * gives them (both read WORK_ITEMS_TABLE_KEYS / LOCK_TABLE_KEYS).
 */
import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LOCK_TABLE_KEYS, WORK_ITEMS_TABLE_KEYS } from '../../../src/worker/domain/table-keys.js';

export async function createWorkerTables(client: DynamoDBClient, names: { readonly workItems: string; readonly locks: string }): Promise<void> {
  await client.send(
    new CreateTableCommand({
      TableName: names.workItems,
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
    }),
  );
  await client.send(
    new CreateTableCommand({
      TableName: names.locks,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: LOCK_TABLE_KEYS.partitionKey, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: LOCK_TABLE_KEYS.partitionKey, KeyType: 'HASH' }],
    }),
  );
}
