import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildStateChangeDependenciesFromEnvironment, createBuildStateChangeHandler } from '../../../../src/worker/handlers/build-state-change.js';
import type { WorkItemStatus } from '../../../../src/worker/domain/work-item.js';
import { InMemoryLockStore, InMemoryWorkItems, ManualClock, readyItem } from '../fakes.js';

/**
 * The handler on AWS's documented "CodeBuild Build State Change" event
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/sample-build-notifications-ref.html), for
 * builds of the implementation project: the fixtures are the documentation's example with the
 * project, statuses and StartBuild overrides of an implementation build.
 */
const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../../fixtures/events/codebuild-build-state-change-${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const PROJECT = 'ImplementationProject5E6F7A-ghiJKL';
const BUILD = `${PROJECT}:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b`;
const OWNER = 'poller-0c8e';

/** `buildId` null: the item names no build (the poller's record of it failed). */
function setup(status: WorkItemStatus = 'in-progress', buildId: string | null = BUILD) {
  const workItems = new InMemoryWorkItems([readyItem('wi-42', { status, ...(buildId === null ? {} : { buildId }) })]);
  const locks = new InMemoryLockStore();
  locks.locks.set('wi-42', { workItemId: 'wi-42', owner: OWNER, leaseExpiresAt: 1_900_000_000, acquiredAt: '2026-03-02T09:00:00.000Z' });
  const lines: Readonly<Record<string, unknown>>[] = [];
  const handler = createBuildStateChangeHandler({ workItems, locks, clock: new ManualClock(), projectName: PROJECT, log: (line) => lines.push(line) });
  return { workItems, locks, handler, lines };
}

const withStatus = (event: Record<string, unknown>, status: string) => ({ ...event, detail: { ...(event.detail as object), 'build-status': status } });

describe('build state change handler: the item follows its implementation build (issue 13, item 9)', () => {
  it('IN_PROGRESS: marks the started item in progress and keeps the lock', async () => {
    const { workItems, locks, handler } = setup('build-started');
    expect(await handler(fixture('implementation-in-progress'))).toMatchObject({ kind: 'settled', workItemId: 'wi-42', written: true, decision: { kind: 'mark-in-progress' } });
    expect(workItems.items.get('wi-42')?.status).toBe('in-progress');
    expect(locks.locks.has('wi-42')).toBe(true);
  });

  it('SUCCEEDED: marks the item done and releases the lock its poller took', async () => {
    const { workItems, locks, handler } = setup('in-progress');
    expect(await handler(fixture('implementation-succeeded'))).toMatchObject({ kind: 'settled', written: true, decision: { kind: 'finish', outcome: 'done' }, lock: 'released' });
    expect(workItems.items.get('wi-42')).toMatchObject({ status: 'done' });
    expect(workItems.items.get('wi-42')?.failureReason).toBeUndefined();
    expect(locks.locks.has('wi-42')).toBe(false);
  });

  it('SUCCEEDED before (or without) its IN_PROGRESS event: done straight from build-started', async () => {
    const { workItems, handler } = setup('build-started');
    await handler(fixture('implementation-succeeded'));
    expect(workItems.items.get('wi-42')?.status).toBe('done');
  });

  it.each([
    ['FAILED', 'implementation-failed', 'the customer command failed'],
    ['TIMED_OUT', 'implementation-timed-out', 'the command\'s deadline is the project timeout'],
    ['STOPPED', 'implementation-stopped', 'someone stopped the build'],
    ['FAULT', 'implementation-failed', 'CodeBuild itself failed the build'],
  ])('%s: marks the item failed with the build status, and releases the lock (%s)', async (status, name) => {
    const { workItems, locks, handler } = setup('in-progress');
    const result = await handler(withStatus(fixture(name), status));
    expect(result).toMatchObject({ kind: 'settled', written: true, decision: { kind: 'finish', outcome: 'failed' }, lock: 'released' });
    expect(workItems.items.get('wi-42')).toMatchObject({ status: 'failed', failureReason: `implementation build ${BUILD} ended ${status}` });
    expect(locks.locks.has('wi-42')).toBe(false);
  });

  it('a late IN_PROGRESS after the build finished changes nothing (events are unordered)', async () => {
    const { workItems, handler } = setup('done');
    expect(await handler(fixture('implementation-in-progress'))).toMatchObject({ kind: 'settled', written: false, decision: { kind: 'leave' } });
    expect(workItems.items.get('wi-42')?.status).toBe('done');
  });

  it('is idempotent: a repeated end event writes nothing more', async () => {
    const { workItems, handler } = setup();
    await handler(fixture('implementation-succeeded'));
    expect(await handler(fixture('implementation-succeeded'))).toMatchObject({ kind: 'settled', written: false, lock: 'not-owner' });
    expect(workItems.history.filter((change) => change.status === 'done')).toHaveLength(1);
  });

  it('records the build the poller started but could not record (a passing fault), then follows it', async () => {
    const { workItems, handler } = setup('ready-for-implementation', null);
    expect(await handler(fixture('implementation-in-progress'))).toMatchObject({ kind: 'settled', written: true, decision: { kind: 'mark-in-progress' } });
    expect(workItems.items.get('wi-42')).toMatchObject({ status: 'in-progress', buildId: BUILD });
    expect(workItems.history.map((change) => change.status)).toEqual(['build-started', 'in-progress']);
  });

  it('leaves an item recorded for another build, and frees only the lock of this build\'s poller', async () => {
    const { workItems, locks, handler } = setup('in-progress', `${PROJECT}:other`);
    expect(await handler(fixture('implementation-succeeded'))).toMatchObject({ kind: 'settled', written: false, decision: { kind: 'leave' }, lock: 'released' });
    expect(workItems.items.get('wi-42')?.status).toBe('in-progress');
    locks.locks.set('wi-42', { workItemId: 'wi-42', owner: 'poller-other', leaseExpiresAt: 1_900_000_000, acquiredAt: '2026-03-02T09:00:00.000Z' });
    expect(await handler(fixture('implementation-failed'))).toMatchObject({ lock: 'not-owner' });
    expect(locks.locks.get('wi-42')?.owner).toBe('poller-other');
  });

  it('ignores builds of another project', async () => {
    const { workItems, handler } = setup();
    const event = fixture('implementation-succeeded');
    const result = await handler({ ...event, detail: { ...(event.detail as object), 'project-name': 'other' } });
    expect(result).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/not the implementation project/) as unknown });
    expect(workItems.items.get('wi-42')?.status).toBe('in-progress');
  });

  it('ignores the documentation example: its build names no work item', async () => {
    const handler = createBuildStateChangeHandler({ workItems: new InMemoryWorkItems(), locks: new InMemoryLockStore(), clock: new ManualClock(), projectName: 'my-sample-project', log: () => undefined });
    expect(await handler(fixture('documentation-example'))).toMatchObject({ kind: 'ignored' });
  });

  it('logs what it did, without the event\'s environment variables', async () => {
    const { handler, lines } = setup();
    await handler(fixture('implementation-succeeded'));
    expect(lines[0]).toMatchObject({ message: 'build state change handled', buildId: BUILD, buildStatus: 'SUCCEEDED' });
    expect(JSON.stringify(lines)).not.toContain('kiro-worker/test/github-token');
  });

  it('names the missing environment variable', () => {
    expect(() => buildStateChangeDependenciesFromEnvironment({ WORK_ITEMS_TABLE: 't', LOCK_TABLE: 'l' }, () => undefined)).toThrow(/IMPLEMENTATION_PROJECT_NAME is missing/);
  });
});
