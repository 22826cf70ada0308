/**
 * Carries out a rollback plan through the ports: take the lease, roll the current stage back,
 * fall back to a full rollback, then to a restart, and record and announce every step. Resumable:
 * {@link advanceRollback} takes one bounded step over a JSON progress (rollback-progress.ts) and says
 * how long to wait, so the deployed rollback waits in Step Functions and is not cut at Lambda's 900 s;
 * {@link runRollback} is the in-process driver. It imports no AWS code; time comes from the Clock
 * port, so tests run hours of rollback in milliseconds.
 *
 * How one call proceeds (start, backoff while busy, poll) is rollback-call.ts; what stays here is
 * longer than ~300 lines because the steps share one mutable run (reasons, deadline, moved-pipeline
 * flag) and the announcements that record them; splitting it further would pass that state around.
 */
import type { Clock } from '../../../shared/clock.js';
import type { DeploymentHistory } from '../../ports/deployment-history.js';
import type { IdGenerator } from '../../../shared/id-generator.js';
import type { Notifier } from '../../ports/notifier.js';
import type { PipelineControl, StageRollbackInProgress } from '../../ports/pipeline-control.js';
import type { RollbackLease, RollbackLedger } from '../../ports/rollback-ledger.js';
import { fullRollbackRestartMarker } from '../history/rollback-restart-marker.js';
import type { EnvironmentName, RollbackEvent } from '../history-model.js';
import type { NoticeKind } from '../notice.js';
import { PIPELINE_VARIABLES } from '../pipeline-vocabulary.js';
import { planFromHistory } from './rollback-from-history.js';
import type { RollbackPlan, RollbackRequest, StageTarget } from './rollback-plan.js';
import { advanceCall, iso, type CallContext, type CallSpec } from './rollback-call.js';
import { initialProgress, type CallProgress, type RollbackProgress, type RollbackStep } from './rollback-progress.js';
import type { RollbackTiming } from './rollback-timing.js';

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

/** What one call of {@link advanceRollback} leads to: wait and advance again, or the end. */
export type AdvanceResult =
  | { readonly progress: RollbackProgress; readonly waitSeconds: number }
  | { readonly done: RollbackOutcome };

/** Steps one advance takes without waiting before it hands back (each is a few bounded calls). */
const MAX_STEPS_PER_ADVANCE = 8;

/**
 * Runs one rollback request in process: a dry run only plans; otherwise the progress is advanced
 * and the clock sleeps between steps until the rollback ends. The CLI and the tests use it; the
 * deployed rollback runs the same {@link advanceRollback} from a Step Functions loop instead.
 */
export async function runRollback(deps: RollbackDependencies, request: RollbackRequest, options: { readonly dryRun?: boolean } = {}): Promise<RollbackOutcome> {
  const plan = await planFromHistory(deps, request);
  if (options.dryRun === true) return { kind: 'planned', plan };
  let progress = initialProgress(plan, deps.ids.next());
  for (;;) {
    const result = await advanceRollback(deps, progress);
    if ('done' in result) return result.done;
    progress = result.progress;
    if (result.waitSeconds > 0) await deps.clock.sleep(Math.round(result.waitSeconds * 1000));
  }
}

/**
 * Takes the rollback one bounded step further: take the lease, start a stage rollback, a full
 * rollback or a restart, or poll what runs, then say how long to wait before the next step. The lease
 * decides whether this rollback does the work (exactly one of any number of concurrent triggers); a
 * retried first step finds its own lease (the same rollback id) and goes on. An unexpected error after
 * the lease still ends in a recorded, announced failure, never in silence.
 */
export async function advanceRollback(deps: RollbackDependencies, progress: RollbackProgress): Promise<AdvanceResult> {
  const run = new RollbackRun(deps, progress);
  if (progress.step.kind === 'acquire') {
    const lease = await run.acquire();
    if (lease !== undefined) return { done: { kind: 'duplicate', plan: progress.plan, lease } };
  }
  return run.advance();
}

class RollbackRun {
  private readonly plan: RollbackPlan;
  private readonly rollbackId: string;
  private deadlineAt: number;
  private movedPipeline: boolean;
  private readonly reasons: string[];
  private step: RollbackStep;
  /** What each call of a step reads from this run, and tells it. */
  private readonly callContext: CallContext;

  constructor(
    private readonly deps: RollbackDependencies,
    progress: RollbackProgress,
  ) {
    this.plan = progress.plan;
    this.rollbackId = progress.rollbackId;
    this.deadlineAt = progress.deadlineAt === undefined ? Number.NaN : Date.parse(progress.deadlineAt);
    this.movedPipeline = progress.movedPipeline;
    this.reasons = [...progress.reasons];
    this.step = progress.step;
    this.callContext = {
      clock: deps.clock,
      pipeline: deps.pipeline,
      timing: deps.timing,
      remainingSeconds: () => this.remainingSeconds(),
      started: () => {
        this.movedPipeline = true;
      },
    };
  }

  /** Takes the lease for the whole time automation follows the rollback; the lease that holds it when another has it. */
  async acquire(): Promise<RollbackLease | undefined> {
    const { clock, ledger, timing } = this.deps;
    const startedAt = clock.now().getTime();
    const followMs = timing.followSeconds * 1000;
    const attempt = await ledger.acquire(this.plan.key, this.rollbackId, new Date(startedAt), new Date(startedAt + followMs));
    if (attempt.kind === 'held' && attempt.lease.rollbackId !== this.rollbackId) return attempt.lease;
    this.deadlineAt = startedAt + followMs - timing.reserveSeconds * 1000;
    return undefined;
  }

  /** Runs steps until one has to wait (or the step limit is reached), then hands the progress back. */
  async advance(): Promise<AdvanceResult> {
    try {
      for (let taken = 0; taken < MAX_STEPS_PER_ADVANCE; taken += 1) {
        const next = await this.stepOnce();
        if (next !== 'again') return next;
      }
      return { progress: this.snapshot(), waitSeconds: 0 };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { done: await this.fail(`The rollback stopped on an unexpected error: ${message}.`) };
    }
  }

  private snapshot(): RollbackProgress {
    return {
      plan: this.plan,
      rollbackId: this.rollbackId,
      ...(Number.isNaN(this.deadlineAt) ? {} : { deadlineAt: iso(this.deadlineAt) }),
      movedPipeline: this.movedPipeline,
      reasons: [...this.reasons],
      step: this.step,
    };
  }

  private remainingSeconds(): number {
    return (this.deadlineAt - this.deps.clock.now().getTime()) / 1000;
  }

  private async stepOnce(): Promise<AdvanceResult | 'again'> {
    const { plan } = this;
    const step = this.step;
    const now = iso(this.deps.clock.now().getTime());
    switch (step.kind) {
      case 'acquire': {
        if (plan.stage.kind === 'stage') {
          await this.announce('stage', 'started', plan.stage.targetExecutionId, plan.stage.targetCommitId, plan.request.reason);
          this.step = { kind: 'stage', call: { kind: 'starting', attempt: 0, nextAt: now } };
          return 'again';
        }
        this.reasons.push(plan.stage.reason);
        return this.beginFull();
      }
      case 'stage': {
        if (plan.stage.kind !== 'stage') throw new Error('a stage step without a stage target in the plan');
        const call = await advanceCall(step.call, this.stageCall(plan.stage.stage, plan.stage.targetExecutionId), this.callContext);
        this.step = { kind: 'stage', call };
        if (call.kind !== 'done') return this.waitFor([call]);
        if (call.result.ok) return { done: await this.succeed('stage', [call.result.executionId], plan.stage.targetExecutionId, plan.stage.targetCommitId) };
        this.reasons.push(call.result.reason);
        await this.announce('stage', 'failed', plan.stage.targetExecutionId, plan.stage.targetCommitId, `${call.result.reason} Falling back to a full rollback.`);
        return this.beginFull();
      }
      case 'full': {
        const full = this.fullStep();
        // One look at the running stage rollbacks per step, shared by the parallel calls that start now.
        let running: Promise<readonly StageRollbackInProgress[]> | undefined;
        const inProgress = (): Promise<readonly StageRollbackInProgress[]> => (running ??= this.deps.pipeline.stageRollbacksInProgress());
        const specs = full.stages.map((target) => this.fullStageCall(target, inProgress));
        const calls = await Promise.all(step.calls.map((call, index) => advanceCall(call, specs[index] as CallSpec, this.callContext)));
        this.step = { kind: 'full', calls };
        const results = calls.flatMap((call) => (call.kind === 'done' ? [call.result] : []));
        if (results.length < calls.length) return this.waitFor(calls);
        const failures = results.flatMap((result) => (result.ok ? [] : [result]));
        if (failures.length === 0) {
          const ids = results.flatMap((result) => (result.ok ? [result.executionId] : []));
          return { done: await this.succeed('full', ids, full.targetExecutionId, full.targetCommitId) };
        }
        this.reasons.push(...failures.map((failure) => failure.reason));
        // Only a missing target justifies the slow restart; a stage that ran and failed would fail again.
        if (!failures.some((failure) => failure.refused === true)) return { done: await this.fail(this.reasons.join(' '), full.targetExecutionId, full.targetCommitId) };
        this.reasons.push(`No eligible stage target: restarting the pipeline on ${full.targetCommitId}; a whole pipeline run takes longer than 15 minutes, and the rollback follows it until its deadline.`);
        this.step = { kind: 'restart', call: { kind: 'starting', attempt: 0, nextAt: now } };
        return 'again';
      }
      case 'restart': {
        const full = this.fullStep();
        const call = await advanceCall(step.call, this.restartCall(full.targetCommitId), this.callContext);
        this.step = { kind: 'restart', call };
        if (call.kind !== 'done') return this.waitFor([call]);
        if (call.result.ok) return { done: await this.succeed('full', [call.result.executionId], full.targetExecutionId, full.targetCommitId) };
        return { done: await this.fail([...this.reasons, call.result.reason].join(' '), full.targetExecutionId, full.targetCommitId) };
      }
    }
  }

  /** Announces the full rollback and starts its parallel stage rollbacks, or the restart when no stage can do it. */
  private async beginFull(): Promise<AdvanceResult | 'again'> {
    const { full } = this.plan;
    if (full.kind === 'none') return { done: await this.fail([...this.reasons, full.reason].join(' ')) };
    const how = full.restartOnly === undefined ? 'stage by stage, in parallel' : `by restarting the pipeline (${full.restartOnly})`;
    await this.announce('full', 'started', full.targetExecutionId, full.targetCommitId, `${this.reasons.join(' ')} Returning ${full.environments.join(', ')} to ${full.targetCommitId} ${how}.`);
    const now = iso(this.deps.clock.now().getTime());
    this.step =
      full.restartOnly === undefined
        ? { kind: 'full', calls: full.stages.map(() => ({ kind: 'starting', attempt: 0, nextAt: now })) }
        : { kind: 'restart', call: { kind: 'starting', attempt: 0, nextAt: now } };
    return 'again';
  }

  private fullStep(): Extract<RollbackPlan['full'], { kind: 'full' }> {
    if (this.plan.full.kind !== 'full') throw new Error('a full or restart step without a full target in the plan');
    return this.plan.full;
  }

  /** Hands back the progress and the wait until the earliest call is due again; 'again' when one is due now. */
  private waitFor(calls: readonly CallProgress[]): AdvanceResult | 'again' {
    const due = calls.flatMap((call) => (call.kind === 'starting' ? [Date.parse(call.nextAt)] : call.kind === 'waiting' ? [Date.parse(call.nextPollAt)] : []));
    const waitMs = Math.max(0, Math.min(...due) - this.deps.clock.now().getTime());
    if (waitMs === 0) return 'again';
    return { progress: this.snapshot(), waitSeconds: waitMs / 1000 };
  }

  /** The stage rollback of the failed stage, adopting a rollback the stage's own onFailure condition started. */
  private stageCall(stage: string, targetExecutionId: string): CallSpec {
    return {
      call: `RollbackStage ${stage}`,
      what: `stage rollback of ${stage}`,
      // The stage's own onFailure ROLLBACK condition may have started one already: adopt it rather than
      // race it. Checked before every attempt: while the failed stage still runs (a parallel action not
      // done yet), RollbackStage is refused as busy, and CodePipeline's own rollback may start meanwhile.
      start: async () => {
        const latest = await this.deps.pipeline.stageExecution(stage);
        if (latest !== undefined && latest.type === 'ROLLBACK' && latest.executionId !== this.plan.request.executionId) return latest.executionId;
        return this.deps.pipeline.rollbackStage(stage, targetExecutionId);
      },
      timeoutSeconds: () => this.deps.timing.stageTimeoutSeconds,
    };
  }

  /**
   * One stage of the full rollback: RollbackStage to the target, then wait for it (its health check
   * re-runs). A rollback of that stage to the same target already running is adopted: a step retried
   * after its RollbackStage went through (the invocation died before handing back the progress) would
   * otherwise be refused as busy by its own rollback and, after the backoff, fail the rollback.
   */
  private fullStageCall(target: StageTarget, inProgress: () => Promise<readonly StageRollbackInProgress[]>): CallSpec {
    return {
      call: `RollbackStage ${target.stage}`,
      what: `${target.layer} rollback of ${target.environment} (${target.stage})`,
      start: async () => {
        const own = (await inProgress()).find((rollback) => rollback.stage === target.stage && rollback.targetExecutionId === target.targetExecutionId);
        return own?.executionId ?? this.deps.pipeline.rollbackStage(target.stage, target.targetExecutionId);
      },
      timeoutSeconds: () => this.deps.timing.fullTimeoutSeconds,
    };
  }

  /** The last resort: a new pipeline execution on the target commit, marked as a rollback. */
  private restartCall(commitId: string): CallSpec {
    return {
      call: 'StartPipelineExecution',
      what: 'pipeline restart on the last known good commit',
      start: async () => {
        const executionId = await this.deps.pipeline.redeploy({
          commitId,
          // The pipeline-level variables a full rollback carries, so the pipeline's conditions can tell it apart.
          variables: { [PIPELINE_VARIABLES.rollback.name]: 'true', [PIPELINE_VARIABLES.rollbackId.name]: this.rollbackId },
          clientRequestToken: this.rollbackId,
        });
        // CodePipeline reports the restart as a plain StartPipelineExecution: mark it, or history and DORA count it as a release.
        const { pipelineName } = this.plan.request;
        await this.deps.history.record(fullRollbackRestartMarker({ pipelineName, executionId, rollbackId: this.rollbackId, commitId, at: this.deps.clock.now().toISOString() }));
        return executionId;
      },
      // A restart runs every stage again; it may use the whole remaining time and is cut off at the deadline.
      timeoutSeconds: () => this.remainingSeconds(),
    };
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
