/**
 * The canonical order of history events, which makes the deployment fold order-tolerant.
 *
 * EventBridge delivers CodePipeline events at least once and in no particular order, so the fold
 * is a function of the *set* of events: duplicates (same `eventId`) are dropped, then the events
 * are put into one canonical order — the time the fact happened, then the precedence of its state
 * (defined as data below), then the event id — before anything is derived.
 */
import type { ExecutionState, HealthCheckEvent, HistoryEvent, RollbackEvent, StageState } from '../history-model.js';

/**
 * Precedence of a stage state among events of the same second (EventBridge `time` has one-second
 * resolution): a terminal state outranks the states that precede it, so STARTED and SUCCEEDED
 * stamped with the same time resolve to SUCCEEDED whatever order they arrived in.
 */
export const STAGE_STATE_PRECEDENCE: Readonly<Record<StageState, number>> = {
  STARTED: 0,
  RESUMED: 1,
  STOPPING: 2,
  STOPPED: 3,
  CANCELED: 3,
  FAILED: 4,
  SUCCEEDED: 5,
};

/** Same idea for pipeline-execution states. */
export const EXECUTION_STATE_PRECEDENCE: Readonly<Record<ExecutionState, number>> = {
  STARTED: 0,
  RESUMED: 1,
  STOPPING: 2,
  STOPPED: 3,
  CANCELED: 3,
  SUPERSEDED: 3,
  FAILED: 4,
  SUCCEEDED: 5,
};

/** Same idea for health verdicts: a final verdict outranks a poll of the same moment. */
export const HEALTH_VERDICT_PRECEDENCE: Readonly<Record<HealthCheckEvent['verdict'], number>> = {
  check: 0,
  'pause-for-review': 1,
  'review-approved': 2,
  'review-rejected': 2,
  pass: 3,
  fail: 3,
};

/** Same idea for rollback phases: the outcome outranks the start. */
export const ROLLBACK_PHASE_PRECEDENCE: Readonly<Record<RollbackEvent['phase'], number>> = {
  started: 0,
  failed: 1,
  succeeded: 2,
};

/** The precedence of one event's state, used only to order events of the same instant. */
export function eventPrecedence(event: HistoryEvent): number {
  switch (event.kind) {
    case 'execution':
      return EXECUTION_STATE_PRECEDENCE[event.state];
    case 'stage':
      return STAGE_STATE_PRECEDENCE[event.state];
    case 'action':
      return event.state === 'STARTED' ? 0 : 4;
    case 'health-check':
      return HEALTH_VERDICT_PRECEDENCE[event.verdict];
    case 'rollback':
      return ROLLBACK_PHASE_PRECEDENCE[event.phase];
    case 'approval':
      return event.decision === 'requested' ? 0 : 4;
  }
}

/** Total order on events: when it happened, then state precedence, then event id. */
export function compareEvents(left: HistoryEvent, right: HistoryEvent): number {
  const byTime = Date.parse(left.at) - Date.parse(right.at);
  if (byTime !== 0) return byTime;
  const byPrecedence = eventPrecedence(left) - eventPrecedence(right);
  if (byPrecedence !== 0) return byPrecedence;
  return left.eventId < right.eventId ? -1 : left.eventId > right.eventId ? 1 : 0;
}

/**
 * Drops duplicates (same `eventId`) and returns the events in canonical order. Two different
 * payloads under one id (which EventBridge never produces) resolve deterministically to the one
 * whose JSON sorts first, so even that case cannot make the result depend on arrival order.
 */
export function canonicalEvents(events: readonly HistoryEvent[]): HistoryEvent[] {
  const byId = new Map<string, { event: HistoryEvent; json: string }>();
  for (const event of events) {
    const json = JSON.stringify(event);
    const existing = byId.get(event.eventId);
    if (existing === undefined || json < existing.json) byId.set(event.eventId, { event, json });
  }
  return [...byId.values()].map((entry) => entry.event).sort(compareEvents);
}
