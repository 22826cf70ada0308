import { PutMetricDataCommand, type CloudWatchClient, type MetricDatum as SdkMetricDatum } from '@aws-sdk/client-cloudwatch';
import { KiroCdError, TransientError } from '../../../shared/errors.js';
import type { MetricDatum } from '../../domain/build-gates/build-metrics.js';
import type { MetricsPublisher } from '../../ports/metrics-publisher.js';

/** PutMetricData accepts at most 1000 metrics per request (CloudWatch API reference, PutMetricData). */
const MAX_DATA_PER_REQUEST = 1000;

function toSdk(datum: MetricDatum): SdkMetricDatum {
  return {
    MetricName: datum.name,
    Value: datum.value,
    Unit: datum.unit,
    Timestamp: datum.timestamp,
    Dimensions: Object.entries(datum.dimensions).map(([Name, Value]) => ({ Name, Value })),
  };
}

/** Publishes metric data with CloudWatch PutMetricData, in batches the API accepts. */
export class CloudWatchMetricsPublisher implements MetricsPublisher {
  constructor(private readonly client: CloudWatchClient) {}

  async publish(namespace: string, data: readonly MetricDatum[]): Promise<void> {
    for (let start = 0; start < data.length; start += MAX_DATA_PER_REQUEST) {
      const batch = data.slice(start, start + MAX_DATA_PER_REQUEST).map(toSdk);
      try {
        await this.client.send(new PutMetricDataCommand({ Namespace: namespace, MetricData: batch }));
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        const message = error instanceof Error ? error.message : String(error);
        if (name === 'AccessDenied' || name === 'AccessDeniedException') {
          throw new KiroCdError(
            `CloudWatch refused PutMetricData in namespace ${namespace}: ${message}. Grant the build role cloudwatch:PutMetricData (condition cloudwatch:namespace = ${namespace}).`,
            { code: 'METRICS_ACCESS_DENIED', fault: 'user', cause: error, context: { namespace } },
          );
        }
        throw new TransientError(`publishing ${String(batch.length)} metrics to CloudWatch failed (${name}): ${message}`, { namespace }, error);
      }
    }
  }
}
