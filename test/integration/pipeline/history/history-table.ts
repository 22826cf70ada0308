import { CreateTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { HISTORY_TABLE } from '../../../../src/pipeline/domain/history/table-keys.js';

/** Creates the deployment-history table in the emulator with the key design the CDK construct deploys. */
export async function createHistoryTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const indexes = Object.values(HISTORY_TABLE.indexes);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: HISTORY_TABLE.partitionKey, KeyType: 'HASH' },
        { AttributeName: HISTORY_TABLE.sortKey, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [HISTORY_TABLE.partitionKey, HISTORY_TABLE.sortKey, ...indexes.flatMap((index) => [index.partitionKey, index.sortKey])].map(
        (name) => ({ AttributeName: name, AttributeType: 'S' }),
      ),
      GlobalSecondaryIndexes: indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      })),
    }),
  );
}
