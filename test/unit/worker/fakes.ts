/**
 * In-memory fakes of the worker's ports. Each operation is atomic (as the DynamoDB conditional
 * writes are), and may first pass a `yieldPoint`, so a property test can interleave many actors.
 */
import type { Clock } from '../../../src/shared/clock.js';
import type { IdGenerator } from '../../../src/shared/id-generator.js';
import { BUILD_ENVIRONMENT } from '../../../src/worker/domain/build-environment.js';
import { lockIsFree, type WorkItemLock } from '../../../src/worker/domain/lock.js';
import type { WorkItem, WorkItemStatus } from '../../../src/worker/domain/work-item.js';
import type { BuildRequest, BuildStarter } from '../../../src/worker/ports/build-starter.js';
import type { BuildState, BuildStatusReader } from '../../../src/worker/ports/build-status-reader.js';
import type { AcquireResult, LockStore, ReleaseResult } from '../../../src/worker/ports/lock-store.js';
import type { ReadyPage, TransitionResult, WorkItemRepository } from '../../../src/worker/ports/work-items.js';

export type YieldPoint = () => Promise<void>;
const immediately: YieldPoint = () => Promise.resolve();

/** A clock that only moves when told to; `sleep` advances it. */
export class ManualClock implements Clock {
  readonly sleeps: number[] = [];
  constructor(private current: Date = new Date('2026-03-02T10:00:00.000Z')) {}
  now(): Date {
    return new Date(this.current.getTime());
  }
  advance(milliseconds: number): void {
    this.current = new Date(this.current.getTime() + milliseconds);
  }
  sleep(milliseconds: number): Promise<void> {
    this.sleeps.push(milliseconds);
    this.advance(milliseconds);
    return Promise.resolve();
  }
}

/** Ids `prefix-1`, `prefix-2`, ... */
export function sequentialIds(prefix = 'id'): IdGenerator {
  let next = 0;
  return { next: () => `${prefix}-${(next += 1)}` };
}

/** Makes a ready work item. */
export function readyItem(workItemId: string, overrides: Partial<WorkItem> = {}): WorkItem {
  return { workItemId, status: 'ready-for-implementation', repository: 'kiro-dev/app', branch: `kiro/${workItemId}`, updatedAt: '2026-03-02T09:00:00.000Z', ...overrides };
}

/**
 * A fault the fakes can be told to inject before (`before`) or after (`lost-response`: the change is
 * applied, then the caller sees an error, as when an answer is lost and the SDK gives up) an operation.
 */
export type FaultPlan = (operation: string, workItemId: string) => { readonly error: Error; readonly when: 'before' | 'lost-response' } | undefined;
const noFaults: FaultPlan = () => undefined;

export class InMemoryWorkItems implements WorkItemRepository {
  readonly items = new Map<string, WorkItem>();
  /** Ready records that the store reports as malformed (as the DynamoDB adapter does for bad records). */
  readonly malformed = new Map<string, { readonly updatedAt: string; readonly problem: string }>();
  /** Every successful status change, in order. */
  readonly history: { readonly workItemId: string; readonly status: WorkItemStatus; readonly buildId?: string }[] = [];
  faults: FaultPlan = noFaults;
  constructor(items: readonly WorkItem[] = [], private readonly yieldPoint: YieldPoint = immediately) {
    for (const item of items) this.items.set(item.workItemId, item);
  }

  async listReady(limit: number, cursor?: string): Promise<ReadyPage> {
    await this.yieldPoint();
    this.inject('listReady', '', 'before');
    const ready = [
      ...[...this.items.values()].filter((item) => item.status === 'ready-for-implementation').map((item) => ({ updatedAt: item.updatedAt, id: item.workItemId, item })),
      ...[...this.malformed.entries()].map(([id, record]) => ({ updatedAt: record.updatedAt, id, item: undefined })),
    ].sort((a, b) => a.updatedAt.localeCompare(b.updatedAt) || a.id.localeCompare(b.id));
    // Like DynamoDB's LastEvaluatedKey: the next page starts after the last key returned, whatever changed since.
    const after = cursor === undefined ? undefined : (JSON.parse(cursor) as [string, string]);
    const remaining = after === undefined ? ready : ready.filter((entry) => entry.updatedAt > after[0] || (entry.updatedAt === after[0] && entry.id > after[1]));
    const page = remaining.slice(0, limit);
    const last = page.at(-1);
    const next = remaining.length > limit && last !== undefined ? JSON.stringify([last.updatedAt, last.id]) : undefined;
    return {
      items: page.flatMap((entry) => (entry.item === undefined ? [] : [entry.item])),
      malformed: page.flatMap((entry) => (entry.item === undefined ? [{ workItemId: entry.id, problem: this.malformed.get(entry.id)?.problem ?? '' }] : [])),
      ...(next === undefined ? {} : { cursor: next }),
    };
  }

  async listUnfinishedBefore(before: Date, limit: number): Promise<readonly WorkItem[]> {
    await this.yieldPoint();
    this.inject('listUnfinishedBefore', '', 'before');
    return [...this.items.values()]
      .filter((item) => (item.status === 'build-started' || item.status === 'in-progress') && item.updatedAt < before.toISOString())
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))
      .slice(0, limit);
  }

  async get(workItemId: string): Promise<WorkItem | undefined> {
    await this.yieldPoint();
    this.inject('get', workItemId, 'before');
    return this.items.get(workItemId);
  }

  markBuildStarted(workItemId: string, buildId: string, at: Date): Promise<TransitionResult> {
    return this.update('markBuildStarted', workItemId, (item) => item.status === 'ready-for-implementation', (item) => item.buildId === buildId && item.status !== 'ready-for-implementation', {
      status: 'build-started',
      buildId,
      updatedAt: at.toISOString(),
    });
  }

  async markRejected(workItemId: string, at: Date, reason: string): Promise<TransitionResult> {
    const malformed = this.malformed.get(workItemId);
    if (malformed !== undefined) {
      await this.yieldPoint();
      this.inject('markRejected', workItemId, 'before');
      this.malformed.delete(workItemId);
      this.items.set(workItemId, { workItemId, status: 'failed', repository: '?', branch: '?', updatedAt: at.toISOString(), failureReason: reason });
      this.history.push({ workItemId, status: 'failed' });
      return { kind: 'updated' };
    }
    return this.update('markRejected', workItemId, (item) => item.status === 'ready-for-implementation', (item) => item.status === 'failed' && item.failureReason === reason, {
      status: 'failed',
      failureReason: reason,
      updatedAt: at.toISOString(),
    });
  }

  markInProgress(workItemId: string, buildId: string, at: Date): Promise<TransitionResult> {
    return this.update('markInProgress', workItemId, (item) => item.buildId === buildId && (item.status === 'build-started' || item.status === 'in-progress'), () => false, {
      status: 'in-progress',
      updatedAt: at.toISOString(),
    });
  }

  markFinished(workItemId: string, buildId: string, outcome: Extract<WorkItemStatus, 'done' | 'failed'>, at: Date, failureReason?: string): Promise<TransitionResult> {
    return this.update(
      'markFinished',
      workItemId,
      (item) => item.buildId === buildId && (item.status === 'build-started' || item.status === 'in-progress'),
      (item) => item.buildId === buildId && item.status === outcome,
      { status: outcome, updatedAt: at.toISOString(), ...(failureReason === undefined ? {} : { failureReason }) },
    );
  }

  private inject(operation: string, workItemId: string, when: 'before' | 'lost-response'): void {
    const fault = this.faults(operation, workItemId);
    if (fault?.when === when) throw fault.error;
  }

  private async update(
    operation: string,
    workItemId: string,
    condition: (item: WorkItem) => boolean,
    alreadyDone: (item: WorkItem) => boolean,
    change: Partial<WorkItem>,
  ): Promise<TransitionResult> {
    await this.yieldPoint();
    this.inject(operation, workItemId, 'before');
    const item = this.items.get(workItemId);
    if (item === undefined) return { kind: 'conflict', reason: 'condition failed' };
    // The adapter's contract: a repeated transition that already happened answers `updated`.
    if (!condition(item)) return alreadyDone(item) ? { kind: 'updated' } : { kind: 'conflict', reason: 'condition failed' };
    const next = { ...item, ...change };
    this.items.set(workItemId, next);
    this.history.push({ workItemId, status: next.status, ...(next.buildId === undefined ? {} : { buildId: next.buildId }) });
    this.inject(operation, workItemId, 'lost-response');
    return { kind: 'updated' };
  }
}

export class InMemoryLockStore implements LockStore {
  readonly locks = new Map<string, WorkItemLock>();
  faults: FaultPlan = noFaults;
  constructor(private readonly yieldPoint: YieldPoint = immediately) {}

  async acquire(lock: WorkItemLock, nowEpochSeconds: number): Promise<AcquireResult> {
    await this.yieldPoint();
    this.inject('acquire', lock.workItemId, 'before');
    if (!lockIsFree(this.locks.get(lock.workItemId), nowEpochSeconds)) return { kind: 'held' };
    this.locks.set(lock.workItemId, lock);
    this.inject('acquire', lock.workItemId, 'lost-response');
    return { kind: 'acquired' };
  }

  async release(workItemId: string, owner: string): Promise<ReleaseResult> {
    await this.yieldPoint();
    this.inject('release', workItemId, 'before');
    if (this.locks.get(workItemId)?.owner !== owner) return { kind: 'not-owner' };
    this.locks.delete(workItemId);
    return { kind: 'released' };
  }

  private inject(operation: string, workItemId: string, when: 'before' | 'lost-response'): void {
    const fault = this.faults(operation, workItemId);
    if (fault?.when === when) throw fault.error;
  }
}

/** CodeBuild's view of builds, set by the test; unknown ids are not found. */
export class FakeBuildStates implements BuildStatusReader {
  readonly known = new Map<string, BuildState>();
  failWith: Error | undefined;
  constructor(private readonly yieldPoint: YieldPoint = immediately) {}

  async states(ids: readonly string[]): Promise<ReadonlyMap<string, BuildState>> {
    await this.yieldPoint();
    if (this.failWith !== undefined) throw this.failWith;
    return new Map(ids.map((id) => [id, this.known.get(id) ?? { kind: 'not-found' }]));
  }
}

/** Records every build it starts; `failWith` makes the next starts throw. */
export class RecordingBuildStarter implements BuildStarter {
  readonly started: (BuildRequest & { buildId: string })[] = [];
  failWith: Error | undefined;
  constructor(private readonly yieldPoint: YieldPoint = immediately) {}

  async start(request: BuildRequest): Promise<{ readonly buildId: string }> {
    await this.yieldPoint();
    if (this.failWith !== undefined) throw this.failWith;
    const buildId = `${IMPLEMENTATION_PROJECT}:${this.started.length + 1}`;
    this.started.push({ ...request, buildId });
    return { buildId };
  }
}

/** The project name the fakes' builds belong to. */
export const IMPLEMENTATION_PROJECT = 'implementation';

/**
 * A "CodeBuild Build State Change" event for a build the poller started, in the documented shape
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/sample-build-notifications-ref.html),
 * reduced to what the handler reads: the StartBuild overrides come back as environment variables.
 */
export function buildStateEvent(
  build: BuildRequest & { readonly buildId: string },
  status: string,
  where: { readonly projectName?: string; readonly account?: string; readonly region?: string } = {},
): Record<string, unknown> {
  const plaintext = (name: string, value: string) => ({ name, type: 'PLAINTEXT', value });
  return {
    'detail-type': 'CodeBuild Build State Change',
    source: 'aws.codebuild',
    detail: {
      'build-status': status,
      'project-name': where.projectName ?? IMPLEMENTATION_PROJECT,
      'build-id': `arn:aws:codebuild:${where.region ?? 'us-east-1'}:${where.account ?? '123456789012'}:build/${build.buildId}`,
      'additional-information': {
        environment: {
          'environment-variables': [
            plaintext(BUILD_ENVIRONMENT.workItemId, build.workItemId),
            plaintext(BUILD_ENVIRONMENT.repository, build.repository),
            plaintext(BUILD_ENVIRONMENT.branch, build.branch),
            plaintext(BUILD_ENVIRONMENT.lockOwner, build.lockOwner),
          ],
        },
      },
    },
  };
}
