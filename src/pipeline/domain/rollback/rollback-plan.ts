/**
 * The rollback plan: which stage to roll back first, and where the full rollback returns every
 * environment to when that fails. Pure: the orchestrator gathers the facts and carries the plan out.
 */
import type { DeploymentRecord, EnvironmentName } from '../history-model.js';
import { applicationStageName, infrastructureStageName, stageRole } from '../stage-names.js';
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
  /**
   * Manual rollbacks only: the number of this retry after failed attempts of the same request (1, 2, ...).
   * A finished rollback is never run again under its key, so a retry is a rollback of its own.
   */
  readonly retry?: number;
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

/**
 * A successful, non-rollback run of an environment's infrastructure stage (the stage is skipped when
 * nothing changed, so only some executions have one). The orchestrator reads these from the history.
 */
export interface InfrastructureRun {
  readonly executionId: string;
  readonly environment: EnvironmentName;
  /** ISO-8601 start of the execution, the same ordering key deployments use. */
  readonly startedAt: string;
}

/** One `RollbackStage` call of the full rollback. */
export interface StageTarget {
  readonly environment: EnvironmentName;
  readonly layer: 'application' | 'infrastructure';
  readonly stage: string;
  /** An execution that succeeded in this stage, is not a rollback, and (CodePipeline checks) is from the current structure version. */
  readonly targetExecutionId: string;
}

/** The full rollback step: every environment newer than the last known good release returns to it. */
export type FullStep =
  | {
      readonly kind: 'full';
      readonly targetExecutionId: string;
      readonly targetCommitId: string;
      /** Environments that run something newer than the target, in deployment order. */
      readonly environments: readonly EnvironmentName[];
      /**
       * Stage rollbacks run in parallel: each affected environment's application stage to the last
       * known good execution and, where a newer release changed infrastructure, its infrastructure
       * stage to the newest earlier run of that stage. Empty when `restartOnly` is set.
       */
      readonly stages: readonly StageTarget[];
      /** Why no stage rollback can do it, so only a pipeline restart on the target commit can. */
      readonly restartOnly?: string;
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
  const base =
    target === undefined
      ? `${request.pipelineName}#${request.environment}#${request.executionId}`
      : `${request.pipelineName}#${request.environment}#${request.executionId}#to#${target}`;
  return request.retry === undefined ? base : `${base}#retry#${request.retry}`;
}

function newestFirst(records: readonly DeploymentRecord[]): DeploymentRecord[] {
  return [...records].sort((a, b) => (isNewer(a, b) ? -1 : isNewer(b, a) ? 1 : 0));
}

function runIsNewer(a: { readonly startedAt: string; readonly executionId: string }, b: { readonly startedAt: string; readonly executionId: string }): boolean {
  const byTime = Date.parse(a.startedAt) - Date.parse(b.startedAt);
  return byTime !== 0 ? byTime > 0 : a.executionId > b.executionId;
}

function newestRun(runs: readonly InfrastructureRun[]): InfrastructureRun | undefined {
  let best: InfrastructureRun | undefined;
  for (const run of runs) if (best === undefined || runIsNewer(run, best)) best = run;
  return best;
}

function infrastructureStageStep(request: RollbackRequest, deployments: readonly DeploymentRecord[], runs: readonly InfrastructureRun[]): StageStep {
  const wanted = request.target;
  const candidates = runs.filter(
    (run) =>
      run.environment === request.environment &&
      run.executionId !== request.executionId &&
      (wanted?.executionId === undefined || run.executionId === wanted.executionId),
  );
  const chosen = newestRun(candidates);
  if (chosen === undefined) {
    return { kind: 'none', reason: `Stage rollback is not possible: ${request.stage} has no earlier successful run to return to.` };
  }
  const commit = deployments.find((record) => record.executionId === chosen.executionId)?.commit.id ?? 'unknown';
  return { kind: 'stage', environment: request.environment, stage: request.stage, targetExecutionId: chosen.executionId, targetCommitId: commit };
}

function stageStep(request: RollbackRequest, deployments: readonly DeploymentRecord[], runs: readonly InfrastructureRun[], environments: readonly EnvironmentName[]): StageStep {
  if (stageRole(request.stage, environments).kind === 'infrastructure') return infrastructureStageStep(request, deployments, runs);
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
  runs: readonly InfrastructureRun[],
): FullStep {
  const good = lastKnownGood(deployments);
  if (good === undefined) {
    return { kind: 'none', reason: 'Full rollback is not possible: no release has passed production yet, so there is no last known good version.' };
  }
  const affected = environments.filter((environment) => {
    const current = newestFirst(deployments.filter((record) => record.environment === environment))[0];
    // The environment asked about is affected unless it runs the last known good release itself
    // (a manual rollback of production right after it passed): there is nothing to return it to.
    if (environment === request.environment) return current?.executionId !== good.executionId;
    return current !== undefined && current.commit.id !== good.commit.id && isNewer(current, good);
  });
  if (affected.length === 0) {
    return { kind: 'none', reason: `Full rollback is not needed: every environment already runs the last known good release ${good.commit.id} (execution ${good.executionId}).` };
  }
  const stages: StageTarget[] = [];
  const missing: string[] = [];
  for (const environment of affected) {
    stages.push({ environment, layer: 'application', stage: applicationStageName(environment), targetExecutionId: good.executionId });
    const ofEnvironment = runs.filter((run) => run.environment === environment);
    const changedSince = ofEnvironment.some((run) => runIsNewer(run, good));
    if (!changedSince) continue;
    const target = newestRun(ofEnvironment.filter((run) => !runIsNewer(run, good)));
    if (target === undefined) missing.push(environment);
    else stages.push({ environment, layer: 'infrastructure', stage: infrastructureStageName(environment), targetExecutionId: target.executionId });
  }
  const base = { kind: 'full' as const, targetExecutionId: good.executionId, targetCommitId: good.commit.id, environments: affected };
  if (missing.length > 0) {
    return {
      ...base,
      stages: [],
      restartOnly: `A newer release changed the infrastructure of ${missing.join(', ')}, and no earlier successful infrastructure run exists to roll back to.`,
    };
  }
  return { ...base, stages };
}

/**
 * Plans a rollback from the deployment history. The stage step returns the failed stage to its
 * newest earlier successful, healthy, non-rollback deployment (or to the requested target); the
 * full step returns every environment that runs a release newer than the last known good one to it,
 * stage by stage (see {@link FullStep}). `environments` is the deployment order, used to order the
 * affected environments; `infrastructureRuns` are the successful infrastructure-stage runs.
 */
export function planRollback(
  request: RollbackRequest,
  deployments: readonly DeploymentRecord[],
  environments: readonly EnvironmentName[],
  infrastructureRuns: readonly InfrastructureRun[] = [],
): RollbackPlan {
  return {
    key: rollbackKey(request),
    request,
    stage: stageStep(request, deployments, infrastructureRuns, environments),
    full: fullStep(request, deployments, environments, infrastructureRuns),
  };
}
