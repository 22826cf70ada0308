import type { WorkItem, WorkItemStatus } from '../domain/work-item.js';

/** Result of a conditional status change: it happened, or the item was not in the expected state. */
export type TransitionResult = { readonly kind: 'updated' } | { readonly kind: 'conflict'; readonly reason: string };

/** The work-items store, as the poller and the worker need it. */
export interface WorkItemRepository {
  /** Up to `limit` items in `ready-for-implementation`, oldest first (eventually consistent: an index). */
  listReady(limit: number): Promise<readonly WorkItem[]>;
  /** The item as it is now (strongly consistent), or undefined when it does not exist. */
  get(workItemId: string): Promise<WorkItem | undefined>;
  /** Records the started build, only if the item is still ready. */
  markBuildStarted(workItemId: string, buildId: string, at: Date): Promise<TransitionResult>;
  /** Marks a still-ready item failed because CodeBuild rejected its build request. */
  markRejected(workItemId: string, at: Date, reason: string): Promise<TransitionResult>;
  /** Marks the item in progress, only if its recorded build is `buildId`. */
  markInProgress(workItemId: string, buildId: string, at: Date): Promise<TransitionResult>;
  /** Marks the item done or failed, only if its recorded build is `buildId` and it is not finished yet. */
  markFinished(
    workItemId: string,
    buildId: string,
    outcome: Extract<WorkItemStatus, 'done' | 'failed'>,
    at: Date,
    failureReason?: string,
  ): Promise<TransitionResult>;
}
