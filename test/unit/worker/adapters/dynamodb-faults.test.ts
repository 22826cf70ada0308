import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { TransientError } from '../../../../src/shared/errors.js';
import { translateDynamoDbError } from '../../../../src/worker/adapters/dynamodb-errors.js';
import { DynamoDbLockStore } from '../../../../src/worker/adapters/dynamodb-lock-store.js';
import { DynamoDbWorkItems } from '../../../../src/worker/adapters/dynamodb-work-items.js';

const failure = (name: string) => Object.assign(new Error(`${name} happened`), { name });

describe('DynamoDB faults the emulator cannot produce', () => {
  const dynamo = mockClient(DynamoDBDocumentClient);
  afterEach(() => dynamo.reset());
  // The mock patches the client class for the whole process, which the next test file shares (isolate: false).
  afterAll(() => { dynamo.restore(); });
  const documents = () => DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

  it.each([
    ['ProvisionedThroughputExceededException', true],
    ['ThrottlingException', true],
    ['TransactionConflictException', true],
    ['ValidationException', false],
    ['AccessDeniedException', false],
  ])('%s is retryable: %s', (name, retryable) => {
    const error = translateDynamoDbError(failure(name), 'PutItem', 'locks');
    expect(error.retryable).toBe(retryable);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('a throttled lock write is a transient error, not a lost race', async () => {
    dynamo.on(PutCommand).rejects(failure('ThrottlingException'));
    const locks = new DynamoDbLockStore(documents(), 'locks');
    await expect(locks.acquire({ workItemId: 'wi', owner: 'p', leaseExpiresAt: 1, acquiredAt: 'x' }, 0)).rejects.toBeInstanceOf(TransientError);
  });

  it('a failed release surfaces, so the lock is not silently left behind', async () => {
    dynamo.on(DeleteCommand).rejects(failure('InternalServerError'));
    await expect(new DynamoDbLockStore(documents(), 'locks').release('wi', 'p')).rejects.toThrow(/table locks was throttled or failed transiently/);
  });

  it('a throttled index query is retried on the next poll', async () => {
    dynamo.on(QueryCommand).rejects(failure('RequestLimitExceeded'));
    await expect(new DynamoDbWorkItems(documents(), 'items').listReady(5)).rejects.toBeInstanceOf(TransientError);
  });
});
