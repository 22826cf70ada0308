/**
 * The execution summary stands in for the timeline wherever a notice's context or a commit is
 * derived: over arbitrary histories, delivered in any order with duplicates, the summary's events
 * give exactly what the whole timeline gives. And the facts that skip the history read (they give
 * no notice, or measure nothing) really give none, whatever the history says.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mergeCommit, foldDeployments } from '../../../../../src/pipeline/domain/history/deployment-fold.js';
import { canonicalEvents } from '../../../../../src/pipeline/domain/history/event-order.js';
import { isSummaryEvent, summaryEventAttribute, summaryEventsOf } from '../../../../../src/pipeline/domain/history/execution-summary.js';
import type { HistoryEvent } from '../../../../../src/pipeline/domain/history-model.js';
import { metricsForEvent } from '../../../../../src/pipeline/domain/metrics/delivery-metrics.js';
import { noticeContextFromTimeline, noticesForEvent } from '../../../../../src/pipeline/domain/notifications/notices-for-event.js';
import { mayProduceMetrics } from '../../../../../src/pipeline/handlers/record-pipeline-event.js';
import { redeliveredHistory } from './arbitraries.js';

const LINK = 'https://console.example/execution';
const FINAL = 'Production-Application';

function byExecution(events: readonly HistoryEvent[]): Map<string, HistoryEvent[]> {
  const groups = new Map<string, HistoryEvent[]>();
  for (const event of events) groups.set(event.executionId, [...(groups.get(event.executionId) ?? []), event]);
  return groups;
}

describe('the execution summary', () => {
  it('gives every notice context and commit the whole timeline gives, at every point of any delivery', () => {
    fc.assert(
      fc.property(redeliveredHistory, ({ delivered }) => {
        for (const [, events] of byExecution(delivered)) {
          // Every prefix of the delivery is a state the notifier may read the history in.
          for (let seen = 0; seen <= events.length; seen += 1) {
            const timeline = canonicalEvents(events.slice(0, seen));
            const summary = timeline.filter(isSummaryEvent);
            const next = events[seen] ?? events[0]!;
            expect(noticeContextFromTimeline([...summary, next], LINK, FINAL)).toEqual(noticeContextFromTimeline([...timeline, next], LINK, FINAL));
            expect(mergeCommit(summary)).toEqual(mergeCommit(timeline));
          }
        }
      }),
      { numRuns: 15 },
    );
  });

  it('keeps some events of a real history, never all of them (it is smaller than the timeline)', () => {
    fc.assert(
      fc.property(redeliveredHistory, ({ history }) => {
        const kept = history.events.filter(isSummaryEvent);
        expect(kept.length).toBeGreaterThan(0);
        expect(kept.length).toBeLessThan(history.events.length);
      }),
      { numRuns: 20 },
    );
  });

  it('reads back the events stored under its attributes, and nothing else of the item', () => {
    const event: HistoryEvent = { eventId: 'e-1', pipelineName: 'p', executionId: 'x', at: '2026-01-05T09:00:00Z', kind: 'execution', state: 'STARTED', commit: { id: 'abc' } };
    expect(summaryEventsOf({ pk: 'EXEC#x', sk: 'SUMMARY', expiresAt: 1, [summaryEventAttribute(event.eventId)]: JSON.stringify(event) })).toEqual([event]);
  });
});

describe('facts that skip the history read', () => {
  it('a fact gives notices or not whatever its context: the notifier may decide before reading', () => {
    fc.assert(
      fc.property(redeliveredHistory, ({ delivered }) => {
        for (const [, events] of byExecution(delivered)) {
          const full = noticeContextFromTimeline(events, LINK, FINAL);
          for (const event of events) expect(noticesForEvent(event, { link: LINK, finalStage: FINAL }).length).toBe(noticesForEvent(event, full).length);
        }
      }),
      { numRuns: 40 },
    );
  });

  it('a fact mayProduceMetrics rules out measures nothing, whatever the records and timeline', () => {
    fc.assert(
      fc.property(redeliveredHistory, ({ history }) => {
        const records = foldDeployments(history.events);
        for (const event of history.events) {
          if (mayProduceMetrics(event)) continue;
          expect(metricsForEvent(event, records, canonicalEvents(history.events))).toEqual([]);
        }
        // And the rule is not vacuous: the facts it lets through do measure something in a real history.
        expect(history.events.filter(mayProduceMetrics).some((event) => metricsForEvent(event, records, canonicalEvents(history.events)).length > 0)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });
});
