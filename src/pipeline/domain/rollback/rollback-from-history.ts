/**
 * Plans a rollback from the deployment history: reads the deployments and the infrastructure-stage
 * runs the plan needs, then calls the pure planRollback. No side effects (the dry run and
 * `kiro-cd rollback --dry-run` stop here).
 */
import type { DeploymentHistory } from '../../ports/deployment-history.js';
import type { DeploymentRecord, EnvironmentName } from '../history-model.js';
import { infrastructureStageName } from '../stage-names.js';
import { lastKnownGood } from './last-known-good.js';
import { planRollback, type InfrastructureRun, type RollbackPlan, type RollbackRequest } from './rollback-plan.js';

/** What planning reads: the history, and the environments in deployment order. */
export interface RollbackHistory {
  readonly history: DeploymentHistory;
  /** Environments in deployment order. */
  readonly environments: readonly EnvironmentName[];
}

/** Older executions read for infrastructure runs, past the last known good one: enough to find its infrastructure. */
const INFRASTRUCTURE_LOOKBACK = 10;

/**
 * The successful, non-rollback infrastructure-stage runs, from the timelines of every execution newer
 * than the last known good release and of a few before it (the newest of those is the target).
 */
async function infrastructureRuns(deps: RollbackHistory, deployments: readonly DeploymentRecord[]): Promise<InfrastructureRun[]> {
  const good = lastKnownGood(deployments);
  const executions = new Map<string, { startedAt: string; isRollback: boolean }>();
  for (const record of deployments) {
    const known = executions.get(record.executionId);
    if (known === undefined || record.startedAt < known.startedAt) executions.set(record.executionId, { startedAt: record.startedAt, isRollback: record.isRollback || (known?.isRollback ?? false) });
  }
  const ordered = [...executions.entries()].filter(([, execution]) => !execution.isRollback).sort(([idA, a], [idB, b]) => (a.startedAt === b.startedAt ? idB.localeCompare(idA) : b.startedAt.localeCompare(a.startedAt)));
  const goodIndex = good === undefined ? -1 : ordered.findIndex(([id]) => id === good.executionId);
  const wanted = goodIndex < 0 ? ordered.slice(0, INFRASTRUCTURE_LOOKBACK) : ordered.slice(0, goodIndex + 1 + INFRASTRUCTURE_LOOKBACK);
  const stages = new Map(deps.environments.map((environment) => [infrastructureStageName(environment), environment]));
  const runs: InfrastructureRun[] = [];
  for (const [executionId, execution] of wanted) {
    for (const event of await deps.history.timeline(executionId)) {
      if (event.kind !== 'stage' || event.state !== 'SUCCEEDED') continue;
      const environment = stages.get(event.stage);
      if (environment !== undefined) runs.push({ executionId, environment, startedAt: execution.startedAt });
    }
  }
  return runs;
}

/** Plans the rollback from the deployment history (no side effects). */
export async function planFromHistory(deps: RollbackHistory, request: RollbackRequest): Promise<RollbackPlan> {
  const deployments = await deps.history.list({});
  return planRollback(request, deployments, deps.environments, await infrastructureRuns(deps, deployments));
}
