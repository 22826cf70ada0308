import { describe, expect, it } from 'vitest';
import { decideRunOutcome, decideRunStart, type RunStartDecision } from '../../../../src/worker/domain/run-decision.js';
import type { WorkItem } from '../../../../src/worker/domain/work-item.js';
import { readyItem } from '../fakes.js';

const mine = 'worker:7';

describe('decideRunStart', () => {
  it.each<[string, WorkItem | undefined, RunStartDecision['kind']]>([
    ['the item was deleted', undefined, 'refuse'],
    ['the poller has not recorded the build yet', readyItem('wi'), 'wait'],
    ['recorded for this build', readyItem('wi', { status: 'build-started', buildId: mine }), 'proceed'],
    ['a retried phase of this build resumes its own item', readyItem('wi', { status: 'in-progress', buildId: mine }), 'proceed'],
    ['recorded for another build', readyItem('wi', { status: 'build-started', buildId: 'worker:8' }), 'refuse'],
    ['this build already finished it', readyItem('wi', { status: 'done', buildId: mine }), 'already-finished'],
    ['this build already failed it', readyItem('wi', { status: 'failed', buildId: mine }), 'already-finished'],
    ['made ready again by a person after this build', readyItem('wi', { buildId: mine }), 'refuse'],
  ])('%s', (_why, item, kind) => {
    expect(decideRunStart(item, mine).kind).toBe(kind);
  });
});

describe('decideRunOutcome', () => {
  it.each([
    [{ exitCode: 0, signal: null }, { kind: 'done' }],
    [{ exitCode: 2, signal: null }, { kind: 'failed', reason: 'the implementation command exited with code 2' }],
    [{ exitCode: null, signal: 'SIGTERM' }, { kind: 'failed', reason: 'the implementation command was stopped by signal SIGTERM' }],
    [{ exitCode: null, signal: null }, { kind: 'failed', reason: 'the implementation command was stopped by signal unknown' }],
  ])('%j -> %j', (result, outcome) => {
    expect(decideRunOutcome(result)).toEqual(outcome);
  });
});
