import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MalformedInputError } from '../../shared/errors.js';
import { WORK_ITEMS_TABLE_KEYS } from '../domain/table-keys.js';
import { READY_STATUS, isWorkItemStatus, type WorkItem, type WorkItemStatus } from '../domain/work-item.js';
import type { TransitionResult, WorkItemRepository } from '../ports/work-items.js';
import { isConditionFailure, translateDynamoDbError } from './dynamodb-errors.js';

/** Reads a stored item, refusing records that lack the fields the worker relies on. */
export function toWorkItem(record: Record<string, unknown>, table: string): WorkItem {
  const { workItemId, status, repository, branch, updatedAt, buildId, failureReason } = record;
  if (
    typeof workItemId !== 'string' ||
    !isWorkItemStatus(status) ||
    typeof repository !== 'string' ||
    typeof branch !== 'string' ||
    typeof updatedAt !== 'string'
  ) {
    throw new MalformedInputError(
      `Work item ${JSON.stringify(workItemId)} in table ${table} lacks workItemId, status, repository, branch or updatedAt; fix the record (see docs/application.md, "Work items").`,
      { table, workItemId },
    );
  }
  return {
    workItemId,
    status,
    repository,
    branch,
    updatedAt,
    ...(typeof buildId === 'string' ? { buildId } : {}),
    ...(typeof failureReason === 'string' ? { failureReason } : {}),
  };
}

/** The work-items table in DynamoDB; every status change is a conditional update. */
export class DynamoDbWorkItems implements WorkItemRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listReady(limit: number): Promise<readonly WorkItem[]> {
    try {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: WORK_ITEMS_TABLE_KEYS.statusIndexName,
          KeyConditionExpression: '#status = :ready',
          ExpressionAttributeNames: { '#status': WORK_ITEMS_TABLE_KEYS.statusIndexPartitionKey },
          ExpressionAttributeValues: { ':ready': READY_STATUS },
          ScanIndexForward: true,
          Limit: limit,
        }),
      );
      return (result.Items ?? []).map((record) => toWorkItem(record, this.tableName));
    } catch (error) {
      throw translateDynamoDbError(error, 'Query', this.tableName);
    }
  }

  async get(workItemId: string): Promise<WorkItem | undefined> {
    try {
      const result = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: { [WORK_ITEMS_TABLE_KEYS.partitionKey]: workItemId }, ConsistentRead: true }),
      );
      return result.Item === undefined ? undefined : toWorkItem(result.Item, this.tableName);
    } catch (error) {
      throw translateDynamoDbError(error, 'GetItem', this.tableName);
    }
  }

  markBuildStarted(workItemId: string, buildId: string, at: Date): Promise<TransitionResult> {
    return this.transition(workItemId, {
      set: { status: 'build-started', buildId, updatedAt: at.toISOString() },
      condition: '#status = :expected',
      values: { ':expected': READY_STATUS },
      conflict: 'the item is no longer ready for implementation',
    });
  }

  markRejected(workItemId: string, at: Date, reason: string): Promise<TransitionResult> {
    return this.transition(workItemId, {
      set: { status: 'failed', failureReason: reason, updatedAt: at.toISOString() },
      condition: '#status = :expected',
      values: { ':expected': READY_STATUS },
      conflict: 'the item is no longer ready for implementation',
    });
  }

  markInProgress(workItemId: string, buildId: string, at: Date): Promise<TransitionResult> {
    return this.transition(workItemId, {
      set: { status: 'in-progress', updatedAt: at.toISOString() },
      condition: 'buildId = :buildId AND #status IN (:started, :running)',
      values: { ':buildId': buildId, ':started': 'build-started', ':running': 'in-progress' },
      conflict: `the item is not recorded as started by build ${buildId}`,
    });
  }

  markFinished(
    workItemId: string,
    buildId: string,
    outcome: Extract<WorkItemStatus, 'done' | 'failed'>,
    at: Date,
    failureReason?: string,
  ): Promise<TransitionResult> {
    return this.transition(workItemId, {
      set: { status: outcome, updatedAt: at.toISOString(), ...(failureReason === undefined ? {} : { failureReason }) },
      condition: 'buildId = :buildId AND #status IN (:started, :running)',
      values: { ':buildId': buildId, ':started': 'build-started', ':running': 'in-progress' },
      conflict: `the item is not in progress under build ${buildId}`,
    });
  }

  private async transition(
    workItemId: string,
    change: {
      readonly set: Readonly<Record<string, string>>;
      readonly condition: string;
      readonly values: Readonly<Record<string, string>>;
      readonly conflict: string;
    },
  ): Promise<TransitionResult> {
    const names: Record<string, string> = { '#status': 'status' };
    const values: Record<string, string> = { ...change.values };
    const assignments = Object.entries(change.set).map(([attribute, value], index) => {
      names[`#a${index}`] = attribute;
      values[`:v${index}`] = value;
      return `#a${index} = :v${index}`;
    });
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [WORK_ITEMS_TABLE_KEYS.partitionKey]: workItemId },
          UpdateExpression: `SET ${assignments.join(', ')}`,
          ConditionExpression: `attribute_exists(${WORK_ITEMS_TABLE_KEYS.partitionKey}) AND ${change.condition}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return { kind: 'updated' };
    } catch (error) {
      if (isConditionFailure(error)) return { kind: 'conflict', reason: change.conflict };
      throw translateDynamoDbError(error, 'UpdateItem', this.tableName);
    }
  }
}
