/**
 * The work item: one unit of work the Kiro CodeBuild Worker implements in a CodeBuild build.
 * Pure types and the allowed status transitions; no AWS, no I/O.
 */

/** Every status a work item can have, in lifecycle order. */
export const WORK_ITEM_STATUSES = ['ready-for-implementation', 'build-started', 'in-progress', 'done', 'failed'] as const;

/** Where a work item is in its lifecycle. */
export type WorkItemStatus = (typeof WORK_ITEM_STATUSES)[number];

/** The status the poller looks for (and the GSI partition value it queries). */
export const READY_STATUS: WorkItemStatus = 'ready-for-implementation';

/** A work item as stored in the work-items table. */
export interface WorkItem {
  readonly workItemId: string;
  readonly status: WorkItemStatus;
  /** GitHub repository to implement the item in, as `owner/name`. */
  readonly repository: string;
  /** Branch the implementation is pushed to. */
  readonly branch: string;
  /** ISO-8601 time of the last status change; the GSI sort key, so the oldest ready item goes first. */
  readonly updatedAt: string;
  /** CodeBuild build id, once a build was started for the item. */
  readonly buildId?: string;
  /** Why the item failed, when it did. */
  readonly failureReason?: string;
}

/**
 * The transitions a work item may take. `build-started → ready-for-implementation` does not exist:
 * an item whose build was started is finished by that build (done or failed), never started twice.
 * `build-started → done` exists because CodeBuild's state-change events are unordered and best
 * effort: the build's SUCCEEDED event may come before (or instead of) its IN_PROGRESS event.
 */
const ALLOWED: Readonly<Record<WorkItemStatus, readonly WorkItemStatus[]>> = {
  'ready-for-implementation': ['build-started', 'failed'],
  'build-started': ['in-progress', 'done', 'failed'],
  'in-progress': ['done', 'failed'],
  done: [],
  failed: ['ready-for-implementation'],
};

/** True when an item may move from `from` to `to` (a failed item may be made ready again by a person). */
export function canTransition(from: WorkItemStatus, to: WorkItemStatus): boolean {
  return ALLOWED[from].includes(to);
}

/** The statuses an item may move to from `from`. */
export function nextStatuses(from: WorkItemStatus): readonly WorkItemStatus[] {
  return ALLOWED[from];
}

/** True for statuses after which nothing more happens automatically. */
export function isTerminal(status: WorkItemStatus): boolean {
  return status === 'done' || status === 'failed';
}

/** Narrows an unknown value (for example a DynamoDB attribute) to a status. */
export function isWorkItemStatus(value: unknown): value is WorkItemStatus {
  return typeof value === 'string' && (WORK_ITEM_STATUSES as readonly string[]).includes(value);
}
