/**
 * The per-execution summary: the few events of an execution that say what its notices and commit
 * statuses need to know (its commit, and which action failed), kept beside the timeline so a reader
 * gets them with one key lookup instead of querying every event of the execution.
 *
 * The summary is a *subset* of the timeline chosen by a pure predicate, so everything derived from
 * it is derived from events exactly as from the timeline: it is as order-tolerant and idempotent as
 * the timeline itself (an event enters the summary once, under its own id, whatever order events
 * arrive in). `noticeContextFromTimeline` and `mergeCommit` give the same answer over the summary as
 * over the whole timeline; test/unit/pipeline/domain/history/execution-summary.test.ts checks that
 * for arbitrary timelines.
 */
import type { HistoryEvent } from '../history-model.js';

/** Sort key of the summary item in its execution's partition (`EXEC#<executionId>`). */
export const SUMMARY_SORT_KEY = 'SUMMARY';

/** Prefix of the summary item's attribute holding one event (`event#<eventId>`, value: the event's JSON). */
export const SUMMARY_EVENT_ATTRIBUTE_PREFIX = 'event#';

/**
 * True for the events a summary keeps: those naming the commit (execution and action events that
 * carry one: `mergeCommit` reads only these) and failed actions (the failure reason of a notice).
 */
export function isSummaryEvent(event: HistoryEvent): boolean {
  if (event.kind === 'execution') return event.commit !== undefined;
  if (event.kind === 'action') return event.commit !== undefined || event.state === 'FAILED';
  return false;
}

/** The summary attribute that holds `eventId`. */
export function summaryEventAttribute(eventId: string): string {
  return `${SUMMARY_EVENT_ATTRIBUTE_PREFIX}${eventId}`;
}

/** The events stored in a summary item's attributes (other attributes, keys and TTL, are skipped). */
export function summaryEventsOf(item: Readonly<Record<string, unknown>>): HistoryEvent[] {
  return Object.entries(item)
    .filter(([name, value]) => name.startsWith(SUMMARY_EVENT_ATTRIBUTE_PREFIX) && typeof value === 'string')
    .map(([, value]) => JSON.parse(value as string) as HistoryEvent);
}
