/**
 * The poller's CloudWatch metrics: which counts of a poll cycle are measured, under which names.
 * Pure: the adapter (adapters/powertools-poll-metrics.ts) hands them to Powertools Metrics, which
 * writes them as one embedded metric format (EMF) log line that CloudWatch Logs turns into metrics.
 *
 * EMF over PutMetricData because the poller already writes logs: no extra API call (no latency, no
 * throttling, no failure mode inside the poll), no `cloudwatch:PutMetricData` permission (which has
 * no resource-level scoping), and the counts stay next to the log of the cycle that produced them.
 * See https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
import type { PollCycleCounts } from './poll-cycle.js';

/** Namespace of the worker's own metrics. */
export const WORKER_METRIC_NAMESPACE = 'KiroWorker';

/** The metric a lost lock race increments; the `lock-contention` alarm watches it. */
export const LOCK_CONTENTION_METRIC = 'LockContention';

/** The dimension that tells environments apart (their stack prefix). */
export const STACK_PREFIX_DIMENSION = 'StackPrefix';

const METRIC_NAMES: Readonly<Record<keyof PollCycleCounts, string>> = {
  started: 'BuildsStarted',
  contended: LOCK_CONTENTION_METRIC,
  stale: 'StaleCandidates',
  rejected: 'RejectedItems',
  startFailures: 'BuildStartFailures',
  recordConflicts: 'RecordConflicts',
  transientFaults: 'TransientFaults',
};

/** One value of a cycle's metrics: a count under the worker's namespace and the stack prefix dimension. */
export interface PollCycleMetric {
  readonly name: string;
  readonly value: number;
}

/** The metrics of one cycle's counts, every count included (zeros too, so an alarm sees "0", not missing data). */
export function pollCycleMetrics(counts: PollCycleCounts): PollCycleMetric[] {
  const keys = Object.keys(METRIC_NAMES) as (keyof PollCycleCounts)[];
  return keys.map((key) => ({ name: METRIC_NAMES[key], value: counts[key] }));
}
