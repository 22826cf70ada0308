import type { AlarmReading } from '../domain/health/health-verdict.js';

/**
 * Reads the current state of CloudWatch alarms (in the environment's account, through its observer role).
 * An alarm that does not exist comes back as `MISSING`; a read that fails as a whole (throttling,
 * access denied, network) throws, and the caller fails closed.
 */
export interface AlarmReader {
  /** One reading per requested name, in any order. */
  read(alarmNames: readonly string[]): Promise<AlarmReading[]>;
}
