import { describe, expect, it } from 'vitest';
import { runInputFromEnvironment, runDependenciesFromEnvironment, runWorkItem, type RunWorkItemDependencies } from '../../../../src/worker/handlers/run-work-item.js';
import type { WorkItem } from '../../../../src/worker/domain/work-item.js';
import type { CommandResult } from '../../../../src/worker/ports/command-runner.js';
import { InMemoryLockStore, InMemoryWorkItems, ManualClock, ScriptedCommandRunner, readyItem } from '../fakes.js';

const input = { workItemId: 'wi-1', buildId: 'worker:1', lockOwner: 'poller-a', repository: 'kiro-dev/app', branch: 'kiro/wi-1' };

function setup(item: WorkItem | undefined, result: CommandResult | Error = { exitCode: 0, signal: null }) {
  const workItems = new InMemoryWorkItems(item === undefined ? [] : [item]);
  const locks = new InMemoryLockStore();
  locks.locks.set('wi-1', { workItemId: 'wi-1', owner: 'poller-a', leaseExpiresAt: 9e9, acquiredAt: 'x' });
  const runner = new ScriptedCommandRunner(result);
  const clock = new ManualClock();
  const deps: RunWorkItemDependencies = { workItems, locks, runner, clock, implementationCommand: 'kiro implement', recordWaitAttempts: 3, recordWaitMs: 2000, log: () => undefined };
  return { deps, workItems, locks, runner, clock };
}

const started = readyItem('wi-1', { status: 'build-started', buildId: 'worker:1' });

describe('runWorkItem', () => {
  it('implements the item: runs the command with the item in its environment, marks it done, releases the lock', async () => {
    const { deps, workItems, locks, runner } = setup(started);
    expect(await runWorkItem(deps, input)).toEqual({ kind: 'done', exitCode: 0 });
    expect(runner.calls).toEqual([{ command: 'kiro implement', environment: { KIRO_WORK_ITEM_ID: 'wi-1', KIRO_REPOSITORY: 'kiro-dev/app', KIRO_BRANCH: 'kiro/wi-1' } }]);
    expect(workItems.items.get('wi-1')?.status).toBe('done');
    expect(locks.locks.size).toBe(0);
  });

  it('marks the item failed with the reason when the command fails, and fails the build', async () => {
    const { deps, workItems, locks } = setup(started, { exitCode: 3, signal: null });
    // Recorded as failed: the build succeeds, so a customer's failing tests never trip the worker-build-failures alarm.
    expect(await runWorkItem(deps, input)).toEqual({ kind: 'failed', exitCode: 0, reason: 'the implementation command exited with code 3' });
    expect(workItems.items.get('wi-1')).toMatchObject({ status: 'failed', failureReason: 'the implementation command exited with code 3' });
    expect(locks.locks.size).toBe(0);
  });

  it('a runner that cannot start is a worker fault: the item is failed with that reason and the build fails (issue 13, item 6)', async () => {
    const { deps, workItems, locks } = setup(started, new Error('spawn /bin/sh ENOENT'));
    const report = await runWorkItem(deps, input);
    // Exit 1: a broken worker must show in worker-build-failures, not hide behind a customer-looking failure.
    expect(report).toEqual({ kind: 'worker-fault', exitCode: 1, reason: 'worker fault: the implementation command could not be run: spawn /bin/sh ENOENT' });
    expect(workItems.items.get('wi-1')).toMatchObject({ status: 'failed', failureReason: report.kind === 'worker-fault' ? report.reason : '' });
    expect(locks.locks.size).toBe(0);
  });

  it('a command stopped at its deadline fails the item, and the build succeeds (issue 13, item 4)', async () => {
    const { deps, workItems } = setup(started, { exitCode: null, signal: 'SIGTERM', timedOut: true });
    const report = await runWorkItem({ ...deps, commandDeadlineSeconds: 3000 }, input);
    expect(report).toEqual({ kind: 'failed', exitCode: 0, reason: 'the implementation command did not finish within 3000 seconds and was stopped' });
    expect(workItems.items.get('wi-1')?.status).toBe('failed');
  });

  it('waits for the poller to record the build, then proceeds', async () => {
    const { deps, workItems, clock } = setup(readyItem('wi-1'));
    const original = workItems.get.bind(workItems);
    let looks = 0;
    workItems.get = async (id) => {
      looks += 1;
      if (looks === 2) await workItems.markBuildStarted('wi-1', 'worker:1', clock.now());
      return original(id);
    };
    expect((await runWorkItem(deps, input)).kind).toBe('done');
    expect(clock.sleeps).toEqual([2000]);
  });

  it('records itself when the poller could not record the build, then implements the item (issue 13, item 1)', async () => {
    const { deps, workItems, clock, runner } = setup(readyItem('wi-1'));
    const report = await runWorkItem(deps, input);
    expect(report).toEqual({ kind: 'done', exitCode: 0 });
    expect(clock.sleeps).toEqual([2000, 2000]);
    expect(runner.calls).toHaveLength(1);
    expect(workItems.history.filter((change) => change.status === 'build-started')).toEqual([{ workItemId: 'wi-1', status: 'build-started', buildId: 'worker:1' }]);
  });

  it('refuses when another build got recorded while it waited', async () => {
    const { deps, workItems, runner, locks } = setup(readyItem('wi-1'));
    workItems.markBuildStarted = (id, _buildId, at) => {
      workItems.items.set(id, readyItem(id, { status: 'build-started', buildId: 'worker:2', updatedAt: at.toISOString() }));
      return Promise.resolve({ kind: 'conflict', reason: 'the item is no longer ready for implementation' });
    };
    expect(await runWorkItem(deps, input)).toEqual({ kind: 'refused', exitCode: 1, reason: 'the item is recorded for build worker:2, not worker:1' });
    expect(runner.calls).toEqual([]);
    expect(locks.locks.size).toBe(1);
  });

  it('refuses an item recorded for another build', async () => {
    const { deps, runner } = setup(readyItem('wi-1', { status: 'build-started', buildId: 'worker:2' }));
    expect((await runWorkItem(deps, input)).kind).toBe('refused');
    expect(runner.calls).toEqual([]);
  });

  it('is idempotent: a finished item only gets its lock released', async () => {
    const { deps, locks, runner } = setup(readyItem('wi-1', { status: 'done', buildId: 'worker:1' }));
    expect(await runWorkItem(deps, input)).toEqual({ kind: 'already-finished', exitCode: 0, reason: 'the item is already done' });
    expect(runner.calls).toEqual([]);
    expect(locks.locks.size).toBe(0);
  });

  it('refuses when the item changes between the check and the in-progress mark', async () => {
    const { deps, workItems } = setup(started);
    workItems.markInProgress = () => Promise.resolve({ kind: 'conflict', reason: 'the item is not recorded as started by build worker:1' });
    expect(await runWorkItem(deps, input)).toEqual({ kind: 'refused', exitCode: 1, reason: 'the item is not recorded as started by build worker:1' });
  });

  it('fails the build when the final mark conflicts, but still releases the lock', async () => {
    const { deps, workItems, locks } = setup(started);
    workItems.markFinished = () => Promise.resolve({ kind: 'conflict', reason: 'the item is not in progress under build worker:1' });
    expect(await runWorkItem(deps, input)).toEqual({ kind: 'failed', exitCode: 1, reason: 'the item is not in progress under build worker:1' });
    expect(locks.locks.size).toBe(0);
  });
});

describe('run environment', () => {
  it('reads the poller overrides and the CodeBuild build id', () => {
    expect(
      runInputFromEnvironment({ KIRO_WORK_ITEM_ID: 'wi-1', KIRO_LOCK_OWNER: 'poller-a', KIRO_REPOSITORY: 'kiro-dev/app', KIRO_BRANCH: 'kiro/wi-1', CODEBUILD_BUILD_ID: 'worker:1' }),
    ).toEqual(input);
  });

  it('explains that worker builds must be started through the poller', () => {
    expect(() => runInputFromEnvironment({ CODEBUILD_BUILD_ID: 'worker:1' })).toThrow(/KIRO_WORK_ITEM_ID is missing or empty; it is set by the poller as a StartBuild override/);
  });

  it('requires the implementation command from the project', () => {
    expect(() => runDependenciesFromEnvironment({ WORK_ITEMS_TABLE: 'a', LOCK_TABLE: 'b' }, '/tmp', () => undefined)).toThrow(/KIRO_IMPLEMENTATION_COMMAND is missing/);
    expect(runDependenciesFromEnvironment({ WORK_ITEMS_TABLE: 'a', LOCK_TABLE: 'b', KIRO_IMPLEMENTATION_COMMAND: 'x' }, '/tmp', () => undefined).recordWaitAttempts).toBe(10);
  });
});

describe('main', () => {
  it('names the first missing variable before touching AWS', async () => {
    const { main } = await import('../../../../src/worker/handlers/run-work-item.js');
    await expect(main({}, '/tmp', () => undefined)).rejects.toThrow(/WORK_ITEMS_TABLE is missing or empty; it is set by the worker CodeBuild project/);
  });
});
