import { CreateTableCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { startMotoServer } from '../../../src/local/moto-server.js';
import { motoClientConfig, useFreshMoto } from '../../support/moto.js';

/**
 * The race tests (worker locks, pollers, the rollback ledger) rely on the emulator applying a
 * conditional write atomically, as DynamoDB does. moto_server serves each request on its own thread
 * and does not (two `attribute_not_exists` puts could both succeed); src/local/moto-server.ts runs it
 * one request at a time. This pins that: a burst of concurrent conditional puts on one key, many
 * times over, has exactly one winner each time. (A threaded emulator loses this race only now and
 * then, under load, so passing here once proves less than failing would; the serial server makes
 * the loss impossible rather than unlikely.)
 */
describe('the local emulator applies conditional writes atomically', () => {
  useFreshMoto();

  it('lets exactly one of 16 concurrent attribute_not_exists puts win, 25 times in a row', async () => {
    const dynamodb = new DynamoDBClient(motoClientConfig());
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'race',
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
    );
    for (let round = 0; round < 25; round += 1) {
      const results = await Promise.allSettled(
        Array.from({ length: 16 }, (_, writer) =>
          dynamodb.send(
            new PutItemCommand({
              TableName: 'race',
              Item: { pk: { S: `key-${String(round)}` }, writer: { N: String(writer) } },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          ),
        ),
      );
      expect(results.filter((result) => result.status === 'fulfilled'), `round ${String(round)}`).toHaveLength(1);
    }
  });
});

describe('starting the local emulator', () => {
  it('names the fix at once when python3 cannot be found, instead of waiting out its readiness limit', async () => {
    const started = performance.now();
    await expect(startMotoServer({ python: '/nonexistent/kiro/python3', timeoutMs: 60_000 })).rejects.toThrow(/python3 is not on the PATH\. .*pip install "moto\[server\]"/);
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});
