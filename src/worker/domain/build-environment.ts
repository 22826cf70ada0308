/**
 * Names of the environment variables the worker's code and the implementation builds share: the
 * poller sets the item's variables as StartBuild overrides, the build-state-change handler reads them
 * back from CodeBuild's events. One place, so the sides agree.
 */
export const BUILD_ENVIRONMENT = {
  workItemId: 'KIRO_WORK_ITEM_ID',
  repository: 'KIRO_REPOSITORY',
  branch: 'KIRO_BRANCH',
  /** The poller invocation that holds the item's lock; the build-state-change handler releases it under this name. */
  lockOwner: 'KIRO_LOCK_OWNER',
} as const;

/** Environment variables of the poller Lambda and the build-state-change Lambda, set by the application stack. */
export const POLLER_ENVIRONMENT = {
  workItemsTable: 'WORK_ITEMS_TABLE',
  lockTable: 'LOCK_TABLE',
  /** The CodeBuild project that runs the customer's command (never the worker's own role). */
  projectName: 'IMPLEMENTATION_PROJECT_NAME',
  /** The buildspec (JSON) each implementation build runs, sent as StartBuild's `buildspecOverride`. */
  buildspec: 'IMPLEMENTATION_BUILDSPEC',
  stackPrefix: 'STACK_PREFIX',
  leaseSeconds: 'LOCK_LEASE_SECONDS',
  maxBuildsPerCycle: 'MAX_BUILDS_PER_CYCLE',
  /** Items still unfinished this many seconds after their last change are checked against CodeBuild (the sweep). */
  sweepAfterSeconds: 'SWEEP_AFTER_SECONDS',
} as const;
