import type { WorkItemLock } from '../domain/lock.js';

/** Outcome of asking for a lock: ours now, or someone else holds a live lease. */
export type AcquireResult = { readonly kind: 'acquired' } | { readonly kind: 'held' };

/** Outcome of giving a lock back: released, or it was not ours (taken over after its lease ran out). */
export type ReleaseResult = { readonly kind: 'released' } | { readonly kind: 'not-owner' };

/** The lock table: atomic, so of two concurrent `acquire` calls on a free lock exactly one wins. */
export interface LockStore {
  /** Takes the lock if it is free or its lease expired at `now` (epoch seconds). */
  acquire(lock: WorkItemLock, nowEpochSeconds: number): Promise<AcquireResult>;
  /** Deletes the lock if `owner` still holds it. */
  release(workItemId: string, owner: string): Promise<ReleaseResult>;
}
