/**
 * The last known good release: the newest non-rollback production deployment that succeeded and
 * passed its health check. Pure, so the history adapters and the rollback planner agree on it.
 */
import type { DeploymentRecord } from '../history-model.js';

/** True when the record is a release that production accepted: deployed, healthy, not itself a rollback. */
export function passedProduction(record: DeploymentRecord): boolean {
  return record.environment === 'production' && record.status === 'succeeded' && record.health === 'passed' && !record.isRollback;
}

/**
 * Picks the last known good release from any set of deployment records, in any order. Ties on
 * `startedAt` are broken by execution id so the answer never depends on the order of the input.
 */
export function lastKnownGood(records: readonly DeploymentRecord[]): DeploymentRecord | undefined {
  let best: DeploymentRecord | undefined;
  for (const record of records) {
    if (!passedProduction(record)) continue;
    if (best === undefined || isNewer(record, best)) best = record;
  }
  return best;
}

/** Orders deployments by start time, then execution id (a stable tiebreak). */
export function isNewer(a: DeploymentRecord, b: DeploymentRecord): boolean {
  const byTime = Date.parse(a.startedAt) - Date.parse(b.startedAt);
  if (byTime !== 0) return byTime > 0;
  return a.executionId > b.executionId;
}
