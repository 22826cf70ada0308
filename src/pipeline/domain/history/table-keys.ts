/**
 * Key design of the deployment-history table: one place for the attribute and index names, used
 * by the CDK construct that creates the table, the DynamoDB adapter that reads and writes it, and
 * the emulator tests that create it locally.
 *
 * One table, two item types, both in the partition of their execution (`EXEC#<executionId>`):
 * - event items, `EVENT#<eventId>`: one per fact, written once (conditional put), the audit trail;
 *   querying the partition gives one execution's timeline.
 * - record items, `RECORD#<environment>`: the derived state of that execution in that environment.
 *   Three global secondary indexes serve the other queries:
 *   - `by-environment` (`ENV#<env>`, `<startedAt>#<executionId>`): latest per environment, time range;
 *   - `by-commit` (`COMMIT#<sha>`, `<startedAt>#<env>`): everything for one commit;
 *   - `known-good` (`GOOD#<env>`, `<startedAt>#<executionId>`), sparse: only healthy, successful,
 *     forward deployments carry it, so the last known good release is one key lookup.
 * Every item carries `expiresAt` (epoch seconds), the table's TTL attribute: 90 days after writing.
 */
import type { DeploymentRecord, EnvironmentName } from '../history-model.js';
import { isKnownGood } from './deployment-fold.js';

/** Attribute and index names of the table. */
export const HISTORY_TABLE = {
  partitionKey: 'pk',
  sortKey: 'sk',
  timeToLiveAttribute: 'expiresAt',
  indexes: {
    byEnvironment: { name: 'by-environment', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    byCommit: { name: 'by-commit', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    knownGood: { name: 'known-good', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  },
} as const;

/** How long every item lives (NFR-3: history retained 90 days). */
export const HISTORY_RETENTION_DAYS = 90;

const SECONDS_PER_DAY = 86_400;

/** The TTL value for an item written at `now`: epoch seconds, `days` later. */
export function expiresAt(now: Date, days: number = HISTORY_RETENTION_DAYS): number {
  return Math.floor(now.getTime() / 1000) + days * SECONDS_PER_DAY;
}

/** Partition of one execution. */
export function executionPartition(executionId: string): string {
  return `EXEC#${executionId}`;
}

/** Prefix of event items' sort keys. */
export const EVENT_PREFIX = 'EVENT#';
/** Prefix of record items' sort keys. */
export const RECORD_PREFIX = 'RECORD#';

/** Sort key of one event item: the event id alone, so a redelivered event hits the same key. */
export function eventSortKey(eventId: string): string {
  return `${EVENT_PREFIX}${eventId}`;
}

/** Sort key of one record item. */
export function recordSortKey(environment: EnvironmentName): string {
  return `${RECORD_PREFIX}${environment}`;
}

/**
 * A time in the one form used inside sort keys (`toISOString`, millisecond precision), so that
 * `2026-01-05T09:00:00Z` and `2026-01-05T09:00:00.000Z` sort as the same instant.
 */
export function sortableTime(time: string | Date): string {
  return (typeof time === 'string' ? new Date(time) : time).toISOString();
}

/** Partition of the `by-environment` index. */
export function environmentPartition(environment: EnvironmentName): string {
  return `ENV#${environment}`;
}

/** Partition of the `by-commit` index. */
export function commitPartition(commitId: string): string {
  return `COMMIT#${commitId}`;
}

/** Partition of the sparse `known-good` index. */
export function knownGoodPartition(environment: EnvironmentName): string {
  return `GOOD#${environment}`;
}

/** Every key attribute of a record item; the known-good keys only when the record qualifies. */
export function recordKeys(record: DeploymentRecord): Record<string, string> {
  const started = sortableTime(record.startedAt);
  const { byEnvironment, byCommit, knownGood } = HISTORY_TABLE.indexes;
  return {
    [HISTORY_TABLE.partitionKey]: executionPartition(record.executionId),
    [HISTORY_TABLE.sortKey]: recordSortKey(record.environment),
    [byEnvironment.partitionKey]: environmentPartition(record.environment),
    [byEnvironment.sortKey]: `${started}#${record.executionId}`,
    [byCommit.partitionKey]: commitPartition(record.commit.id),
    [byCommit.sortKey]: `${started}#${record.environment}`,
    ...(isKnownGood(record)
      ? {
          [knownGood.partitionKey]: knownGoodPartition(record.environment),
          [knownGood.sortKey]: `${started}#${record.executionId}`,
        }
      : {}),
  };
}
