import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { WorkItemLock } from '../domain/lock.js';
import { LOCK_RETENTION_AFTER_LEASE_SECONDS, LOCK_TABLE_KEYS } from '../domain/table-keys.js';
import type { AcquireResult, LockStore, ReleaseResult } from '../ports/lock-store.js';
import { isConditionFailure, translateDynamoDbError } from './dynamodb-errors.js';

/**
 * The lock table in DynamoDB. Acquiring is one conditional PutItem, which DynamoDB evaluates
 * atomically against the item's current state: of two concurrent puts on a free lock exactly one
 * succeeds, the other gets ConditionalCheckFailedException
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html).
 */
export class DynamoDbLockStore implements LockStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async acquire(lock: WorkItemLock, nowEpochSeconds: number): Promise<AcquireResult> {
    const key = LOCK_TABLE_KEYS.partitionKey;
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [key]: lock.workItemId,
            owner: lock.owner,
            leaseExpiresAt: lock.leaseExpiresAt,
            acquiredAt: lock.acquiredAt,
            [LOCK_TABLE_KEYS.timeToLiveAttribute]: lock.leaseExpiresAt + LOCK_RETENTION_AFTER_LEASE_SECONDS,
          },
          // Same rule as lockIsFree: no lock, or a lease that has run out (a crashed poller's lock).
          ConditionExpression: 'attribute_not_exists(#key) OR leaseExpiresAt <= :now',
          ExpressionAttributeNames: { '#key': key },
          ExpressionAttributeValues: { ':now': nowEpochSeconds },
        }),
      );
      return { kind: 'acquired' };
    } catch (error) {
      if (isConditionFailure(error)) return { kind: 'held' };
      throw translateDynamoDbError(error, 'PutItem', this.tableName);
    }
  }

  async release(workItemId: string, owner: string): Promise<ReleaseResult> {
    try {
      await this.client.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: { [LOCK_TABLE_KEYS.partitionKey]: workItemId },
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': owner },
        }),
      );
      return { kind: 'released' };
    } catch (error) {
      if (isConditionFailure(error)) return { kind: 'not-owner' };
      throw translateDynamoDbError(error, 'DeleteItem', this.tableName);
    }
  }
}
