import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MalformedInputError, TransientError } from '../../../../src/shared/errors.js';
import { decideBuildEnd, runSweep } from '../../../../src/worker/domain/build-end.js';
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
    expect(parseBuildStateChange(fixture('codebuild-build-state-change-implementation-timed-out'))).toEqual({
      buildId: 'ImplementationProject5E6F7A-ghiJKL:0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
      projectName: 'ImplementationProject5E6F7A-ghiJKL',
      buildStatus: 'TIMED_OUT',
      workItemId: 'wi-42',
      lockOwner: 'poller-0c8e',
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
    ['arn:aws:codebuild:us-east-1:123456789012:build/implementation:abc', 'implementation:abc'],
    ['arn:aws-cn:codebuild:cn-north-1:123456789012:build/w-1:0-1', 'w-1:0-1'],
    ['arn:aws:codebuild:us-east-1:123456789012:project/worker', undefined],
  ])('buildIdFromArn(%s)', (arn, id) => {
    expect(buildIdFromArn(arn)).toBe(id);
  });
});

const unfinished = (status: WorkItem['status'], buildId = 'implementation:1'): WorkItem => readyItem('wi-1', { status, buildId });

describe('decideBuildEnd', () => {
  const done = { kind: 'finish', outcome: 'done' };
  const failed = (status: string) => ({ kind: 'finish', outcome: 'failed', reason: `implementation build implementation:1 ended ${status}` });
  it.each<[string, WorkItem | undefined, BuildState, Readonly<Record<string, unknown>>]>([
    ['IN_PROGRESS on a started item: in progress', unfinished('build-started'), { kind: 'running' }, { kind: 'mark-in-progress' }],
    ['IN_PROGRESS again (a repeated event): nothing to do', unfinished('in-progress'), { kind: 'running' }, { kind: 'leave' }],
    ['SUCCEEDED: the customer command succeeded, done', unfinished('in-progress'), { kind: 'ended', status: 'SUCCEEDED' }, done],
    ['SUCCEEDED while still build-started (its IN_PROGRESS event lost or late): done', unfinished('build-started'), { kind: 'ended', status: 'SUCCEEDED' }, done],
    ['FAILED: the command failed', unfinished('in-progress'), { kind: 'ended', status: 'FAILED' }, failed('FAILED')],
    ['FAULT: CodeBuild failed the build', unfinished('build-started'), { kind: 'ended', status: 'FAULT' }, failed('FAULT')],
    ['TIMED_OUT: the command ran past its deadline, the project timeout', unfinished('in-progress'), { kind: 'ended', status: 'TIMED_OUT' }, failed('TIMED_OUT')],
    ['STOPPED before it ran: the build-started item fails', unfinished('build-started'), { kind: 'ended', status: 'STOPPED' }, failed('STOPPED')],
    ['a build CodeBuild no longer knows', unfinished('in-progress'), { kind: 'not-found' }, { kind: 'finish', outcome: 'failed' }],
    ['the item is already finished: a late or repeated event changes nothing', unfinished('done'), { kind: 'running' }, { kind: 'leave' }],
    ['an item recorded for another build is not this build\'s', unfinished('in-progress', 'implementation:2'), { kind: 'ended', status: 'FAILED' }, { kind: 'leave' }],
    ['a ready item naming no build: the poller could not record this one, so record it', readyItem('wi-1'), { kind: 'running' }, { kind: 'record-build' }],
    ['a ready item naming no build, and CodeBuild knows no such build: leave it ready', readyItem('wi-1'), { kind: 'not-found' }, { kind: 'leave' }],
    ['a deleted item', undefined, { kind: 'ended', status: 'FAILED' }, { kind: 'leave' }],
  ])('%s', (_why, item, state, decision) => {
    expect(decideBuildEnd(item, 'implementation:1', state)).toMatchObject(decision);
  });
});

describe('runSweep', () => {
  const settings = { olderThanSeconds: 3600, limit: 100 };
  function world() {
    const clock = new ManualClock(new Date('2026-03-02T12:00:00.000Z'));
    const workItems = new InMemoryWorkItems([
      readyItem('old-timed-out', { status: 'in-progress', buildId: 'implementation:1', updatedAt: '2026-03-02T10:00:00.000Z' }),
      readyItem('old-running', { status: 'in-progress', buildId: 'implementation:2', updatedAt: '2026-03-02T10:00:00.000Z' }),
      readyItem('young', { status: 'build-started', buildId: 'implementation:3', updatedAt: '2026-03-02T11:30:00.000Z' }),
    ]);
    const builds = new FakeBuildStates();
    builds.known.set('implementation:1', { kind: 'ended', status: 'TIMED_OUT' });
    builds.known.set('implementation:2', { kind: 'running' });
    builds.known.set('implementation:3', { kind: 'ended', status: 'FAILED' });
    return { clock, workItems, builds };
  }

  it('finishes only old unfinished items whose build has ended: done when it succeeded', async () => {
    const deps = world();
    deps.workItems.items.set('old-succeeded', readyItem('old-succeeded', { status: 'build-started', buildId: 'implementation:4', updatedAt: '2026-03-02T09:00:00.000Z' }));
    deps.builds.known.set('implementation:4', { kind: 'ended', status: 'SUCCEEDED' });
    const report = await runSweep(deps, settings);
    expect(report.outcomes.map((outcome) => [outcome.workItemId, outcome.decision.kind, outcome.written])).toEqual([
      ['old-succeeded', 'finish', true],
      ['old-timed-out', 'finish', true],
      ['old-running', 'leave', false],
    ]);
    expect(deps.workItems.items.get('old-succeeded')?.status).toBe('done');
    expect(deps.workItems.items.get('old-timed-out')?.status).toBe('failed');
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
