/**
 * Carries out a rollback plan through the ports: take the lease, roll the current stage back,
 * fall back to a full rollback, and record and announce every step. It imports no AWS code; time
 * comes from the Clock port, so tests run the whole 15-minute budget in milliseconds.
 */
import type { Clock } from '../../../shared/clock.js';
import type { DeploymentHistory } from '../../ports/deployment-history.js';
import type { IdGenerator } from '../../../shared/id-generator.js';
import type { Notifier } from '../../ports/notifier.js';
import { PipelineBusyError, NoRollbackTargetError, type PipelineControl } from '../../ports/pipeline-control.js';
import type { RollbackLease, RollbackLedger } from '../../ports/rollback-ledger.js';
import { fullRollbackRestartMarker } from '../history/rollback-restart-marker.js';
import type { EnvironmentName, RollbackEvent } from '../history-model.js';
import type { NoticeKind } from '../notice.js';
import { PIPELINE_VARIABLES } from '../pipeline-vocabulary.js';
import { planFromHistory } from './rollback-from-history.js';
import type { RollbackPlan, RollbackRequest, StageTarget } from './rollback-plan.js';
import { backoffDelays, type RollbackTiming } from './rollback-timing.js';

/** Where the manual procedure is written down; every failure notice points there. */
export const MANUAL_PROCEDURE = 'docs/rollback.md#manual-procedure-when-automation-fails';

/** What the orchestrator needs. */
export interface RollbackDependencies {
  readonly history: DeploymentHistory;
  readonly ledger: RollbackLedger;
  readonly pipeline: PipelineControl;
  readonly notifier: Notifier;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly timing: RollbackTiming;
  /** Environments in deployment order. */
  readonly environments: readonly EnvironmentName[];
}

/** How a rollback request ended. */
export type RollbackOutcome =
  /** Dry run: the plan, nothing changed. */
  | { readonly kind: 'planned'; readonly plan: RollbackPlan }
  /** Another trigger already holds or finished this rollback: nothing was done. */
  | { readonly kind: 'duplicate'; readonly plan: RollbackPlan; readonly lease: RollbackLease }
  | {
      readonly kind: 'succeeded';
      readonly plan: RollbackPlan;
      readonly rollbackId: string;
      readonly scope: 'stage' | 'full';
      /** The (first) execution that carried the rollback out. */
      readonly rollbackExecutionId: string;
      /** Every execution the rollback started or adopted (several when environments rolled back in parallel). */
      readonly rollbackExecutionIds: readonly string[];
    }
  | { readonly kind: 'failed'; readonly plan: RollbackPlan; readonly rollbackId: string; readonly reason: string };

type StepResult =
  | { readonly ok: true; readonly executionId: string }
  /** `refused`: CodePipeline has no eligible target for this stage (UnableToRollbackStageException). */
  | { readonly ok: false; readonly reason: string; readonly refused?: boolean };

class Deadline {
  constructor(
    private readonly clock: Clock,
    private readonly at: number,
  ) {}

  remainingSeconds(): number {
    return (this.at - this.clock.now().getTime()) / 1000;
  }
}

/**
 * Runs one rollback request through the idempotent path: a dry run only plans; otherwise the
 * lease decides whether this run does the work (exactly one of any number of concurrent triggers).
 */
export async function runRollback(deps: RollbackDependencies, request: RollbackRequest, options: { readonly dryRun?: boolean } = {}): Promise<RollbackOutcome> {
  const plan = await planFromHistory(deps, request);
  if (options.dryRun === true) return { kind: 'planned', plan };

  const startedAt = deps.clock.now();
  const rollbackId = deps.ids.next();
  const budgetMs = deps.timing.budgetSeconds * 1000;
  const attempt = await deps.ledger.acquire(plan.key, rollbackId, startedAt, new Date(startedAt.getTime() + budgetMs));
  if (attempt.kind === 'held') return { kind: 'duplicate', plan, lease: attempt.lease };

  const deadline = new Deadline(deps.clock, startedAt.getTime() + budgetMs - deps.timing.reserveSeconds * 1000);
  const run = new RollbackRun(deps, plan, rollbackId, deadline);
  return run.execute();
}

class RollbackRun {
  /** True once any call of this run started something in the pipeline (a stage rollback, a restart, or adopting one). */
  private movedPipeline = false;

  constructor(
    private readonly deps: RollbackDependencies,
    private readonly plan: RollbackPlan,
    private readonly rollbackId: string,
    private readonly deadline: Deadline,
  ) {}

  /** Runs the plan; an unexpected error still ends in a recorded, announced failure, never in silence. */
  async execute(): Promise<RollbackOutcome> {
    try {
      return await this.steps();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return this.fail(`The rollback stopped on an unexpected error: ${message}.`);
    }
  }

  private async steps(): Promise<RollbackOutcome> {
    const { plan } = this;
    const reasons: string[] = [];
    if (plan.stage.kind === 'stage') {
      await this.announce('stage', 'started', plan.stage.targetExecutionId, plan.stage.targetCommitId, plan.request.reason);
      const stage = await this.stageRollback(plan.stage.stage, plan.stage.targetExecutionId);
      if (stage.ok) return this.succeed('stage', [stage.executionId], plan.stage.targetExecutionId, plan.stage.targetCommitId);
      reasons.push(stage.reason);
      await this.announce('stage', 'failed', plan.stage.targetExecutionId, plan.stage.targetCommitId, `${stage.reason} Falling back to a full rollback.`);
    } else {
      reasons.push(plan.stage.reason);
    }
    if (plan.full.kind === 'none') return this.fail([...reasons, plan.full.reason].join(' '));

    const full = plan.full;
    const how = full.restartOnly === undefined ? 'stage by stage, in parallel' : `by restarting the pipeline (${full.restartOnly})`;
    await this.announce('full', 'started', full.targetExecutionId, full.targetCommitId, `${reasons.join(' ')} Returning ${full.environments.join(', ')} to ${full.targetCommitId} ${how}.`);
    if (full.restartOnly === undefined) {
      const results = await Promise.all(full.stages.map((target) => this.fullStageRollback(target)));
      const failures = results.flatMap((result) => (result.ok ? [] : [result]));
      if (failures.length === 0) {
        const ids = results.flatMap((result) => (result.ok ? [result.executionId] : []));
        return this.succeed('full', ids, full.targetExecutionId, full.targetCommitId);
      }
      reasons.push(...failures.map((failure) => failure.reason));
      // Only a missing target justifies the slow restart; a stage that ran and failed would fail again.
      if (!failures.some((failure) => failure.refused === true)) return this.fail(reasons.join(' '), full.targetExecutionId, full.targetCommitId);
      reasons.push(`No eligible stage target: restarted the pipeline on ${full.targetCommitId}, which may not finish within the 15-minute budget.`);
    }
    const redeploy = await this.restart(full.targetCommitId);
    if (redeploy.ok) return this.succeed('full', [redeploy.executionId], full.targetExecutionId, full.targetCommitId);
    return this.fail([...reasons, redeploy.reason].join(' '), full.targetExecutionId, full.targetCommitId);
  }

  private async stageRollback(stage: string, targetExecutionId: string): Promise<StepResult> {
    // The stage's own onFailure ROLLBACK condition may have started one already: adopt it rather than
    // race it. Checked before every attempt: while the failed stage still runs (a parallel action not
    // done yet), RollbackStage is refused as busy, and CodePipeline's own rollback may start meanwhile.
    const started = await this.retried(`RollbackStage ${stage}`, async () => {
      const latest = await this.deps.pipeline.stageExecution(stage);
      if (latest !== undefined && latest.type === 'ROLLBACK' && latest.executionId !== this.plan.request.executionId) return latest.executionId;
      return this.deps.pipeline.rollbackStage(stage, targetExecutionId);
    });
    if (!started.ok) return started;
    return this.waitFor(started.executionId, this.deps.timing.stageTimeoutSeconds, `stage rollback of ${stage}`);
  }

  /** One stage of the full rollback: RollbackStage to the target, then wait for it (its health check re-runs). */
  private async fullStageRollback(target: StageTarget): Promise<StepResult> {
    const started = await this.retried(`RollbackStage ${target.stage}`, () => this.deps.pipeline.rollbackStage(target.stage, target.targetExecutionId));
    if (!started.ok) return started;
    return this.waitFor(started.executionId, this.deps.timing.fullTimeoutSeconds, `${target.layer} rollback of ${target.environment} (${target.stage})`);
  }

  /** The last resort: a new pipeline execution on the target commit, marked as a rollback. */
  private async restart(commitId: string): Promise<StepResult> {
    const started = await this.retried('StartPipelineExecution', () =>
      this.deps.pipeline.redeploy({
        commitId,
        // The pipeline-level variables a full rollback carries, so the pipeline's conditions can tell it apart.
        variables: { [PIPELINE_VARIABLES.rollback.name]: 'true', [PIPELINE_VARIABLES.rollbackId.name]: this.rollbackId },
        clientRequestToken: this.rollbackId,
      }),
    );
    if (!started.ok) return started;
    // CodePipeline reports the restart as a plain StartPipelineExecution: mark it, or history and DORA count it as a release.
    const { pipelineName } = this.plan.request;
    await this.deps.history.record(fullRollbackRestartMarker({ pipelineName, executionId: started.executionId, rollbackId: this.rollbackId, commitId, at: this.deps.clock.now().toISOString() }));
    // A restart runs every stage again; it may use the whole remaining budget and is cut off at the deadline.
    return this.waitFor(started.executionId, this.deadline.remainingSeconds(), 'pipeline restart on the last known good commit');
  }

  /** Calls `start`, retrying PipelineBusyError with backoff while the budget allows. */
  private async retried(what: string, start: () => Promise<string>): Promise<StepResult> {
    const delays = backoffDelays(this.deps.timing);
    for (let attempt = 0; ; attempt += 1) {
      try {
        const executionId = await start();
        this.movedPipeline = true;
        return { ok: true, executionId };
      } catch (error) {
        if (error instanceof NoRollbackTargetError) return { ok: false, reason: `${what} refused: ${error.message}.`, refused: true };
        if (!(error instanceof PipelineBusyError)) throw error;
        const delay = delays[attempt];
        if (delay === undefined || delay >= this.deadline.remainingSeconds()) {
          return { ok: false, reason: `${what} still busy after ${attempt + 1} attempts: ${error.message}.` };
        }
        await this.deps.clock.sleep(delay * 1000);
      }
    }
  }

  /** Polls the execution until it ends, its own timeout passes, or the budget runs out. */
  private async waitFor(executionId: string, timeoutSeconds: number, what: string): Promise<StepResult> {
    const { clock, pipeline, timing } = this.deps;
    const until = clock.now().getTime() + timeoutSeconds * 1000;
    for (;;) {
      const status = await pipeline.executionStatus(executionId);
      if (status === 'Succeeded') return { ok: true, executionId };
      if (status !== 'InProgress' && status !== 'Stopping') {
        return { ok: false, reason: `The ${what} (execution ${executionId}) ended ${status}.` };
      }
      const leftMs = Math.min(until - clock.now().getTime(), this.deadline.remainingSeconds() * 1000);
      if (leftMs <= 0) return { ok: false, reason: `The ${what} (execution ${executionId}) did not finish within ${timeoutSeconds} s.` };
      await clock.sleep(Math.min(timing.pollIntervalSeconds * 1000, leftMs));
    }
  }

  private async succeed(scope: 'stage' | 'full', rollbackExecutionIds: readonly string[], targetExecutionId: string, targetCommitId: string): Promise<RollbackOutcome> {
    const reason = `${scope === 'stage' ? 'Stage' : 'Full'} rollback finished and validated by the health checks it re-ran (executions ${rollbackExecutionIds.join(', ')}).`;
    await this.announce(scope, 'succeeded', targetExecutionId, targetCommitId, reason);
    await this.deps.ledger.finish(this.plan.key, this.rollbackId, 'succeeded', scope);
    return { kind: 'succeeded', plan: this.plan, rollbackId: this.rollbackId, scope, rollbackExecutionId: rollbackExecutionIds[0] ?? '', rollbackExecutionIds };
  }

  private async fail(reason: string, targetExecutionId?: string, targetCommitId?: string): Promise<RollbackOutcome> {
    const full = `${reason} Automation has given up: follow the manual procedure (${MANUAL_PROCEDURE}).`;
    await this.announce('full', 'failed', targetExecutionId, targetCommitId, full);
    await this.deps.ledger.finish(this.plan.key, this.rollbackId, 'failed', reason);
    return { kind: 'failed', plan: this.plan, rollbackId: this.rollbackId, reason: full };
  }

  /** Records the step in the history (idempotent by a derived event id) and tells the team. */
  private async announce(scope: 'stage' | 'full', phase: RollbackEvent['phase'], targetExecutionId: string | undefined, targetCommitId: string | undefined, reason: string): Promise<void> {
    const { request } = this.plan;
    const at = this.deps.clock.now().toISOString();
    const event: RollbackEvent = {
      kind: 'rollback',
      eventId: `rollback:${this.rollbackId}:${scope}:${phase}`,
      pipelineName: request.pipelineName,
      executionId: request.executionId,
      at,
      rollbackId: this.rollbackId,
      scope,
      phase,
      environment: request.environment,
      ...(targetExecutionId === undefined ? {} : { targetExecutionId }),
      ...(targetCommitId === undefined ? {} : { targetCommitId }),
      trigger: request.trigger,
      reason,
      ...(phase === 'failed' ? { movedPipeline: this.movedPipeline } : {}),
    };
    await this.deps.history.record(event);
    const kind: NoticeKind = phase === 'started' ? 'rollback-started' : phase === 'succeeded' ? 'rollback-succeeded' : 'rollback-failed';
    const environments = this.plan.full.kind === 'full' && scope === 'full' ? this.plan.full.environments : [request.environment];
    await this.deps.notifier.notify({
      kind,
      pipelineName: request.pipelineName,
      executionId: request.executionId,
      environment: request.environment,
      stage: request.stage,
      outcome: `${scope.toUpperCase()}_ROLLBACK_${phase.toUpperCase()}`,
      reason,
      at,
      details: [
        `Trigger: ${request.trigger}`,
        `Rollback id: ${this.rollbackId}`,
        `Environments: ${environments.join(', ')}`,
        ...(targetCommitId === undefined ? [] : [`Target commit: ${targetCommitId}`]),
        ...(targetExecutionId === undefined ? [] : [`Target execution: ${targetExecutionId}`]),
        ...(phase === 'failed' ? [`Manual procedure: ${MANUAL_PROCEDURE}`] : []),
      ],
    });
  }
}
