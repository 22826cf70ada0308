/**
 * The SSM contract between the core stack and the application stack. The two live in different CDK
 * Stages (so an unchanged infrastructure stage can be skipped), and CDK forbids references across
 * stages: the core stack publishes names and ARNs as SSM parameters, the application stack reads them
 * at deployment time. One list, used by both sides.
 */

/** Every value the core stack publishes for the application stack. */
export const CORE_PARAMETER_KEYS = [
  'key-arn',
  'artifacts-bucket-name',
  'work-items-table-name',
  'work-items-table-arn',
  'lock-table-name',
  'lock-table-arn',
  'poller-log-group-name',
] as const;

/** One published value. */
export type CoreParameterKey = (typeof CORE_PARAMETER_KEYS)[number];

/** The SSM parameter name of a value, such as `/kiro-worker/KiroWorker-Test/lock-table-name`. */
export function coreParameterName(stackPrefix: string, key: CoreParameterKey): string {
  return `/kiro-worker/${stackPrefix}/${key}`;
}

/**
 * Name of an environment's log group for `purpose`: `poller` (the worker's Lambdas, created by the core
 * stack) or `implementation-builds` (created by the application stack with the implementation key).
 */
export function workerLogGroupName(stackPrefix: string, purpose: 'poller' | 'implementation-builds'): string {
  return `/kiro-worker/${stackPrefix}/${purpose}`;
}
