/**
 * Where a rollback stands, as plain JSON: the plan, the lease's rollback id, the deadline, and the
 * state of every CodePipeline call it started. The orchestrator advances it one bounded step at a
 * time ({@link advanceRollback} in rollback-orchestrator.ts), so the waiting between steps can happen
 * anywhere: in process (`runRollback`, the CLI) or in a Step Functions Wait state, which may wait far
 * longer than one Lambda invocation's 900 s. Times are ISO-8601 strings, never Date objects, so a
 * progress survives a round trip through a state machine's payload unchanged.
 */
import type { RollbackPlan } from './rollback-plan.js';

/** One CodePipeline call and its execution: being started (with retries), polled, or finished. */
export type CallProgress =
  /** Start (or retry) the call at `nextAt`; `attempt` counts the attempts made so far. */
  | { readonly kind: 'starting'; readonly attempt: number; readonly nextAt: string }
  /** The call started `executionId`; poll it at `nextPollAt`, give up on it at `until`. */
  | { readonly kind: 'waiting'; readonly executionId: string; readonly until: string; readonly nextPollAt: string; readonly timeoutSeconds: number }
  | { readonly kind: 'done'; readonly result: CallResult };

/** How one call ended. `refused`: CodePipeline has no eligible target (UnableToRollbackStageException). */
export type CallResult = { readonly ok: true; readonly executionId: string } | { readonly ok: false; readonly reason: string; readonly refused?: boolean };

/** The rollback's current step. */
export type RollbackStep =
  /** Not started: take the lease, then begin with the stage or the full step. */
  | { readonly kind: 'acquire' }
  /** The stage rollback of `plan.stage`. */
  | { readonly kind: 'stage'; readonly call: CallProgress }
  /** The full rollback's parallel stage rollbacks, index for index with `plan.full.stages`. */
  | { readonly kind: 'full'; readonly calls: readonly CallProgress[] }
  /** The last resort: a pipeline restart on the last known good commit. */
  | { readonly kind: 'restart'; readonly call: CallProgress };

/** A rollback in flight. */
export interface RollbackProgress {
  readonly plan: RollbackPlan;
  /**
   * The id the lease, the history and the notices carry. Fixed before the lease is taken, so a
   * retried first step finds the lease it took itself and goes on instead of calling it a duplicate.
   */
  readonly rollbackId: string;
  /** Set with the lease: after this instant no wait goes on, the rollback is recorded as failed and escalated. */
  readonly deadlineAt?: string;
  /** True once any call of this rollback started something in the pipeline. */
  readonly movedPipeline: boolean;
  /** Why earlier steps did not finish the rollback, carried into the next notices. */
  readonly reasons: readonly string[];
  readonly step: RollbackStep;
}

/** The progress of a rollback that has not started: the first advance takes the lease. */
export function initialProgress(plan: RollbackPlan, rollbackId: string): RollbackProgress {
  return { plan, rollbackId, movedPipeline: false, reasons: [], step: { kind: 'acquire' } };
}
