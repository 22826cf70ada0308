/**
 * The four DORA measures, computed from the deployment history of production (pure arithmetic).
 *
 * - deployment frequency: successful forward production deployments per day in the window;
 * - lead time for changes: commit time (`commit.committedAt`) to production success, mean seconds;
 * - time to restore: a failed or rolled-back production deployment to the next healthy production
 *   release (successful and health-checked, a rollback execution included), mean seconds;
 * - change failure rate: failed and rolled-back over all completed forward production deployments.
 * A measure with no data in the window is `undefined` (not zero: "no failures" is not "no data").
 */
import type { DeploymentRecord, EnvironmentName } from '../history-model.js';

/** The window the measures cover: `from` inclusive, `to` exclusive. */
export interface MetricsWindow {
  readonly from: Date;
  readonly to: Date;
}

/** DORA measures over one window. */
export interface DoraMeasures {
  readonly deploymentsPerDay: number;
  readonly leadTimeSeconds?: number;
  readonly timeToRestoreSeconds?: number;
  readonly changeFailureRate?: number;
}

const MS_PER_DAY = 86_400_000;

function mean(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : values.reduce((sum, value) => sum + value, 0) / values.length;
}

function finishedWithin(record: DeploymentRecord, window: MetricsWindow): boolean {
  if (record.finishedAt === undefined) return false;
  const finished = Date.parse(record.finishedAt);
  return finished >= window.from.getTime() && finished < window.to.getTime();
}

/** Share of failed and rolled-back deployments among completed ones, in [0, 1]; undefined with none. */
export function failureRate(records: readonly DeploymentRecord[]): number | undefined {
  const completed = records.filter((record) => record.status === 'succeeded' || record.status === 'failed' || record.status === 'rolled-back');
  if (completed.length === 0) return undefined;
  const failures = completed.filter((record) => record.status !== 'succeeded').length;
  return failures / completed.length;
}

/** Computes the DORA measures for the environment (production by default). */
export function computeDora(
  records: readonly DeploymentRecord[],
  window: MetricsWindow,
  environment: EnvironmentName = 'production',
): DoraMeasures {
  const inEnvironment = records.filter((record) => record.environment === environment);
  const forward = inEnvironment.filter((record) => !record.isRollback && finishedWithin(record, window));
  const successes = forward.filter((record) => record.status === 'succeeded');
  const days = Math.max(window.to.getTime() - window.from.getTime(), 1) / MS_PER_DAY;

  const leadTimes = successes.flatMap((record) => {
    if (record.commit.committedAt === undefined || record.finishedAt === undefined) return [];
    const committed = Date.parse(record.commit.committedAt);
    if (Number.isNaN(committed)) return [];
    // Clock skew between GitHub and AWS must not make a lead time negative.
    return [Math.max(0, (Date.parse(record.finishedAt) - committed) / 1000)];
  });

  const healthy = inEnvironment
    .filter((record) => record.status === 'succeeded' && record.health === 'passed' && record.finishedAt !== undefined)
    .map((record) => Date.parse(record.finishedAt ?? ''))
    .sort((left, right) => left - right);
  const restoreTimes = forward
    .filter((record) => record.status === 'failed' || record.status === 'rolled-back')
    .flatMap((record) => {
      const failedAt = Date.parse(record.finishedAt ?? '');
      const restoredAt = healthy.find((time) => time > failedAt);
      return restoredAt === undefined ? [] : [(restoredAt - failedAt) / 1000];
    });

  const rate = failureRate(forward);
  const leadTime = mean(leadTimes);
  const restore = mean(restoreTimes);
  return {
    deploymentsPerDay: successes.length / days,
    ...(leadTime === undefined ? {} : { leadTimeSeconds: leadTime }),
    ...(restore === undefined ? {} : { timeToRestoreSeconds: restore }),
    ...(rate === undefined ? {} : { changeFailureRate: rate }),
  };
}
