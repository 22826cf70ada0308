import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { DELIVERY_DIMENSIONS, type MetricDatum } from '../../domain/metrics/delivery-metrics.js';
import type { MetricsSink } from '../../ports/metrics-sink.js';

const UNITS: Readonly<Record<MetricDatum['unit'], (typeof MetricUnit)[keyof typeof MetricUnit]>> = { Count: MetricUnit.Count, Seconds: MetricUnit.Seconds, None: MetricUnit.NoUnit };

/**
 * `MetricsSink` through Powertools for AWS Lambda's `Metrics`, which writes CloudWatch embedded
 * metric format (EMF) lines to stdout; CloudWatch Logs extracts the metrics from the function's log,
 * so publishing needs no API call and no `cloudwatch:PutMetricData` permission.
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 *
 * One EMF document per datum, as the dashboard and alarms expect: a value with an environment is
 * published under [Pipeline, Environment] and again under [Pipeline], so pipeline-wide alarms need
 * no metric math. The `Metrics` instance must have no default dimensions (Powertools adds
 * `service` unless cleared), or every metric would be a different one from what the alarms watch.
 */
export class PowertoolsMetricsSink implements MetricsSink {
  constructor(private readonly metrics: Metrics) {}

  publish(data: readonly MetricDatum[], timestamp: number): void {
    for (const datum of data) {
      this.metrics.setTimestamp(timestamp);
      this.metrics.addDimension(DELIVERY_DIMENSIONS.pipeline, datum.pipelineName);
      if (datum.environment !== undefined) {
        this.metrics.addDimension(DELIVERY_DIMENSIONS.environment, datum.environment);
        this.metrics.addDimensions({ [DELIVERY_DIMENSIONS.pipeline]: datum.pipelineName });
      }
      this.metrics.addMetric(datum.name, UNITS[datum.unit], datum.value);
      this.metrics.publishStoredMetrics();
    }
  }
}
