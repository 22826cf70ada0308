/**
 * A scenario's timeline: what the driver fired (commits, alarms, answers), what the pipeline's code
 * decided and recorded (history events read back from DynamoDB) and what it notified (messages read
 * back from SQS), merged in the order they happened.
 */
import type { EnvironmentName, HistoryEvent } from '../pipeline/domain/history-model.js';
import type { ReceivedNotice } from './received-notice.js';

/** Who produced a timeline entry. */
export type TimelineEntryKind = 'fired' | 'decided' | 'recorded' | 'notified';

/** One line of the timeline. */
export interface TimelineEntry {
  /** ISO-8601 time. */
  readonly at: string;
  readonly kind: TimelineEntryKind;
  readonly environment?: EnvironmentName;
  /** One line, such as `health check: fail (poller-errors in ALARM)`. */
  readonly summary: string;
  /** The history event this entry was made from, so a picture of the run need not parse the summary. */
  readonly event?: HistoryEvent;
  /** The notification this entry was made from. */
  readonly notice?: ReceivedNotice;
}

/** Something the driver did to the system under rehearsal (a stimulus), kept by the driver. */
export interface Stimulus {
  readonly at: string;
  readonly environment?: EnvironmentName;
  readonly summary: string;
}

function shortCommit(id: string): string {
  return id.slice(0, 8);
}

/** Turns a history event into a timeline entry: verdicts and rollback starts are decisions, the rest records. */
export function entryForEvent(event: HistoryEvent): TimelineEntry {
  return { ...describeEvent(event), event };
}

function describeEvent(event: HistoryEvent): TimelineEntry {
  switch (event.kind) {
    case 'execution':
      return {
        at: event.at,
        kind: 'recorded',
        summary: `execution ${event.executionId} ${event.state}${event.commit === undefined ? '' : ` (commit ${shortCommit(event.commit.id)})`}${event.triggerType === undefined ? '' : ` by ${event.triggerType}`}`,
      };
    case 'stage':
      return { at: event.at, kind: 'recorded', ...(event.environment === undefined ? {} : { environment: event.environment }), summary: `stage ${event.stage} ${event.state}` };
    case 'action':
      return {
        at: event.at,
        kind: 'recorded',
        ...(event.environment === undefined ? {} : { environment: event.environment }),
        summary: `action ${event.stage}/${event.action} ${event.state}${event.summary === undefined ? '' : `: ${event.summary}`}`,
      };
    case 'health-check': {
      const firing = event.alarms.filter((alarm) => alarm.state !== 'OK').map((alarm) => `${alarm.name} ${alarm.severity} ${alarm.state}`);
      return {
        at: event.at,
        kind: event.verdict === 'check' ? 'recorded' : 'decided',
        environment: event.environment,
        summary: `health check ${event.verdict}: ${event.reason}${firing.length === 0 ? '' : ` [${firing.join(', ')}]`}`,
      };
    }
    case 'rollback':
      return {
        at: event.at,
        kind: event.phase === 'started' ? 'decided' : 'recorded',
        environment: event.environment,
        summary: `${event.scope} rollback ${event.phase}${event.targetCommitId === undefined ? '' : ` to ${shortCommit(event.targetCommitId)}`} (trigger ${event.trigger}): ${event.reason}`,
      };
    case 'approval':
      return {
        at: event.at,
        kind: 'recorded',
        environment: event.environment,
        summary: `approval ${event.decision}${event.actor === undefined ? '' : ` by ${event.actor}`}${event.comment === undefined ? '' : `: ${event.comment}`}`,
      };
  }
}

/** Turns a notification read back from the queue into a timeline entry. */
export function entryForNotice(notice: ReceivedNotice): TimelineEntry {
  const headline = notice.text.split('\n').find((line) => line.trim() !== '') ?? '';
  return {
    at: notice.at,
    kind: 'notified',
    ...(notice.environment === undefined ? {} : { environment: notice.environment }),
    summary: `notified ${notice.kind}: ${headline.trim()}`,
    notice,
  };
}

const KIND_ORDER: Readonly<Record<TimelineEntryKind, number>> = { fired: 0, decided: 1, recorded: 2, notified: 3 };

/**
 * Merges stimuli, events and notices into one timeline ordered by time. Entries at the same instant
 * keep cause before effect: fired, decided, recorded, notified; otherwise their input order.
 */
export function buildTimeline(parts: {
  readonly stimuli: readonly Stimulus[];
  readonly events: readonly HistoryEvent[];
  readonly notices: readonly ReceivedNotice[];
}): TimelineEntry[] {
  const entries: TimelineEntry[] = [
    ...parts.stimuli.map((stimulus): TimelineEntry => ({ ...stimulus, kind: 'fired' })),
    ...parts.events.map(entryForEvent),
    ...parts.notices.map(entryForNotice),
  ];
  return entries
    .map((entry, index) => ({ entry, index, time: Date.parse(entry.at) }))
    .sort((a, b) => a.time - b.time || KIND_ORDER[a.entry.kind] - KIND_ORDER[b.entry.kind] || a.index - b.index)
    .map(({ entry }) => entry);
}

/** Renders a timeline as aligned text lines, offsets counted from the first entry. */
export function renderTimelineText(entries: readonly TimelineEntry[]): string[] {
  const first = entries[0];
  if (first === undefined) return ['  (nothing happened)'];
  const start = Date.parse(first.at);
  return entries.map((entry) => {
    const offset = `+${((Date.parse(entry.at) - start) / 1000).toFixed(2)}s`.padStart(9);
    return `  ${offset}  ${entry.kind.padEnd(8)}  ${(entry.environment ?? '-').padEnd(10)}  ${entry.summary}`;
  });
}
