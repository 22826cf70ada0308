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
