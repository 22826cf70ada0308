import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildStateChangeDependenciesFromEnvironment, createBuildStateChangeHandler } from '../../../../src/worker/handlers/build-state-change.js';
import { InMemoryWorkItems, ManualClock, readyItem } from '../fakes.js';

const fixture = (name: string): Record<string, unknown> => JSON.parse(readFileSync(new URL(`../../../fixtures/events/${name}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const BUILD = 'WorkerProject1A2B3C-abcDEF:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

function setup(status: 'build-started' | 'in-progress' | 'done' = 'in-progress') {
  const workItems = new InMemoryWorkItems([readyItem('wi-42', { status, buildId: BUILD })]);
  const lines: Readonly<Record<string, unknown>>[] = [];
  const handler = createBuildStateChangeHandler({ workItems, clock: new ManualClock(), projectName: 'WorkerProject1A2B3C-abcDEF', log: (line) => lines.push(line) });
  return { workItems, handler, lines };
}

describe('build state change handler (issue 13, item 5)', () => {
  it('fails the item a timed-out build left in progress', async () => {
    const { workItems, handler } = setup();
    const result = await handler(fixture('codebuild-build-state-change-worker-timed-out'));
    expect(result).toMatchObject({ kind: 'settled', workItemId: 'wi-42', written: true });
    expect(workItems.items.get('wi-42')).toMatchObject({ status: 'failed', failureReason: `worker build ${BUILD} ended TIMED_OUT before recording an outcome` });
  });

  it('fails the item of a build stopped before the worker ran', async () => {
    const { workItems, handler } = setup('build-started');
    await handler(fixture('codebuild-build-state-change-worker-stopped'));
    expect(workItems.items.get('wi-42')?.status).toBe('failed');
  });

  it('is idempotent: a repeated event writes nothing more', async () => {
    const { workItems, handler } = setup();
    await handler(fixture('codebuild-build-state-change-worker-timed-out'));
    expect(await handler(fixture('codebuild-build-state-change-worker-timed-out'))).toMatchObject({ kind: 'settled', written: false });
    expect(workItems.history.filter((change) => change.status === 'failed')).toHaveLength(1);
  });

  it('leaves an item the build finished itself', async () => {
    const { workItems, handler } = setup('done');
    expect(await handler(fixture('codebuild-build-state-change-worker-timed-out'))).toMatchObject({ kind: 'settled', written: false, decision: { kind: 'leave' } });
    expect(workItems.items.get('wi-42')?.status).toBe('done');
  });

  it.each([
    ['another project', (event: Record<string, unknown>) => ({ ...event, detail: { ...(event.detail as object), 'project-name': 'other' } }), /not the worker's/],
    ['a build still running', (event: Record<string, unknown>) => ({ ...event, detail: { ...(event.detail as object), 'build-status': 'IN_PROGRESS' } }), /has not ended/],
  ])('ignores %s', async (_why, change, reason) => {
    const { workItems, handler } = setup();
    const result = await handler(change(fixture('codebuild-build-state-change-worker-timed-out')));
    expect(result).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(reason) as unknown });
    expect(workItems.items.get('wi-42')?.status).toBe('in-progress');
  });

  it('ignores the documentation example: its build names no work item', async () => {
    const handler = createBuildStateChangeHandler({ workItems: new InMemoryWorkItems(), clock: new ManualClock(), projectName: 'my-sample-project', log: () => undefined });
    expect(await handler(fixture('codebuild-build-state-change-documentation-example'))).toMatchObject({ kind: 'ignored' });
  });

  it('names the missing environment variable', () => {
    expect(() => buildStateChangeDependenciesFromEnvironment({ WORK_ITEMS_TABLE: 't' }, () => undefined)).toThrow(/WORKER_PROJECT_NAME is missing/);
  });
});
