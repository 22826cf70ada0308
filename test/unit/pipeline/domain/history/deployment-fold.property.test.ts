import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldDeployments, mayChangeRecords, recordEnvironmentsChangedBy } from '../../../../../src/pipeline/domain/history/deployment-fold.js';
import { canonicalEvents } from '../../../../../src/pipeline/domain/history/event-order.js';
import { pipelineHistory, redeliveredHistory } from './arbitraries.js';

/** The records reduced to what the generator's oracle states. */
function summary(records: ReturnType<typeof foldDeployments>): { executionId: string; environment: string; status: string; health: string; isRollback: boolean }[] {
  return records
    .map(({ executionId, environment, status, health, isRollback }) => ({ executionId, environment, status, health, isRollback }))
    .sort((a, b) => a.executionId.localeCompare(b.executionId) || a.environment.localeCompare(b.environment));
}

describe('foldDeployments (properties over generated histories)', () => {
  it('folds each generated history into the records its story says: status, health, rollback flag, one per environment reached', () => {
    fc.assert(
      fc.property(pipelineHistory, (history) => {
        expect(summary(foldDeployments(history.events))).toEqual(summary(history.expected as ReturnType<typeof foldDeployments>));
      }),
      { numRuns: 100 },
    );
  });

  it('any order and any duplication of the same events yields the records of the story', () => {
    fc.assert(
      fc.property(redeliveredHistory, ({ history, delivered }) => {
        expect(summary(foldDeployments(delivered))).toEqual(summary(history.expected as ReturnType<typeof foldDeployments>));
        expect(foldDeployments(delivered)).toEqual(foldDeployments(history.events));
      }),
      { numRuns: 100 },
    );
  });

  it('the timeline is the same whatever the arrival order', () => {
    fc.assert(
      fc.property(redeliveredHistory, ({ history, delivered }) => {
        expect(canonicalEvents(delivered)).toEqual(canonicalEvents(history.events));
      }),
    );
  });

  it('a record never moves back once terminal: events delivered again after the end change nothing', () => {
    fc.assert(
      fc.property(pipelineHistory.chain((history) => fc.tuple(fc.constant(history), fc.subarray([...history.events]))), ([history, again]) => {
        expect(foldDeployments([...history.events, ...again])).toEqual(foldDeployments(history.events));
      }),
    );
  });
});

describe('mayChangeRecords', () => {
  it('skipping the facts it rules out never changes the records', () => {
    fc.assert(
      fc.property(pipelineHistory.chain((history) => fc.subarray([...history.events])), (subset) => {
        const relevant = subset.filter((event) => mayChangeRecords(event));
        expect(foldDeployments(relevant)).toEqual(foldDeployments(subset));
      }),
    );
  });
});

describe('recordEnvironmentsChangedBy', () => {
  it('adding a fact to any set of facts changes no record outside the environments it names', () => {
    fc.assert(
      fc.property(pipelineHistory.chain((history) => fc.tuple(fc.subarray([...history.events]), fc.constantFrom(...history.events))), ([subset, event]) => {
        const changed = recordEnvironmentsChangedBy(event);
        const untouched = (records: ReturnType<typeof foldDeployments>): ReturnType<typeof foldDeployments> =>
          records.filter((record) => !(record.executionId === event.executionId && changed.includes(record.environment)));
        expect(untouched(foldDeployments([...subset, event]))).toEqual(untouched(foldDeployments(subset)));
      }),
      { numRuns: 200 },
    );
  });

  it('names one environment for most facts of a real history: the recorder rewrites one record, not all', () => {
    fc.assert(
      fc.property(pipelineHistory, (history) => {
        const single = history.events.filter((event) => recordEnvironmentsChangedBy(event).length === 1);
        expect(single.length).toBeGreaterThan(history.events.filter((event) => recordEnvironmentsChangedBy(event).length > 1).length);
      }),
      { numRuns: 20 },
    );
  });
});
