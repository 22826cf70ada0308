import type { MetricDatum } from '../domain/metrics/delivery-metrics.js';

/** Where the delivery Lambdas publish metric values (Powertools Metrics, embedded metric format in their logs). */
export interface MetricsSink {
  /** Publishes the values stamped with `timestamp` (epoch milliseconds). */
  publish(data: readonly MetricDatum[], timestamp: number): void;
}
