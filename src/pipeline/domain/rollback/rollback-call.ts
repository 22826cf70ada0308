/**
 * One call of a rollback step (a RollbackStage or the restart's StartPipelineExecution) taken one
 * bounded step further: started when due, retried with backoff while the pipeline is busy and the
 * deadline allows, then polled until its execution ends, its own timeout passes, or the deadline.
 * The orchestrator (rollback-orchestrator.ts) says what each call starts; this module how it proceeds.
 */
import type { Clock } from '../../../shared/clock.js';
import { PipelineBusyError, NoRollbackTargetError, type PipelineControl } from '../../ports/pipeline-control.js';
import type { CallProgress } from './rollback-progress.js';
import { backoffDelays, type RollbackTiming } from './rollback-timing.js';

/** One call of a rollback step: how to start it, and how to describe it in reasons. */
export interface CallSpec {
  /** The API call, for "still busy" and "refused" reasons. */
  readonly call: string;
  /** What runs, for "ended" and "did not finish" reasons. */
  readonly what: string;
  readonly start: () => Promise<string>;
  /** The longest wait for the execution once it started. */
  readonly timeoutSeconds: () => number;
}

/** What a call needs from the rollback it belongs to. */
export interface CallContext {
  readonly clock: Clock;
  readonly pipeline: PipelineControl;
  readonly timing: RollbackTiming;
  /** Seconds left before the rollback's deadline. */
  remainingSeconds(): number;
  /** Told when the call started an execution: the pipeline has moved. */
  started(): void;
}

export const iso = (milliseconds: number): string => new Date(milliseconds).toISOString();

/**
 * One step of one call: start it when due (retrying PipelineBusyError with backoff while the deadline
 * allows), or poll its execution when due, until it ends, its own timeout passes, or the deadline.
 */
export async function advanceCall(call: CallProgress, spec: CallSpec, context: CallContext): Promise<CallProgress> {
  const { clock, pipeline, timing } = context;
  if (call.kind === 'done') return call;
  let current: Extract<CallProgress, { kind: 'waiting' }>;
  if (call.kind === 'starting') {
    if (Date.parse(call.nextAt) > clock.now().getTime()) return call;
    try {
      const executionId = await spec.start();
      context.started();
      const timeoutSeconds = spec.timeoutSeconds();
      const startedAt = clock.now().getTime();
      current = { kind: 'waiting', executionId, until: iso(startedAt + timeoutSeconds * 1000), nextPollAt: iso(startedAt), timeoutSeconds };
    } catch (error) {
      if (error instanceof NoRollbackTargetError) return { kind: 'done', result: { ok: false, reason: `${spec.call} refused: ${error.message}.`, refused: true } };
      if (!(error instanceof PipelineBusyError)) throw error;
      const delay = backoffDelays(timing)[call.attempt];
      if (delay === undefined || delay >= context.remainingSeconds()) {
        return { kind: 'done', result: { ok: false, reason: `${spec.call} still busy after ${call.attempt + 1} attempts: ${error.message}.` } };
      }
      return { kind: 'starting', attempt: call.attempt + 1, nextAt: iso(clock.now().getTime() + delay * 1000) };
    }
  } else {
    current = call;
  }
  if (Date.parse(current.nextPollAt) > clock.now().getTime()) return current;
  const { executionId, timeoutSeconds } = current;
  const status = await pipeline.executionStatus(executionId);
  if (status === 'Succeeded') return { kind: 'done', result: { ok: true, executionId } };
  if (status !== 'InProgress' && status !== 'Stopping') return { kind: 'done', result: { ok: false, reason: `The ${spec.what} (execution ${executionId}) ended ${status}.` } };
  const now = clock.now().getTime();
  const leftMs = Math.min(Date.parse(current.until) - now, context.remainingSeconds() * 1000);
  if (leftMs <= 0) return { kind: 'done', result: { ok: false, reason: `The ${spec.what} (execution ${executionId}) did not finish within ${timeoutSeconds} s.` } };
  return { ...current, nextPollAt: iso(now + Math.min(timing.pollIntervalSeconds * 1000, leftMs)) };
}
