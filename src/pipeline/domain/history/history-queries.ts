/**
 * Pure selections over deployment records, shared by every `DeploymentHistory` implementation so
 * the DynamoDB adapter and the in-memory fake answer the same question the same way.
 */
import type { DeploymentRecord, EnvironmentName, HistoryQuery } from '../history-model.js';
import { compareRecordsNewestFirst, isKnownGood } from './deployment-fold.js';

/** The environment whose known-good release a full rollback returns every environment to. */
export const LAST_KNOWN_GOOD_ENVIRONMENT: EnvironmentName = 'production';

/** True when the record satisfies every filter of the query (`from` inclusive, `to` exclusive). */
export function matchesQuery(record: DeploymentRecord, query: HistoryQuery): boolean {
  if (query.environment !== undefined && record.environment !== query.environment) return false;
  if (query.commitId !== undefined && record.commit.id !== query.commitId) return false;
  const startedAt = Date.parse(record.startedAt);
  if (query.from !== undefined && startedAt < query.from.getTime()) return false;
  if (query.to !== undefined && startedAt >= query.to.getTime()) return false;
  return true;
}

/** The records that match, newest first, cut to `limit`. */
export function selectRecords(records: readonly DeploymentRecord[], query: HistoryQuery): DeploymentRecord[] {
  const selected = records.filter((record) => matchesQuery(record, query)).sort(compareRecordsNewestFirst);
  return query.limit === undefined ? selected : selected.slice(0, Math.max(0, query.limit));
}

/** The newest known-good release in the environment (production unless told otherwise). */
export function selectLastKnownGood(
  records: readonly DeploymentRecord[],
  environment: EnvironmentName = LAST_KNOWN_GOOD_ENVIRONMENT,
): DeploymentRecord | undefined {
  return selectRecords(
    records.filter((record) => isKnownGood(record)),
    { environment },
  )[0];
}
