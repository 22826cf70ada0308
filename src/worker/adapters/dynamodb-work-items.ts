import { GetCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MalformedInputError } from '../../shared/errors.js';
import { WORK_ITEMS_TABLE_KEYS } from '../domain/table-keys.js';
import { READY_STATUS, isWorkItemStatus, type WorkItem, type WorkItemStatus } from '../domain/work-item.js';
import type { MalformedWorkItem, ReadyPage, TransitionResult, WorkItemRepository } from '../ports/work-items.js';
import { isConditionFailure, translateDynamoDbError } from './dynamodb-errors.js';

const REQUIRED = 'workItemId, status, repository, branch and updatedAt';

/** Reads a stored item, or says what it lacks. */
function parseWorkItem(record: Record<string, unknown>): WorkItem | string {
  const { workItemId, status, repository, branch, updatedAt, buildId, failureReason } = record;
  if (typeof workItemId !== 'string' || !isWorkItemStatus(status) || typeof repository !== 'string' || typeof branch !== 'string' || typeof updatedAt !== 'string') {
    return `the record lacks one of ${REQUIRED} (see docs/application.md, "Work items")`;
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

/** Reads a stored item, refusing records that lack the fields the worker relies on. */
export function toWorkItem(record: Record<string, unknown>, table: string): WorkItem {
  const parsed = parseWorkItem(record);
  if (typeof parsed === 'string') {
    throw new MalformedInputError(`Work item ${JSON.stringify(record.workItemId)} in table ${table} lacks ${REQUIRED}; fix the record (see docs/application.md, "Work items").`, {
      table,
      workItemId: record.workItemId,
    });
  }
  return parsed;
}

/** A transition: what to set, when, and how to tell that it already happened (a retried request). */
interface Transition {
  readonly set: Readonly<Record<string, string>>;
  readonly condition: string;
  readonly values: Readonly<Record<string, string>>;
  readonly conflict: string;
  /** True when the item already is what this transition makes it. */
  readonly alreadyDone: (item: WorkItem) => boolean;
}

const UNFINISHED: readonly WorkItemStatus[] = ['build-started', 'in-progress'];

/**
 * The work-items table in DynamoDB; every status change is a conditional update. An SDK retry of an
 * update whose first answer was lost finds the condition false (the first attempt applied it);
 * the adapter then reads the item back and answers `updated` when it already is what was asked.
 */
export class DynamoDbWorkItems implements WorkItemRepository {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async listReady(limit: number, cursor?: string): Promise<ReadyPage> {
    const result = await this.queryStatus(READY_STATUS, limit, cursor);
    const items: WorkItem[] = [];
    const malformed: MalformedWorkItem[] = [];
    for (const record of result.Items ?? []) {
      const parsed = parseWorkItem(record);
      // One bad record must not stop the queue: it is reported (and failed by the poller), the rest go on.
      if (typeof parsed === 'string') malformed.push({ workItemId: String(record[WORK_ITEMS_TABLE_KEYS.partitionKey]), problem: parsed });
      else items.push(parsed);
    }
    const next = result.LastEvaluatedKey;
    return { items, malformed, ...(next === undefined ? {} : { cursor: JSON.stringify(next) }) };
  }

  async listUnfinishedBefore(before: Date, limit: number): Promise<readonly WorkItem[]> {
    const found: WorkItem[] = [];
    for (const status of UNFINISHED) {
      const result = await this.queryStatus(status, limit - found.length, undefined, before.toISOString());
      for (const record of result.Items ?? []) {
        const parsed = parseWorkItem(record);
        if (typeof parsed !== 'string') found.push(parsed);
      }
      if (found.length >= limit) break;
    }
    return found;
  }

  async get(workItemId: string): Promise<WorkItem | undefined> {
    try {
      const result = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: { [WORK_ITEMS_TABLE_KEYS.partitionKey]: workItemId }, ConsistentRead: true }),
      );
      return result.Item === undefined ? undefined : toWorkItem(result.Item, this.tableName);
    } catch (error) {
      if (error instanceof MalformedInputError) throw error;
      throw translateDynamoDbError(error, 'GetItem', this.tableName);
    }
  }

  markBuildStarted(workItemId: string, buildId: string, at: Date): Promise<TransitionResult> {
    return this.transition(workItemId, {
      set: { status: 'build-started', buildId, updatedAt: at.toISOString() },
      condition: '#status = :expected',
      values: { ':expected': READY_STATUS },
      conflict: 'the item is no longer ready for implementation',
      alreadyDone: (item) => item.buildId === buildId && item.status !== READY_STATUS,
    });
  }

  markRejected(workItemId: string, at: Date, reason: string): Promise<TransitionResult> {
    return this.transition(workItemId, {
      set: { status: 'failed', failureReason: reason, updatedAt: at.toISOString() },
      condition: '#status = :expected',
      values: { ':expected': READY_STATUS },
      conflict: 'the item is no longer ready for implementation',
      alreadyDone: (item) => item.status === 'failed' && item.failureReason === reason,
    });
  }

  markInProgress(workItemId: string, buildId: string, at: Date): Promise<TransitionResult> {
    return this.transition(workItemId, {
      set: { status: 'in-progress', updatedAt: at.toISOString() },
      condition: 'buildId = :buildId AND #status IN (:started, :running)',
      values: { ':buildId': buildId, ':started': 'build-started', ':running': 'in-progress' },
      conflict: `the item is not recorded as started by build ${buildId}`,
      alreadyDone: () => false,
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
      alreadyDone: (item) => item.buildId === buildId && item.status === outcome,
    });
  }

  private async queryStatus(status: WorkItemStatus, limit: number, cursor?: string, before?: string) {
    const names: Record<string, string> = { '#status': WORK_ITEMS_TABLE_KEYS.statusIndexPartitionKey };
    const values: Record<string, string> = { ':status': status };
    let condition = '#status = :status';
    if (before !== undefined) {
      names['#updatedAt'] = WORK_ITEMS_TABLE_KEYS.statusIndexSortKey;
      values[':before'] = before;
      condition += ' AND #updatedAt < :before';
    }
    try {
      return await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: WORK_ITEMS_TABLE_KEYS.statusIndexName,
          KeyConditionExpression: condition,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ScanIndexForward: true,
          Limit: limit,
          ...(cursor === undefined ? {} : { ExclusiveStartKey: JSON.parse(cursor) as Record<string, unknown> }),
        }),
      );
    } catch (error) {
      throw translateDynamoDbError(error, 'Query', this.tableName);
    }
  }

  private async transition(workItemId: string, change: Transition): Promise<TransitionResult> {
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
      if (!isConditionFailure(error)) throw translateDynamoDbError(error, 'UpdateItem', this.tableName);
    }
    const current = await this.get(workItemId);
    return current !== undefined && change.alreadyDone(current) ? { kind: 'updated' } : { kind: 'conflict', reason: change.conflict };
  }
}
