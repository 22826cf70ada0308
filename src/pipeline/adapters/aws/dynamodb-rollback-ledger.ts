import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionFailedError } from '../../../shared/errors.js';
import type { LeaseAttempt, RollbackLease, RollbackLedger } from '../../ports/rollback-ledger.js';

/** Ledger items live 90 days (the history's retention), then DynamoDB TTL removes them. */
const RETENTION_SECONDS = 90 * 24 * 3600;

function leaseKey(key: string): string {
  return `rollback#${key}`;
}

function toLease(item: Record<string, unknown> | undefined): RollbackLease | undefined {
  if (item === undefined) return undefined;
  const { key, rollbackId, status, expiresAt, outcome } = item;
  if (typeof key !== 'string' || typeof rollbackId !== 'string' || typeof expiresAt !== 'string') return undefined;
  if (status !== 'running' && status !== 'succeeded' && status !== 'failed') return undefined;
  return { key, rollbackId, status, expiresAt, ...(typeof outcome === 'string' ? { outcome } : {}) };
}

/**
 * `RollbackLedger` on DynamoDB: one item per rollback key, taken with a conditional PutItem, so of
 * any number of concurrent triggers exactly one wins. A `running` lease whose `expiresAt` has passed
 * (its orchestrator died) may be taken over; a finished one never is.
 */
export class DynamoDbRollbackLedger implements RollbackLedger {
  constructor(
    private readonly client: Pick<DynamoDBDocumentClient, 'send'>,
    private readonly tableName: string,
  ) {}

  async acquire(key: string, rollbackId: string, now: Date, expiresAt: Date): Promise<LeaseAttempt> {
    const lease: RollbackLease = { key, rollbackId, status: 'running', expiresAt: expiresAt.toISOString() };
    try {
      await this.client.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: leaseKey(key), ...lease, startedAt: now.toISOString(), ttl: Math.floor(now.getTime() / 1000) + RETENTION_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk) OR (#status = :running AND expiresAt < :now)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':running': 'running', ':now': now.toISOString() },
        }),
      );
      return { kind: 'acquired', lease };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const held = await this.get(key);
      if (held === undefined) throw new ConditionFailedError(`The rollback lease ${key} is held but could not be read; retry`, { key }, error);
      return { kind: 'held', lease: held };
    }
  }

  async finish(key: string, rollbackId: string, status: 'succeeded' | 'failed', outcome: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { pk: leaseKey(key) },
          UpdateExpression: 'SET #status = :status, outcome = :outcome',
          ConditionExpression: 'rollbackId = :rollbackId',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': status, ':outcome': outcome, ':rollbackId': rollbackId },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        throw new ConditionFailedError(`Rollback ${rollbackId} no longer holds lease ${key} (another run took it over after it expired)`, { key, rollbackId }, error);
      }
      throw error;
    }
  }

  async get(key: string): Promise<RollbackLease | undefined> {
    const response = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: leaseKey(key) }, ConsistentRead: true }));
    return toLease(response.Item);
  }
}
