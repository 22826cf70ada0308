/**
 * In-memory fakes of the worker's ports. Each operation is atomic (as the DynamoDB conditional
 * writes are), and may first pass a `yieldPoint`, so a property test can interleave many actors.
 */
import type { Clock } from '../../../src/shared/clock.js';
import type { IdGenerator } from '../../../src/shared/id-generator.js';
import { lockIsFree, type WorkItemLock } from '../../../src/worker/domain/lock.js';
import type { WorkItem, WorkItemStatus } from '../../../src/worker/domain/work-item.js';
import type { BuildRequest, BuildStarter } from '../../../src/worker/ports/build-starter.js';
import type { CommandResult, CommandRunner } from '../../../src/worker/ports/command-runner.js';
import type { AcquireResult, LockStore, ReleaseResult } from '../../../src/worker/ports/lock-store.js';
import type { TransitionResult, WorkItemRepository } from '../../../src/worker/ports/work-items.js';

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

export class InMemoryWorkItems implements WorkItemRepository {
  readonly items = new Map<string, WorkItem>();
  constructor(items: readonly WorkItem[] = [], private readonly yieldPoint: YieldPoint = immediately) {
    for (const item of items) this.items.set(item.workItemId, item);
  }

  async listReady(limit: number): Promise<readonly WorkItem[]> {
    await this.yieldPoint();
    return [...this.items.values()]
      .filter((item) => item.status === 'ready-for-implementation')
      .sort((a, b) => a.updatedAt.localeCompare(b.updatedAt))
      .slice(0, limit);
  }

  async get(workItemId: string): Promise<WorkItem | undefined> {
    await this.yieldPoint();
    return this.items.get(workItemId);
  }

  markBuildStarted(workItemId: string, buildId: string, at: Date): Promise<TransitionResult> {
    return this.update(workItemId, (item) => item.status === 'ready-for-implementation', { status: 'build-started', buildId, updatedAt: at.toISOString() });
  }

  markRejected(workItemId: string, at: Date, reason: string): Promise<TransitionResult> {
    return this.update(workItemId, (item) => item.status === 'ready-for-implementation', { status: 'failed', failureReason: reason, updatedAt: at.toISOString() });
  }

  markInProgress(workItemId: string, buildId: string, at: Date): Promise<TransitionResult> {
    return this.update(workItemId, (item) => item.buildId === buildId && (item.status === 'build-started' || item.status === 'in-progress'), { status: 'in-progress', updatedAt: at.toISOString() });
  }

  markFinished(workItemId: string, buildId: string, outcome: Extract<WorkItemStatus, 'done' | 'failed'>, at: Date, failureReason?: string): Promise<TransitionResult> {
    return this.update(
      workItemId,
      (item) => item.buildId === buildId && (item.status === 'build-started' || item.status === 'in-progress'),
      { status: outcome, updatedAt: at.toISOString(), ...(failureReason === undefined ? {} : { failureReason }) },
    );
  }

  private async update(workItemId: string, condition: (item: WorkItem) => boolean, change: Partial<WorkItem>): Promise<TransitionResult> {
    await this.yieldPoint();
    const item = this.items.get(workItemId);
    if (item === undefined || !condition(item)) return { kind: 'conflict', reason: 'condition failed' };
    this.items.set(workItemId, { ...item, ...change });
    return { kind: 'updated' };
  }
}

export class InMemoryLockStore implements LockStore {
  readonly locks = new Map<string, WorkItemLock>();
  constructor(private readonly yieldPoint: YieldPoint = immediately) {}

  async acquire(lock: WorkItemLock, nowEpochSeconds: number): Promise<AcquireResult> {
    await this.yieldPoint();
    if (!lockIsFree(this.locks.get(lock.workItemId), nowEpochSeconds)) return { kind: 'held' };
    this.locks.set(lock.workItemId, lock);
    return { kind: 'acquired' };
  }

  async release(workItemId: string, owner: string): Promise<ReleaseResult> {
    await this.yieldPoint();
    if (this.locks.get(workItemId)?.owner !== owner) return { kind: 'not-owner' };
    this.locks.delete(workItemId);
    return { kind: 'released' };
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
    const buildId = `worker:${this.started.length + 1}`;
    this.started.push({ ...request, buildId });
    return { buildId };
  }
}

/** Answers every command with a fixed result and records what it was asked to run. */
export class ScriptedCommandRunner implements CommandRunner {
  readonly calls: { command: string; environment: Readonly<Record<string, string>> }[] = [];
  constructor(private readonly result: CommandResult | Error) {}

  run(command: string, environment: Readonly<Record<string, string>>): Promise<CommandResult> {
    this.calls.push({ command, environment });
    return this.result instanceof Error ? Promise.reject(this.result) : Promise.resolve(this.result);
  }
}
