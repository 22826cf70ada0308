/**
 * The rollback plan: which stage to roll back first, and where the full rollback returns every
 * environment to when that fails. Pure: the orchestrator gathers the facts and carries the plan out.
 */
import type { DeploymentRecord, EnvironmentName } from '../history-model.js';
import { isNewer, lastKnownGood } from './last-known-good.js';

/** Why a rollback was asked for, and for what. */
export interface RollbackRequest {
  readonly pipelineName: string;
  readonly environment: EnvironmentName;
  /** The stage that failed (or, for a manual rollback, the environment's application stage). */
  readonly stage: string;
  /** The execution that failed, or the one currently deployed when the rollback is manual. */
  readonly executionId: string;
  /** What set it off: `stage-failed:<stage>`, `health-check`, `manual:<user>`, ... */
  readonly trigger: string;
  readonly reason: string;
  /** Manual rollbacks only: roll back to this execution or commit instead of the automatic choice. */
  readonly target?: { readonly executionId?: string; readonly commitId?: string };
}

/** The stage rollback step: re-run the stage with the artifacts of an earlier successful execution. */
export type StageStep =
  | {
      readonly kind: 'stage';
      readonly environment: EnvironmentName;
      readonly stage: string;
      readonly targetExecutionId: string;
      readonly targetCommitId: string;
    }
  | { readonly kind: 'none'; readonly reason: string };

/** The full rollback step: every environment newer than the last known good release returns to it. */
export type FullStep =
  | {
      readonly kind: 'full';
      readonly targetExecutionId: string;
      readonly targetCommitId: string;
      /** Environments that run something newer than the target, in deployment order. */
      readonly environments: readonly EnvironmentName[];
    }
  | { readonly kind: 'none'; readonly reason: string };

/** The whole plan. `key` identifies the rollback: two triggers with one key are one rollback. */
export interface RollbackPlan {
  readonly key: string;
  readonly request: RollbackRequest;
  readonly stage: StageStep;
  readonly full: FullStep;
}

/** Builds the idempotency key: one rollback per failed execution and environment, whatever fired it. */
export function rollbackKey(request: RollbackRequest): string {
  const target = request.target?.executionId ?? request.target?.commitId;
  return target === undefined
    ? `${request.pipelineName}#${request.environment}#${request.executionId}`
    : `${request.pipelineName}#${request.environment}#${request.executionId}#to#${target}`;
}

function newestFirst(records: readonly DeploymentRecord[]): DeploymentRecord[] {
  return [...records].sort((a, b) => (isNewer(a, b) ? -1 : isNewer(b, a) ? 1 : 0));
}

function stageStep(request: RollbackRequest, deployments: readonly DeploymentRecord[]): StageStep {
  const candidates = newestFirst(
    deployments.filter(
      (record) =>
        record.environment === request.environment &&
        record.executionId !== request.executionId &&
        record.status === 'succeeded' &&
        // CodePipeline refuses a rollback execution as a rollback target.
        !record.isRollback &&
        record.health !== 'failed',
    ),
  );
  const wanted = request.target;
  const chosen =
    wanted === undefined
      ? candidates[0]
      : candidates.find((record) => record.executionId === wanted.executionId || record.commit.id === wanted.commitId);
  if (chosen === undefined) {
    const what = wanted === undefined ? 'no earlier successful deployment' : `no successful deployment matching ${wanted.executionId ?? wanted.commitId ?? ''}`;
    return { kind: 'none', reason: `Stage rollback is not possible: ${request.environment} has ${what} to return to.` };
  }
  return {
    kind: 'stage',
    environment: request.environment,
    stage: request.stage,
    targetExecutionId: chosen.executionId,
    targetCommitId: chosen.commit.id,
  };
}

function fullStep(
  request: RollbackRequest,
  deployments: readonly DeploymentRecord[],
  environments: readonly EnvironmentName[],
): FullStep {
  const good = lastKnownGood(deployments);
  if (good === undefined) {
    return { kind: 'none', reason: 'Full rollback is not possible: no release has passed production yet, so there is no last known good version.' };
  }
  const affected = environments.filter((environment) => {
    if (environment === request.environment) return true;
    const current = newestFirst(deployments.filter((record) => record.environment === environment))[0];
    return current !== undefined && current.commit.id !== good.commit.id && isNewer(current, good);
  });
  return { kind: 'full', targetExecutionId: good.executionId, targetCommitId: good.commit.id, environments: affected };
}

/**
 * Plans a rollback from the deployment history. The stage step returns the failed stage to its
 * newest earlier successful, healthy, non-rollback deployment (or to the requested target); the
 * full step returns every environment that runs a release newer than the last known good one to it.
 * `environments` is the deployment order, used to order the affected environments.
 */
export function planRollback(
  request: RollbackRequest,
  deployments: readonly DeploymentRecord[],
  environments: readonly EnvironmentName[],
): RollbackPlan {
  return {
    key: rollbackKey(request),
    request,
    stage: stageStep(request, deployments),
    full: fullStep(request, deployments, environments),
  };
}
