import { describe, expect, it } from 'vitest';
import { ConfigurationError, KiroCdError, TransientError } from '../../../../src/shared/errors.js';
import { countOutcomes, decideStartFailure, runPollCycle, type StartFailureDecision } from '../../../../src/worker/domain/poll-cycle.js';
import { epochSeconds } from '../../../../src/worker/domain/lock.js';
import { InMemoryLockStore, InMemoryWorkItems, ManualClock, RecordingBuildStarter, readyItem, type FaultPlan } from '../fakes.js';

const settings = { maxBuildsPerCycle: 5, leaseSeconds: 900, pageSize: 10, budgetMs: 30_000 };

function world(items = [readyItem('wi-1'), readyItem('wi-2', { updatedAt: '2026-03-02T08:00:00.000Z' })]) {
  const clock = new ManualClock();
  const deps = { workItems: new InMemoryWorkItems(items), locks: new InMemoryLockStore(), builds: new RecordingBuildStarter(), clock };
  return deps;
}

const throttled = () => new TransientError('DynamoDB GetItem was throttled');
/** A fault on one operation for one item. */
const faultOn =
  (operation: string, workItemId: string, error: Error, when: 'before' | 'lost-response' = 'before'): FaultPlan =>
  (op, id) =>
    op === operation && id === workItemId ? { error, when } : undefined;

const items = (count: number) => Array.from({ length: count }, (_, index) => readyItem(`wi-${String(index).padStart(2, '0')}`, { updatedAt: `2026-03-02T09:${String(index).padStart(2, '0')}:00.000Z` }));

describe('decideStartFailure', () => {
  it.each<[string, KiroCdError, StartFailureDecision['kind']]>([
    ['the project is missing or refuses the request: every item would fail, stop the cycle', new ConfigurationError('no project'), 'release-and-abort'],
    ['throttled: leave the item ready for the next cycle', new TransientError('slow down'), 'release-and-retry'],
    ['a defect: keep the item, the error alarm tells someone', new KiroCdError('boom', { code: 'INTERNAL', fault: 'internal' }), 'release-and-retry'],
  ])('%s', (_why, error, kind) => {
    expect(decideStartFailure(error)).toEqual({ kind, reason: error.message });
  });
});

describe('runPollCycle', () => {
  it('starts one build per ready item, oldest first, keeps the lock for the build and records the build id', async () => {
    const deps = world();
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.outcomes).toEqual([
      { kind: 'started', workItemId: 'wi-2', buildId: 'implementation:1' },
      { kind: 'started', workItemId: 'wi-1', buildId: 'implementation:2' },
    ]);
    expect(deps.builds.started[0]).toEqual({ workItemId: 'wi-2', repository: 'kiro-dev/app', branch: 'kiro/wi-2', lockOwner: 'poller-a', buildId: 'implementation:1' });
    expect(deps.workItems.items.get('wi-2')).toMatchObject({ status: 'build-started', buildId: 'implementation:1', updatedAt: '2026-03-02T10:00:00.000Z' });
    expect(deps.locks.locks.get('wi-2')).toMatchObject({ owner: 'poller-a', leaseExpiresAt: epochSeconds(deps.clock.now()) + 900 });
  });

  it('counts a lock held by another poller as contention and starts nothing for it', async () => {
    const deps = world([readyItem('wi-1')]);
    await deps.locks.acquire({ workItemId: 'wi-1', owner: 'poller-b', leaseExpiresAt: epochSeconds(deps.clock.now()) + 60, acquiredAt: 'x' }, 0);
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.outcomes).toEqual([{ kind: 'contended', workItemId: 'wi-1' }]);
    expect(countOutcomes(report)).toMatchObject({ contended: 1, started: 0 });
    expect(deps.builds.started).toEqual([]);
  });

  it('takes over a stale lock whose lease ran out', async () => {
    const deps = world([readyItem('wi-1')]);
    await deps.locks.acquire({ workItemId: 'wi-1', owner: 'crashed', leaseExpiresAt: epochSeconds(deps.clock.now()) - 1, acquiredAt: 'x' }, 0);
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.outcomes[0]?.kind).toBe('started');
    expect(deps.locks.locks.get('wi-1')?.owner).toBe('poller-a');
  });

  it('gives the lock back and starts nothing when the item is no longer ready (stale index read)', async () => {
    const deps = world([readyItem('wi-1')]);
    const listed = await deps.workItems.listReady(5);
    deps.workItems.items.set('wi-1', readyItem('wi-1', { status: 'done', buildId: 'implementation:0' }));
    deps.workItems.listReady = () => Promise.resolve(listed);
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.outcomes).toEqual([{ kind: 'stale', workItemId: 'wi-1' }]);
    expect(deps.locks.locks.size).toBe(0);
    expect(deps.builds.started).toEqual([]);
  });

  it('retries later after a transient start failure: lock released, item still ready, no more starts this cycle', async () => {
    const deps = world();
    deps.builds.failWith = new TransientError('throttled');
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.outcomes).toEqual([{ kind: 'start-failed', workItemId: 'wi-2', decision: { kind: 'release-and-retry', reason: 'throttled' } }]);
    expect(report.aborted).toBeUndefined();
    expect(deps.locks.locks.size).toBe(0);
    expect(deps.workItems.items.get('wi-2')?.status).toBe('ready-for-implementation');
  });

  it('stops the whole cycle at the first item when the poller is misconfigured (CodeBuild refused the request)', async () => {
    const deps = world();
    deps.builds.failWith = new ConfigurationError('CodeBuild refused the StartBuild request');
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.aborted).toBe('CodeBuild refused the StartBuild request');
    expect(report.outcomes).toHaveLength(1);
    expect(deps.locks.locks.size).toBe(0);
    // A project problem is not the item's: it stays ready (issue 13, item 10).
    expect(deps.workItems.items.get('wi-2')?.status).toBe('ready-for-implementation');
  });

  it('wraps a non-product error as internal and retries', async () => {
    const deps = world([readyItem('wi-1')]);
    deps.builds.failWith = new Error('socket hang up');
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.outcomes[0]).toMatchObject({ kind: 'start-failed', decision: { kind: 'release-and-retry' } });
  });

  it('reports a build whose item changed before it was recorded', async () => {
    const deps = world([readyItem('wi-1')]);
    deps.workItems.markBuildStarted = () => Promise.resolve({ kind: 'conflict', reason: 'the item is no longer ready for implementation' });
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.outcomes).toEqual([{ kind: 'record-conflict', workItemId: 'wi-1', buildId: 'implementation:1', reason: 'the item is no longer ready for implementation' }]);
    expect(countOutcomes(report).recordConflicts).toBe(1);
  });

  it('starts at most maxBuildsPerCycle builds', async () => {
    const deps = world([readyItem('a'), readyItem('b'), readyItem('c')]);
    const report = await runPollCycle(deps, { ...settings, maxBuildsPerCycle: 2 }, 'poller-a');
    expect(countOutcomes(report).started).toBe(2);
  });
});

describe('runPollCycle under passing faults (issue 13, item 1)', () => {
  it('a throttled re-read after the lock is taken gives the lock back and goes on with the next item', async () => {
    const deps = world();
    deps.workItems.faults = faultOn('get', 'wi-2', throttled());
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.outcomes).toEqual([
      { kind: 'fault', workItemId: 'wi-2', reason: 'DynamoDB GetItem was throttled' },
      { kind: 'started', workItemId: 'wi-1', buildId: 'implementation:1' },
    ]);
    expect(report.aborted).toBeUndefined();
    // Not stranded behind the lease: the next poll can take it at once.
    expect(deps.locks.locks.has('wi-2')).toBe(false);
    expect(countOutcomes(report).transientFaults).toBe(1);
  });

  it('a throttled lock write is contained to its item', async () => {
    const deps = world();
    deps.locks.faults = faultOn('acquire', 'wi-2', new TransientError('PutItem throttled'));
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.outcomes.map((outcome) => outcome.kind)).toEqual(['fault', 'started']);
  });

  it('a failed listing ends the cycle quietly, counted as a transient fault', async () => {
    const deps = world();
    deps.workItems.faults = (operation) => (operation === 'listReady' ? { error: new TransientError('Query throttled'), when: 'before' } : undefined);
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report).toEqual({ owner: 'poller-a', outcomes: [], listFault: 'Query throttled' });
    expect(countOutcomes(report).transientFaults).toBe(1);
  });

  it('keeps the lock for the build when recording it fails after StartBuild, so nobody starts it again', async () => {
    const deps = world([readyItem('wi-1')]);
    deps.workItems.faults = faultOn('markBuildStarted', 'wi-1', new TransientError('UpdateItem: connection reset'));
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.outcomes).toEqual([{ kind: 'record-failed', workItemId: 'wi-1', buildId: 'implementation:1', reason: 'UpdateItem: connection reset' }]);
    expect(deps.locks.locks.get('wi-1')?.owner).toBe('poller-a');
    const second = await runPollCycle(deps, settings, 'poller-b');
    expect(second.outcomes).toEqual([{ kind: 'contended', workItemId: 'wi-1' }]);
    expect(deps.builds.started).toHaveLength(1);
  });

  it('a defect (not transient) in the store still stops the cycle, so poller-errors fires', async () => {
    const deps = world();
    deps.workItems.faults = faultOn('get', 'wi-2', new Error('AccessDeniedException'));
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.aborted).toBe('AccessDeniedException');
    expect(deps.locks.locks.size).toBe(0);
  });
});

describe('runPollCycle with bad items (issue 13, items 2 and 10)', () => {
  it('takes a malformed ready record out of the queue and starts the items behind it', async () => {
    const deps = world(items(2));
    deps.workItems.malformed.set('broken', { updatedAt: '2026-03-02T00:00:00.000Z', problem: 'the record lacks repository' });
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.outcomes.map((outcome) => outcome.kind)).toEqual(['rejected', 'started', 'started']);
    expect(deps.workItems.items.get('broken')).toMatchObject({ status: 'failed', failureReason: 'the record lacks repository' });
  });

  it.each([
    ['a branch git refuses', { branch: 'feature..x' }, /branch "feature\.\.x" is not a valid git branch name/],
    ['a branch with a space', { branch: 'my branch' }, /not a valid git branch name/],
    ['a repository without owner', { repository: 'app' }, /repository "app" is not a GitHub owner\/name/],
    ['a repository with a path', { repository: 'a/b/c' }, /not a GitHub owner\/name/],
  ])('fails an item with %s before asking CodeBuild, and starts the next', async (_why, overrides, reason) => {
    const deps = world([readyItem('bad', { ...overrides, updatedAt: '2026-03-02T07:00:00.000Z' }), readyItem('good')]);
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.outcomes.map((outcome) => outcome.kind)).toEqual(['rejected', 'started']);
    expect(deps.workItems.items.get('bad')?.failureReason).toMatch(reason);
    expect(deps.builds.started.map((build) => build.workItemId)).toEqual(['good']);
    expect(deps.locks.locks.has('bad')).toBe(false);
  });
});

describe('runPollCycle throughput (issue 13, item 8)', () => {
  it('pages past items it cannot start until it has started maxBuildsPerCycle builds', async () => {
    const deps = world(items(12));
    const now = epochSeconds(deps.clock.now());
    for (let index = 0; index < 6; index += 1) await deps.locks.acquire({ workItemId: `wi-0${index}`, owner: 'stuck', leaseExpiresAt: now + 600, acquiredAt: 'x' }, 0);
    const report = await runPollCycle(deps, { ...settings, maxBuildsPerCycle: 4, pageSize: 4 }, 'poller-a');
    expect(deps.builds.started.map((build) => build.workItemId)).toEqual(['wi-06', 'wi-07', 'wi-08', 'wi-09']);
    expect(countOutcomes(report)).toMatchObject({ started: 4, contended: 6 });
  });

  it('starts nothing new once its time budget is spent', async () => {
    const deps = world(items(6));
    const slow = deps.builds.start.bind(deps.builds);
    deps.builds.start = async (request) => {
      deps.clock.advance(4_000);
      return slow(request);
    };
    await runPollCycle(deps, { ...settings, maxBuildsPerCycle: 10, budgetMs: 10_000 }, 'poller-a');
    expect(deps.builds.started).toHaveLength(3);
  });
});
