/**
 * Names of the environment variables a worker build receives: the poller sets them as StartBuild
 * overrides, the worker run reads them. One place, so the two sides agree.
 */
export const BUILD_ENVIRONMENT = {
  workItemId: 'KIRO_WORK_ITEM_ID',
  repository: 'KIRO_REPOSITORY',
  branch: 'KIRO_BRANCH',
  lockOwner: 'KIRO_LOCK_OWNER',
} as const;

/** Environment variables the worker CodeBuild project sets (besides the poller's overrides and CodeBuild's own). */
export const WORKER_ENVIRONMENT = {
  workItemsTable: 'WORK_ITEMS_TABLE',
  lockTable: 'LOCK_TABLE',
  implementationCommand: 'KIRO_IMPLEMENTATION_COMMAND',
  /** Set by CodeBuild itself for every build. */
  buildId: 'CODEBUILD_BUILD_ID',
  /** How often to look again while the poller has not yet recorded the build (default 10). */
  recordWaitAttempts: 'KIRO_RECORD_WAIT_ATTEMPTS',
  /** Seconds the implementation command may run; set by the project below its build timeout. */
  commandDeadlineSeconds: 'KIRO_COMMAND_DEADLINE_SECONDS',
} as const;

/** Environment variables of the poller Lambda, set by the application stack. */
export const POLLER_ENVIRONMENT = {
  workItemsTable: 'WORK_ITEMS_TABLE',
  lockTable: 'LOCK_TABLE',
  projectName: 'WORKER_PROJECT_NAME',
  stackPrefix: 'STACK_PREFIX',
  leaseSeconds: 'LOCK_LEASE_SECONDS',
  maxBuildsPerCycle: 'MAX_BUILDS_PER_CYCLE',
  /** Items still unfinished this many seconds after their last change are checked against CodeBuild (the sweep). */
  sweepAfterSeconds: 'SWEEP_AFTER_SECONDS',
} as const;
