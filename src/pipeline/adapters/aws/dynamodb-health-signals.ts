import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { FiredCriticalAlarm } from '../../domain/health/health-verdict.js';
import type { EnvironmentName } from '../../domain/history-model.js';
import type { ActiveBake, HealthSignals } from '../../ports/health-signals.js';

/** Signals are only useful during one deployment; a day is ample, then TTL removes them. */
const SIGNAL_TTL_SECONDS = 24 * 3600;

function ttlFrom(iso: string): number {
  return Math.floor(Date.parse(iso) / 1000) + SIGNAL_TTL_SECONDS;
}

function isFired(value: unknown): value is FiredCriticalAlarm {
  return typeof value === 'object' && value !== null && typeof (value as { name?: unknown }).name === 'string' && typeof (value as { at?: unknown }).at === 'string';
}

/**
 * `HealthSignals` on the rollback ledger's DynamoDB table: `bake#<env>` holds the running bake and
 * its watch token; `critical#<env>#<execution>` lists critical alarms that fired for an execution.
 * Reads are strongly consistent, so a write by one Lambda is seen by the next read of the other.
 */
export class DynamoDbHealthSignals implements HealthSignals {
  constructor(
    private readonly client: Pick<DynamoDBDocumentClient, 'send'>,
    private readonly tableName: string,
  ) {}

  async startBake(bake: Omit<ActiveBake, 'watchToken'>): Promise<void> {
    await this.client.send(
      new PutCommand({ TableName: this.tableName, Item: { pk: `bake#${bake.environment}`, ...bake, ttl: ttlFrom(bake.startedAt) } }),
    );
  }

  async armWatch(environment: EnvironmentName, executionId: string, token: string): Promise<void> {
    // Only the bake of this execution may be armed: a late watch of an older execution must not overwrite a newer bake.
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `bake#${environment}` },
        UpdateExpression: 'SET watchToken = :token',
        ConditionExpression: 'executionId = :executionId',
        ExpressionAttributeValues: { ':token': token, ':executionId': executionId },
      }),
    );
  }

  async activeBake(environment: EnvironmentName): Promise<ActiveBake | undefined> {
    const response = await this.client.send(new GetCommand({ TableName: this.tableName, Key: { pk: `bake#${environment}` }, ConsistentRead: true }));
    const item = response.Item;
    if (item === undefined || typeof item.executionId !== 'string' || typeof item.startedAt !== 'string') return undefined;
    return {
      environment,
      executionId: item.executionId,
      startedAt: item.startedAt,
      ...(typeof item.watchToken === 'string' ? { watchToken: item.watchToken } : {}),
    };
  }

  async markCritical(environment: EnvironmentName, executionId: string, alarm: FiredCriticalAlarm): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: `critical#${environment}#${executionId}` },
        UpdateExpression: 'SET fired = list_append(if_not_exists(fired, :empty), :alarm), #ttl = :ttl',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':empty': [], ':alarm': [{ name: alarm.name, at: alarm.at }], ':ttl': ttlFrom(alarm.at) },
      }),
    );
  }

  async firedCritical(environment: EnvironmentName, executionId: string): Promise<FiredCriticalAlarm[]> {
    const response = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: { pk: `critical#${environment}#${executionId}` }, ConsistentRead: true }),
    );
    const fired: unknown = response.Item?.fired;
    if (!Array.isArray(fired)) return [];
    // Duplicate deliveries append twice: keep one entry per alarm (its first firing).
    const byName = new Map<string, FiredCriticalAlarm>();
    for (const entry of fired as unknown[]) {
      if (isFired(entry) && !byName.has(entry.name)) byName.set(entry.name, { name: entry.name, at: entry.at });
    }
    return [...byName.values()];
  }
}
