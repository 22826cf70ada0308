import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WORK_ITEM_STATUSES, canTransition, isTerminal, isWorkItemStatus, nextStatuses, type WorkItemStatus } from '../../../../src/worker/domain/work-item.js';

describe('work item statuses', () => {
  it.each<[WorkItemStatus, WorkItemStatus, boolean, string]>([
    ['ready-for-implementation', 'build-started', true, 'the poller started a build'],
    ['ready-for-implementation', 'failed', true, 'CodeBuild rejected the build request'],
    ['build-started', 'in-progress', true, 'the build began implementing'],
    ['in-progress', 'done', true, 'the implementation succeeded'],
    ['in-progress', 'failed', true, 'the implementation failed'],
    ['failed', 'ready-for-implementation', true, 'a person retries a failed item'],
    ['build-started', 'ready-for-implementation', false, 'a started item is never started twice'],
    ['done', 'ready-for-implementation', false, 'done is final'],
    ['ready-for-implementation', 'done', false, 'nothing is done without a build'],
  ])('%s -> %s allowed: %s (%s)', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('never lets a terminal-done item move, and only moves along listed transitions', () => {
    fc.assert(
      fc.property(fc.constantFrom(...WORK_ITEM_STATUSES), fc.constantFrom(...WORK_ITEM_STATUSES), (from, to) => {
        expect(canTransition(from, to)).toBe(nextStatuses(from).includes(to));
        if (from === 'done') expect(canTransition(from, to)).toBe(false);
      }),
    );
  });

  it.each([
    ['done', true],
    ['failed', true],
    ['in-progress', false],
  ] as const)('%s is terminal: %s', (status, terminal) => {
    expect(isTerminal(status)).toBe(terminal);
  });

  it.each([
    ['build-started', true],
    ['BUILD-STARTED', false],
    [7, false],
    [undefined, false],
  ])('recognises %s as a status: %s', (value, expected) => {
    expect(isWorkItemStatus(value)).toBe(expected);
  });
});
