/**
 * The CloudWatch alarms that the application stack creates for each environment. The configuration
 * marks each one critical (a release that sets it off is rolled back) or warning (the release pauses
 * for review). Names are stable ids: the deployed alarm is called `<stackPrefix>-<id>`.
 */
export const WORKER_ALARM_IDS = [
  /** The poller Lambda reported errors. */
  'poller-errors',
  /** The poller Lambda was throttled. */
  'poller-throttles',
  /** The poller's p99 duration is close to its timeout. */
  'poller-duration',
  /** Worker CodeBuild builds failed. */
  'worker-build-failures',
  /** The poller lost lock races far more often than usual (two pollers fighting, or a stuck lock). */
  'lock-contention',
] as const;

/** Id of one alarm that the application stack creates. */
export type WorkerAlarmId = (typeof WORKER_ALARM_IDS)[number];
