import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MalformedInputError, TransientError } from '../../../../src/shared/errors.js';
import { decideBuildEnd, runSweep, type BuildEndDecision } from '../../../../src/worker/domain/build-end.js';
import { buildIdFromArn, parseBuildStateChange } from '../../../../src/worker/domain/build-state-event.js';
import type { WorkItem } from '../../../../src/worker/domain/work-item.js';
import type { BuildState } from '../../../../src/worker/ports/build-status-reader.js';
import { FakeBuildStates, InMemoryWorkItems, ManualClock, readyItem } from '../fakes.js';

const fixture = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../fixtures/events/${name}.json`, import.meta.url), 'utf8'));

describe('parseBuildStateChange, on the event shape AWS documents', () => {
  it('reads the documentation example: the build id is the ARN without its prefix; no work item', () => {
    expect(parseBuildStateChange(fixture('codebuild-build-state-change-documentation-example'))).toEqual({
      buildId: 'my-sample-project:8745a7a9-c340-456a-9166-edf953571bEX',
      projectName: 'my-sample-project',
      buildStatus: 'SUCCEEDED',
    });
  });

  it('reads the work item from the StartBuild overrides listed in the event', () => {
    expect(parseBuildStateChange(fixture('codebuild-build-state-change-worker-timed-out'))).toEqual({
      buildId: 'WorkerProject1A2B3C-abcDEF:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      projectName: 'WorkerProject1A2B3C-abcDEF',
      buildStatus: 'TIMED_OUT',
      workItemId: 'wi-42',
    });
  });

  it.each([
    ['not an object', 'x'],
    ['another detail type', { 'detail-type': 'CodeBuild Build Phase Change', source: 'aws.codebuild', detail: {} }],
    ['no build id', { 'detail-type': 'CodeBuild Build State Change', source: 'aws.codebuild', detail: { 'build-status': 'FAILED', 'project-name': 'p' } }],
    ['a build id that is not an ARN', { 'detail-type': 'CodeBuild Build State Change', source: 'aws.codebuild', detail: { 'build-status': 'FAILED', 'project-name': 'p', 'build-id': 'p:1' } }],
  ])('refuses %s with a clear error', (_why, event) => {
    expect(() => parseBuildStateChange(event)).toThrow(MalformedInputError);
  });

  it.each([
    ['arn:aws:codebuild:us-east-1:123456789012:build/worker:abc', 'worker:abc'],
    ['arn:aws-cn:codebuild:cn-north-1:123456789012:build/w-1:0-1', 'w-1:0-1'],
    ['arn:aws:codebuild:us-east-1:123456789012:project/worker', undefined],
  ])('buildIdFromArn(%s)', (arn, id) => {
    expect(buildIdFromArn(arn)).toBe(id);
  });
});

const unfinished = (status: WorkItem['status'], buildId = 'worker:1'): WorkItem => readyItem('wi-1', { status, buildId });

describe('decideBuildEnd', () => {
  it.each<[string, WorkItem | undefined, BuildState, BuildEndDecision['kind']]>([
    ['a build that timed out leaves its in-progress item: fail it', unfinished('in-progress'), { kind: 'ended', status: 'TIMED_OUT' }, 'fail-item'],
    ['a build stopped before the worker ran: fail the build-started item', unfinished('build-started'), { kind: 'ended', status: 'STOPPED' }, 'fail-item'],
    ['a build that succeeded but never finished the item (refused) still fails it', unfinished('in-progress'), { kind: 'ended', status: 'SUCCEEDED' }, 'fail-item'],
    ['a build CodeBuild no longer knows', unfinished('in-progress'), { kind: 'not-found' }, 'fail-item'],
    ['a running build: leave it', unfinished('in-progress'), { kind: 'running' }, 'leave'],
    ['the build finished the item itself: the event changes nothing', unfinished('done'), { kind: 'ended', status: 'SUCCEEDED' }, 'leave'],
    ['an item recorded for another build is not this build\'s', unfinished('in-progress', 'worker:2'), { kind: 'ended', status: 'FAILED' }, 'leave'],
    ['a deleted item', undefined, { kind: 'ended', status: 'FAILED' }, 'leave'],
  ])('%s', (_why, item, state, kind) => {
    expect(decideBuildEnd(item, 'worker:1', state).kind).toBe(kind);
  });
});

describe('runSweep', () => {
  const settings = { olderThanSeconds: 3600, limit: 100 };
  function world() {
    const clock = new ManualClock(new Date('2026-03-02T12:00:00.000Z'));
    const workItems = new InMemoryWorkItems([
      readyItem('old-timed-out', { status: 'in-progress', buildId: 'worker:1', updatedAt: '2026-03-02T10:00:00.000Z' }),
      readyItem('old-running', { status: 'in-progress', buildId: 'worker:2', updatedAt: '2026-03-02T10:00:00.000Z' }),
      readyItem('young', { status: 'build-started', buildId: 'worker:3', updatedAt: '2026-03-02T11:30:00.000Z' }),
    ]);
    const builds = new FakeBuildStates();
    builds.known.set('worker:1', { kind: 'ended', status: 'TIMED_OUT' });
    builds.known.set('worker:2', { kind: 'running' });
    builds.known.set('worker:3', { kind: 'ended', status: 'FAILED' });
    return { clock, workItems, builds };
  }

  it('fails only old unfinished items whose build has ended', async () => {
    const deps = world();
    const report = await runSweep(deps, settings);
    expect(report.outcomes.map((outcome) => [outcome.workItemId, outcome.decision.kind, outcome.written])).toEqual([
      ['old-timed-out', 'fail-item', true],
      ['old-running', 'leave', false],
    ]);
    expect(deps.workItems.items.get('young')?.status).toBe('build-started');
  });

  it('is idempotent: a second sweep writes nothing', async () => {
    const deps = world();
    await runSweep(deps, settings);
    expect((await runSweep(deps, settings)).outcomes.filter((outcome) => outcome.written)).toEqual([]);
  });

  it('ends quietly on a transient fault, and throws anything else', async () => {
    const deps = world();
    deps.builds.failWith = new TransientError('BatchGetBuilds throttled');
    expect(await runSweep(deps, settings)).toEqual({ outcomes: [], fault: 'BatchGetBuilds throttled' });
    deps.builds.failWith = new Error('defect');
    await expect(runSweep(deps, settings)).rejects.toThrow('defect');
  });
});
