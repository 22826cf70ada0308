import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * A Powertools `Metrics` instance for one namespace with **no default dimensions**. Powertools
 * adds a `service` dimension to every metric by default; CloudWatch treats each combination of
 * dimensions as a different metric, so that extra dimension would leave the dashboards and alarms
 * (which watch [Pipeline], [Pipeline, Environment], [StackPrefix]) looking at metrics nobody writes.
 * Create it once per execution environment (module scope of the entry point).
 */
export function metricsWithoutDefaultDimensions(namespace: string, serviceName: string): Metrics {
  const metrics = new Metrics({ namespace, serviceName });
  metrics.clearDefaultDimensions();
  return metrics;
}
