import type { MetricDatum } from '../domain/build-gates/build-metrics.js';

/** Publishes custom metrics (CloudWatch PutMetricData). */
export interface MetricsPublisher {
  /** Publishes every datum under `namespace`; rejects with a KiroCdError when the service refuses. */
  publish(namespace: string, data: readonly MetricDatum[]): Promise<void>;
}
