import { embeddedMetricDocuments, type MetricDatum } from '../../domain/metrics/delivery-metrics.js';
import type { MetricsSink } from '../../ports/metrics-sink.js';

/**
 * `MetricsSink` writing CloudWatch embedded-metric-format lines: Lambda ships its stdout to
 * CloudWatch Logs, which extracts the metrics, so publishing needs no API call and no permission.
 */
export class EmfMetricsSink implements MetricsSink {
  /** @param write receives one JSON document per line (the Lambda's stdout in production). */
  constructor(private readonly write: (line: string) => void) {}

  publish(data: readonly MetricDatum[], timestamp: number): void {
    for (const document of embeddedMetricDocuments(data, timestamp)) this.write(JSON.stringify(document));
  }
}
