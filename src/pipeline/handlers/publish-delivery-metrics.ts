/**
 * The scheduled Lambda that computes the DORA measures from the history (last 30 days) and
 * publishes them through Powertools Metrics (embedded metric format).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Environment } from '../../shared/environment.js';
import { DynamoDbDeploymentHistory } from '../adapters/aws/dynamodb-deployment-history.js';
import { PowertoolsMetricsSink } from '../adapters/aws/powertools-metrics-sink.js';
import { metricsWithoutDefaultDimensions } from '../../shared/telemetry/powertools-metrics.js';
import { DELIVERY_NAMESPACE, doraMetrics, type MetricDatum } from '../domain/metrics/delivery-metrics.js';
import { computeDora } from '../domain/metrics/dora.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import type { DeploymentHistory } from '../ports/deployment-history.js';
import type { MetricsSink } from '../ports/metrics-sink.js';
import { FUNCTION_CALLERS } from '../../shared/aws/callers.js';
import { recordCalls } from '../../shared/aws/call-recorder.js';
import { DORA_PUBLISHER_ENVIRONMENT } from './pipeline-event-environment.js';

/** The window the DORA measures cover. */
export const DORA_WINDOW_DAYS = 30;

/** What the publisher needs. */
export interface PublishDeliveryMetricsDependencies {
  readonly pipelineName: string;
  readonly history: DeploymentHistory;
  readonly metrics: MetricsSink;
  readonly clock: Clock;
}

/** Builds the handler from its dependencies; it returns what it published. */
export function createHandler(deps: PublishDeliveryMetricsDependencies): () => Promise<readonly MetricDatum[]> {
  return async () => {
    const to = deps.clock.now();
    const from = new Date(to.getTime() - DORA_WINDOW_DAYS * 86_400_000);
    // Deployments that finish inside the window may have started up to a day before it.
    const records = await deps.history.list({ environment: 'production', from: new Date(from.getTime() - 86_400_000), to });
    const data = doraMetrics(deps.pipelineName, computeDora(records, { from, to }));
    deps.metrics.publish(data, to.getTime());
    return data;
  };
}

/** Powertools for AWS Lambda's metrics (embedded metric format), created once per execution environment. */
const deliveryMetrics = metricsWithoutDefaultDimensions(DELIVERY_NAMESPACE, 'kiro-cd-pipeline');

/** Builds the production dependencies from the Lambda environment. */
export function dependenciesFromEnvironment(environment: Environment): PublishDeliveryMetricsDependencies {
  const settings = DORA_PUBLISHER_ENVIRONMENT.parse(environment);
  return {
    pipelineName: settings.pipelineName,
    history: new DynamoDbDeploymentHistory({ client: recordCalls(new DynamoDBClient({}), FUNCTION_CALLERS.publishDeliveryMetrics, environment), tableName: settings.historyTable, clock: systemClock }),
    metrics: new PowertoolsMetricsSink(deliveryMetrics),
    clock: systemClock,
  };
}

let cached: (() => Promise<readonly MetricDatum[]>) | undefined;

/** Lambda entry point (EventBridge schedule); dependencies are built once per cold start. */
export const handler = (): Promise<readonly MetricDatum[]> => {
  cached ??= createHandler(dependenciesFromEnvironment(process.env));
  return cached();
};
