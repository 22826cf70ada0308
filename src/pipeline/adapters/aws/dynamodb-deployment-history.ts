import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  type GetCommandOutput,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { ENVIRONMENT_NAMES } from '../../../shared/config/schema.js';
import { isRetryableDynamoDbError } from '../../../shared/dynamodb-retryable-errors.js';
import { TransientError } from '../../../shared/errors.js';
import { foldDeployments, recordEnvironmentsChangedBy } from '../../domain/history/deployment-fold.js';
import { canonicalEvents } from '../../domain/history/event-order.js';
import { isSummaryEvent, SUMMARY_SORT_KEY, summaryEventAttribute, summaryEventsOf } from '../../domain/history/execution-summary.js';
import { LAST_KNOWN_GOOD_ENVIRONMENT, selectRecords } from '../../domain/history/history-queries.js';
import { absorbableBy, leavesRecordUnchanged, storedRecordTraits } from '../../domain/history/record-refresh.js';
import {
  EVENT_PREFIX,
  HISTORY_TABLE,
  commitPartition,
  environmentPartition,
  eventSortKey,
  executionPartition,
  expiresAt,
  knownGoodPartition,
  recordKeys,
  recordSortKey,
  sortableTime,
} from '../../domain/history/table-keys.js';
import type { DeploymentRecord, EnvironmentName, HistoryEvent, HistoryQuery } from '../../domain/history-model.js';
import type { Clock } from '../../../shared/clock.js';
import type { DeploymentHistory, RecordResult } from '../../ports/deployment-history.js';

/** Constructor arguments of {@link DynamoDbDeploymentHistory}. */
export interface DynamoDbDeploymentHistoryProps {
  /** SDK client (regional endpoint, or the local emulator in tests). */
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** Source of `now` for the TTL attribute. */
  readonly clock: Clock;
}

/**
 * `DeploymentHistory` on DynamoDB (key design: `domain/history/table-keys.ts`).
 *
 * Recording is idempotent and order-tolerant without locks:
 * 1. the event is put once, conditionally on its key (its `eventId`) not existing;
 * 2. every event of the execution is read back with a strongly consistent query, folded purely,
 *    and each resulting record is put on condition that the stored one was folded from fewer
 *    events. Stored events only ever grow, so a fold of more events is a fold of a superset: a
 *    record only moves forward, and whichever writer saw the last event writes the final state.
 * Step 2 is skipped for facts that cannot change a record (`mayChangeRecords`), and puts only the
 * records the fact can change (`recordEnvironmentsChangedBy`: an environment's stage, action, health
 * or rollback fact changes only that environment's record). For an action starting or succeeding
 * and a health poll, the stored record is read first (one GetItem) and step 2 is skipped when it
 * shows the fact cannot change it (`leavesRecordUnchanged`: domain/history/record-refresh.ts); each
 * record item keeps what that judgement needs (`healthVerdicts`). Step 2 runs for a duplicate, so a delivery
 * that stored its event and then failed before updating the records is completed by the redelivery
 * (and every execution's end, an execution fact, rewrites all of its records).
 * 3. an event the execution's summary keeps (`isSummaryEvent`: it names the commit or a failed
 *    action) is also set as one attribute of the summary item (`EXEC#<id>`, `SUMMARY`), by an
 *    UpdateItem that creates the item when it is missing and is conditional on that event's
 *    attribute not existing yet: the first payload stored under an id stays, like the event item's,
 *    and a redelivery (also after a failure between steps) changes nothing or completes the summary.
 *    Readers of the commit and failure reason (the notifier) then get one item instead of a query of
 *    every event (docs/history-summary.md).
 */
export class DynamoDbDeploymentHistory implements DeploymentHistory {
  private readonly documents: DynamoDBDocumentClient;
  private readonly tableName: string;
  private readonly clock: Clock;

  constructor(props: DynamoDbDeploymentHistoryProps) {
    this.documents = DynamoDBDocumentClient.from(props.client, {
      marshallOptions: { removeUndefinedValues: true },
    });
    this.tableName = props.tableName;
    this.clock = props.clock;
  }

  async record(event: HistoryEvent): Promise<RecordResult> {
    const result = await this.putEvent(event);
    const changed = recordEnvironmentsChangedBy(event);
    if (changed.length > 0 && !(await this.storedRecordAbsorbs(event, changed))) await this.refreshRecords(event.executionId, changed);
    if (isSummaryEvent(event)) await this.addToSummary(event);
    return result;
  }

  async summary(executionId: string): Promise<HistoryEvent[]> {
    const found = await this.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [HISTORY_TABLE.partitionKey]: executionPartition(executionId), [HISTORY_TABLE.sortKey]: SUMMARY_SORT_KEY },
        ConsistentRead: true,
      }),
    );
    // No summary yet (no summary event recorded so far, or an execution recorded before summaries
    // existed): the timeline holds the same events, at the price of the query.
    if (found.Item === undefined) return (await this.timeline(executionId)).filter(isSummaryEvent);
    return canonicalEvents(summaryEventsOf(found.Item));
  }

  private async addToSummary(event: HistoryEvent): Promise<void> {
    try {
      await this.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: { [HISTORY_TABLE.partitionKey]: executionPartition(event.executionId), [HISTORY_TABLE.sortKey]: SUMMARY_SORT_KEY },
          UpdateExpression: 'SET #event = :payload, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#event)',
          ExpressionAttributeNames: { '#event': summaryEventAttribute(event.eventId), '#ttl': HISTORY_TABLE.timeToLiveAttribute },
          ExpressionAttributeValues: { ':payload': JSON.stringify(event), ':ttl': expiresAt(this.clock.now()) },
        }),
      );
    } catch (error) {
      // The event is in the summary already (a redelivery): the first payload stays.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async latest(environment: EnvironmentName): Promise<DeploymentRecord | undefined> {
    const { byEnvironment } = HISTORY_TABLE.indexes;
    const records = await this.queryRecords(
      {
        IndexName: byEnvironment.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': byEnvironment.partitionKey },
        ExpressionAttributeValues: { ':pk': environmentPartition(environment) },
        ScanIndexForward: false,
      },
      1,
    );
    return records[0];
  }

  async lastKnownGood(): Promise<DeploymentRecord | undefined> {
    const { knownGood } = HISTORY_TABLE.indexes;
    const records = await this.queryRecords(
      {
        IndexName: knownGood.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': knownGood.partitionKey },
        ExpressionAttributeValues: { ':pk': knownGoodPartition(LAST_KNOWN_GOOD_ENVIRONMENT) },
        ScanIndexForward: false,
      },
      1,
    );
    return records[0];
  }

  async list(query: HistoryQuery): Promise<DeploymentRecord[]> {
    if (query.commitId !== undefined) {
      const { byCommit } = HISTORY_TABLE.indexes;
      const records = await this.queryRecords({
        IndexName: byCommit.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': byCommit.partitionKey },
        ExpressionAttributeValues: { ':pk': commitPartition(query.commitId) },
        ScanIndexForward: false,
      });
      return selectRecords(records, query);
    }
    const environments = query.environment === undefined ? ENVIRONMENT_NAMES : [query.environment];
    const perEnvironment = await Promise.all(
      environments.map((environment) => this.queryEnvironment(environment, query)),
    );
    return selectRecords(perEnvironment.flat(), query);
  }

  async timeline(executionId: string): Promise<HistoryEvent[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': HISTORY_TABLE.partitionKey, '#sk': HISTORY_TABLE.sortKey },
      ExpressionAttributeValues: { ':pk': executionPartition(executionId), ':prefix': EVENT_PREFIX },
      ConsistentRead: true,
    });
    return canonicalEvents(items.map((item) => JSON.parse(String(item.payload)) as HistoryEvent));
  }

  private async putEvent(event: HistoryEvent): Promise<RecordResult> {
    try {
      await this.send(
        new PutCommand({
          TableName: this.tableName,
          Item: {
            [HISTORY_TABLE.partitionKey]: executionPartition(event.executionId),
            [HISTORY_TABLE.sortKey]: eventSortKey(event.eventId),
            kind: event.kind,
            at: event.at,
            payload: JSON.stringify(event),
            [HISTORY_TABLE.timeToLiveAttribute]: expiresAt(this.clock.now()),
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': HISTORY_TABLE.partitionKey },
        }),
      );
      return 'recorded';
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'duplicate';
      throw error;
    }
  }

  /** True when the one record `event` concerns is stored and shows the event cannot change it. */
  private async storedRecordAbsorbs(event: HistoryEvent, changed: readonly EnvironmentName[]): Promise<boolean> {
    const environment = absorbableBy(event);
    if (environment === undefined || changed.length !== 1 || changed[0] !== environment) return false;
    const found = await this.send(
      new GetCommand({
        TableName: this.tableName,
        Key: { [HISTORY_TABLE.partitionKey]: executionPartition(event.executionId), [HISTORY_TABLE.sortKey]: recordSortKey(environment) },
        ProjectionExpression: '#record, #verdicts',
        ExpressionAttributeNames: { '#record': 'record', '#verdicts': 'healthVerdicts' },
        ConsistentRead: true,
      }),
    );
    if (found.Item === undefined) return false;
    const stored = JSON.parse(String(found.Item.record)) as DeploymentRecord;
    return leavesRecordUnchanged(event, { startedAt: stored.startedAt, healthVerdicts: typeof found.Item.healthVerdicts === 'number' ? found.Item.healthVerdicts : 0 });
  }

  private async refreshRecords(executionId: string, environments: readonly EnvironmentName[]): Promise<void> {
    const events = await this.timeline(executionId);
    const records = foldDeployments(events).filter((record) => environments.includes(record.environment));
    for (const record of records) {
      try {
        await this.send(
          new PutCommand({
            TableName: this.tableName,
            Item: {
              ...recordKeys(record),
              record: JSON.stringify(record),
              eventCount: events.length,
              healthVerdicts: storedRecordTraits(record, events).healthVerdicts,
              [HISTORY_TABLE.timeToLiveAttribute]: expiresAt(this.clock.now()),
            },
            ConditionExpression: 'attribute_not_exists(#pk) OR eventCount < :count',
            ExpressionAttributeNames: { '#pk': HISTORY_TABLE.partitionKey },
            ExpressionAttributeValues: { ':count': events.length },
          }),
        );
      } catch (error) {
        // A record folded from at least as many events is already stored: it is as new as ours.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
  }

  private queryEnvironment(environment: EnvironmentName, query: HistoryQuery): Promise<DeploymentRecord[]> {
    const { byEnvironment } = HISTORY_TABLE.indexes;
    const names: Record<string, string> = { '#pk': byEnvironment.partitionKey };
    const values: Record<string, string> = { ':pk': environmentPartition(environment) };
    let condition = '#pk = :pk';
    // Sort keys are `<startedAt>#<executionId>`: `<from>` sorts before every key of that instant,
    // `<to>` before every key of its instant, so these bounds are `from` inclusive, `to` exclusive.
    if (query.from !== undefined && query.to !== undefined) {
      condition += ' AND #sk BETWEEN :from AND :to';
      values[':from'] = sortableTime(query.from);
      values[':to'] = sortableTime(query.to);
    } else if (query.from !== undefined) {
      condition += ' AND #sk >= :from';
      values[':from'] = sortableTime(query.from);
    } else if (query.to !== undefined) {
      condition += ' AND #sk < :to';
      values[':to'] = sortableTime(query.to);
    }
    if (condition.includes('#sk')) names['#sk'] = byEnvironment.sortKey;
    return this.queryRecords(
      {
        IndexName: byEnvironment.name,
        KeyConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
      },
      query.limit,
    );
  }

  private async queryRecords(
    input: Omit<QueryCommandInput, 'TableName'>,
    limit?: number,
  ): Promise<DeploymentRecord[]> {
    const items = await this.queryAll({ ...input, TableName: this.tableName }, limit);
    return items.map((item) => JSON.parse(String(item.record)) as DeploymentRecord);
  }

  private async queryAll(input: QueryCommandInput, limit?: number): Promise<Record<string, unknown>[]> {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.send(
        new QueryCommand({ ...input, ...(limit === undefined ? {} : { Limit: limit }), ExclusiveStartKey: startKey }),
      );
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined && (limit === undefined || items.length < limit));
    return limit === undefined ? items : items.slice(0, limit);
  }

  private async send(command: PutCommand | UpdateCommand): Promise<undefined>;
  private async send(command: QueryCommand): Promise<QueryCommandOutput>;
  private async send(command: GetCommand): Promise<GetCommandOutput>;
  private async send(command: PutCommand | UpdateCommand | QueryCommand | GetCommand): Promise<QueryCommandOutput | GetCommandOutput | undefined> {
    try {
      if (command instanceof QueryCommand) return await this.documents.send(command);
      if (command instanceof GetCommand) return await this.documents.send(command);
      if (command instanceof UpdateCommand) {
        await this.documents.send(command);
        return undefined;
      }
      await this.documents.send(command);
      return undefined;
    } catch (error) {
      if (isRetryableDynamoDbError(error)) {
        throw new TransientError(
          `DynamoDB table ${this.tableName} is throttling or briefly unavailable (${error.name}); the event will be retried.`,
          { table: this.tableName, error: error.name },
          error,
        );
      }
      throw error;
    }
  }
}
