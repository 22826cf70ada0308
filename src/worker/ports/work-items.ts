import type { WorkItem, WorkItemStatus } from '../domain/work-item.js';

/** Result of a conditional status change: it happened, or the item was not in the expected state. */
export type TransitionResult = { readonly kind: 'updated' } | { readonly kind: 'conflict'; readonly reason: string };

/** A stored ready record that lacks what the worker needs; it is taken out of the queue, not built. */
export interface MalformedWorkItem {
  readonly workItemId: string;
  readonly problem: string;
}

/** One page of ready items, oldest first. */
export interface ReadyPage {
  readonly items: readonly WorkItem[];
  /** Ready records on this page that could not be read as work items. */
  readonly malformed: readonly MalformedWorkItem[];
  /** Where the next page starts; undefined on the last page. */
  readonly cursor?: string;
}

/**
 * The work-items store, as the poller and the build-state-change handler need it. Every
 * transition is idempotent: asked again after it already happened (an SDK retry after a lost
 * response), it answers `updated`, not `conflict`.
 */
export interface WorkItemRepository {
  /** One page of up to `limit` items in `ready-for-implementation`, oldest first (eventually consistent: an index). */
  listReady(limit: number, cursor?: string): Promise<ReadyPage>;
  /** Up to `limit` items in `build-started` or `in-progress` whose last change is older than `before`. */
  listUnfinishedBefore(before: Date, limit: number): Promise<readonly WorkItem[]>;
  /** The item as it is now (strongly consistent), or undefined when it does not exist. */
  get(workItemId: string): Promise<WorkItem | undefined>;
  /** Records the started build, only if the item is still ready. */
  markBuildStarted(workItemId: string, buildId: string, at: Date): Promise<TransitionResult>;
  /** Marks a still-ready item failed because it cannot be built (bad repository or branch, malformed record). */
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
