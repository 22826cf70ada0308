/**
 * The poller's CloudWatch metrics as an embedded metric format (EMF) document: one JSON log line
 * that CloudWatch Logs turns into metrics. Pure: the adapter only writes the line.
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

/** An EMF document: the `_aws` metadata plus one value per metric and the dimension value. */
export type EmbeddedMetricDocument = Readonly<Record<string, unknown>>;

/** Builds the EMF document for one cycle's counts. */
export function embeddedMetricDocument(
  counts: PollCycleCounts,
  stackPrefix: string,
  timestampMs: number,
): EmbeddedMetricDocument {
  const keys = Object.keys(METRIC_NAMES) as (keyof PollCycleCounts)[];
  const values = Object.fromEntries(keys.map((key) => [METRIC_NAMES[key], counts[key]]));
  return {
    _aws: {
      Timestamp: timestampMs,
      CloudWatchMetrics: [
        {
          Namespace: WORKER_METRIC_NAMESPACE,
          Dimensions: [[STACK_PREFIX_DIMENSION]],
          Metrics: keys.map((key) => ({ Name: METRIC_NAMES[key], Unit: 'Count' })),
        },
      ],
    },
    [STACK_PREFIX_DIMENSION]: stackPrefix,
    ...values,
  };
}
