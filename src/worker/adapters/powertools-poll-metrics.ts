import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { Clock } from '../../shared/clock.js';
import { pollCycleMetrics, STACK_PREFIX_DIMENSION } from '../domain/metrics.js';
import { countOutcomes, type PollCycleReport } from '../domain/poll-cycle.js';
import type { PollMetrics } from '../ports/poll-metrics.js';

/**
 * Publishes a cycle's counts through Powertools for AWS Lambda's `Metrics`: one embedded metric
 * format line on stdout, which CloudWatch Logs turns into metrics (see domain/metrics.ts for why EMF).
 * The `Metrics` instance carries the `KiroWorker` namespace and no default dimensions (Powertools adds
 * `service` unless cleared), so the metrics are exactly the ones the lock-contention alarm watches.
 */
export class PowertoolsPollMetrics implements PollMetrics {
  constructor(
    private readonly metrics: Metrics,
    private readonly stackPrefix: string,
    private readonly clock: Clock,
  ) {}

  publish(report: PollCycleReport): Promise<void> {
    this.metrics.setTimestamp(this.clock.now());
    this.metrics.addDimension(STACK_PREFIX_DIMENSION, this.stackPrefix);
    for (const metric of pollCycleMetrics(countOutcomes(report))) this.metrics.addMetric(metric.name, MetricUnit.Count, metric.value);
    this.metrics.publishStoredMetrics();
    return Promise.resolve();
  }
}
