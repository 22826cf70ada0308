import type { DeploymentRecord, EnvironmentName } from '../../pipeline/domain/history-model.js';
import type { DeploymentHistory } from '../../pipeline/ports/deployment-history.js';

/** How many recent deployments to look through for the last successful one. */
const LOOKBACK = 50;

/**
 * The newest deployment into the environment that succeeded: its commit is what the environment
 * runs. `latest()` answers first, as it is the common case; when the newest deployment is still in
 * progress (this very execution, recorded as it started), failed or was stopped, its commit may
 * never have reached the environment, so the list is searched for the newest success instead.
 * A rollback that succeeded counts: its commit is what it restored.
 */
export async function lastDeployedRecord(history: DeploymentHistory, environment: EnvironmentName): Promise<DeploymentRecord | undefined> {
  const latest = await history.latest(environment);
  if (latest === undefined) return undefined;
  if (latest.status === 'succeeded') return latest;
  const recent = await history.list({ environment, limit: LOOKBACK });
  return recent.find((record) => record.status === 'succeeded');
}
