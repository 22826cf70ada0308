import type { PollCycleReport } from '../domain/poll-cycle.js';

/** Publishes what one poll cycle did, so CloudWatch alarms (lock contention) can watch it. */
export interface PollMetrics {
  publish(report: PollCycleReport): Promise<void>;
}
