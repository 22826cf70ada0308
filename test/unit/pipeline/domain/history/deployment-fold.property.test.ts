import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalEvents, foldDeployments, mayChangeRecords } from '../../../../../src/pipeline/domain/history/deployment-fold.js';
import { executionEvents, redeliveries } from './history-builders.js';

const scenario = [
  ...executionEvents('e1', 0, 'success'),
  ...executionEvents('e2', 10, 'test-fails'),
];
const inOrder = foldDeployments(scenario);

describe('foldDeployments (properties)', () => {
  it('any order and any duplication of the same events yields the same records', () => {
    fc.assert(
      fc.property(redeliveries(scenario), (delivered) => {
        expect(foldDeployments(delivered)).toEqual(inOrder);
      }),
      { numRuns: 200 },
    );
  });

  it('the timeline is the same whatever the arrival order', () => {
    const expected = canonicalEvents(scenario);
    fc.assert(
      fc.property(redeliveries(scenario), (delivered) => {
        expect(canonicalEvents(delivered)).toEqual(expected);
      }),
    );
  });

  it('a record never moves back once terminal: adding events delivered earlier changes nothing', () => {
    fc.assert(
      fc.property(fc.subarray(scenario), (prefix) => {
        expect(foldDeployments([...scenario, ...prefix])).toEqual(inOrder);
      }),
    );
  });
});

describe('mayChangeRecords', () => {
  it('skipping the facts it rules out never changes the records', () => {
    fc.assert(
      fc.property(fc.subarray(scenario), (subset) => {
        const relevant = subset.filter((event) => mayChangeRecords(event));
        expect(foldDeployments(relevant)).toEqual(foldDeployments(subset));
      }),
    );
  });
});
