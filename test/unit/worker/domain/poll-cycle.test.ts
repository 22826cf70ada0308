import { describe, expect, it } from 'vitest';
import { ConfigurationError, KiroCdError, TransientError } from '../../../../src/shared/errors.js';
import { BuildRejectedError, countOutcomes, decideStartFailure, runPollCycle, type StartFailureDecision } from '../../../../src/worker/domain/poll-cycle.js';
import { epochSeconds } from '../../../../src/worker/domain/lock.js';
import { InMemoryLockStore, InMemoryWorkItems, ManualClock, RecordingBuildStarter, readyItem } from '../fakes.js';

const settings = { maxBuildsPerCycle: 5, leaseSeconds: 3600 };

function world(items = [readyItem('wi-1'), readyItem('wi-2', { updatedAt: '2026-03-02T08:00:00.000Z' })]) {
  const clock = new ManualClock();
  const deps = { workItems: new InMemoryWorkItems(items), locks: new InMemoryLockStore(), builds: new RecordingBuildStarter(), clock };
  return deps;
}

describe('decideStartFailure', () => {
  it.each<[string, KiroCdError, StartFailureDecision['kind']]>([
    ['CodeBuild rejected this item: fail it, do not retry forever', new BuildRejectedError('bad branch'), 'release-and-fail-item'],
    ['the project is missing: every item would fail, stop the cycle', new ConfigurationError('no project'), 'release-and-abort'],
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
      { kind: 'started', workItemId: 'wi-2', buildId: 'worker:1' },
      { kind: 'started', workItemId: 'wi-1', buildId: 'worker:2' },
    ]);
    expect(deps.builds.started[0]).toEqual({ workItemId: 'wi-2', repository: 'kiro-dev/app', branch: 'kiro/wi-2', lockOwner: 'poller-a', buildId: 'worker:1' });
    expect(deps.workItems.items.get('wi-2')).toMatchObject({ status: 'build-started', buildId: 'worker:1', updatedAt: '2026-03-02T10:00:00.000Z' });
    expect(deps.locks.locks.get('wi-2')).toMatchObject({ owner: 'poller-a', leaseExpiresAt: epochSeconds(deps.clock.now()) + 3600 });
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
    deps.workItems.items.set('wi-1', readyItem('wi-1', { status: 'done', buildId: 'worker:0' }));
    deps.workItems.listReady = () => Promise.resolve(listed);
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.outcomes).toEqual([{ kind: 'stale', workItemId: 'wi-1' }]);
    expect(deps.locks.locks.size).toBe(0);
    expect(deps.builds.started).toEqual([]);
  });

  it('retries later after a transient start failure: lock released, item still ready', async () => {
    const deps = world([readyItem('wi-1')]);
    deps.builds.failWith = new TransientError('throttled');
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.outcomes).toEqual([{ kind: 'start-failed', workItemId: 'wi-1', decision: { kind: 'release-and-retry', reason: 'throttled' } }]);
    expect(deps.locks.locks.size).toBe(0);
    expect(deps.workItems.items.get('wi-1')?.status).toBe('ready-for-implementation');
  });

  it('fails an item CodeBuild rejected, so it is not retried forever', async () => {
    const deps = world([readyItem('wi-1')]);
    deps.builds.failWith = new BuildRejectedError('invalid branch');
    await runPollCycle(deps, settings, 'poller-a');
    expect(deps.workItems.items.get('wi-1')).toMatchObject({ status: 'failed', failureReason: 'invalid branch' });
    expect(deps.locks.locks.size).toBe(0);
  });

  it('stops the whole cycle at the first item when the poller is misconfigured', async () => {
    const deps = world();
    deps.builds.failWith = new ConfigurationError('project missing');
    const report = await runPollCycle(deps, settings, 'poller-a');
    expect(report.aborted).toBe('project missing');
    expect(report.outcomes).toHaveLength(1);
    expect(deps.locks.locks.size).toBe(0);
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
    expect(report.outcomes).toEqual([{ kind: 'record-conflict', workItemId: 'wi-1', buildId: 'worker:1', reason: 'the item is no longer ready for implementation' }]);
    expect(countOutcomes(report).recordConflicts).toBe(1);
  });

  it('starts at most maxBuildsPerCycle builds', async () => {
    const deps = world([readyItem('a'), readyItem('b'), readyItem('c')]);
    const report = await runPollCycle(deps, { ...settings, maxBuildsPerCycle: 2 }, 'poller-a');
    expect(countOutcomes(report).started).toBe(2);
  });
});
