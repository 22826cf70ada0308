import type { EnvironmentName } from '../domain/history-model.js';
import type { FiredCriticalAlarm } from '../domain/health/health-verdict.js';

/** The bake that is running in an environment: which execution, and the token that wakes it. */
export interface ActiveBake {
  readonly environment: EnvironmentName;
  readonly executionId: string;
  /** ISO-8601 start of the bake. */
  readonly startedAt: string;
  /** Task token of the monitor's current watch (sleep) step, if it is asleep. */
  readonly watchToken?: string;
}

/**
 * Signals between the alarm-event handler and the health monitor, kept in DynamoDB so they survive
 * between Lambda invocations. Both sides write first and read second (strongly consistent), so a
 * critical alarm is never lost between a poll and the next sleep.
 */
export interface HealthSignals {
  /** Records the start of a bake for an execution (replaces any earlier bake of the environment). */
  startBake(bake: Omit<ActiveBake, 'watchToken'>): Promise<void>;
  /** Stores the token of the watch step that is about to sleep. */
  armWatch(environment: EnvironmentName, executionId: string, token: string): Promise<void>;
  /** The bake running in the environment, if any. */
  activeBake(environment: EnvironmentName): Promise<ActiveBake | undefined>;
  /** Remembers that a critical alarm fired while `executionId` was being deployed or baked. Idempotent. */
  markCritical(environment: EnvironmentName, executionId: string, alarm: FiredCriticalAlarm): Promise<void>;
  /** Critical alarms that fired for the execution. */
  firedCritical(environment: EnvironmentName, executionId: string): Promise<FiredCriticalAlarm[]>;
}
