/**
 * The history recorder's Lambda, target of the EventBridge rule on CodePipeline events. It stores
 * every fact (idempotently) and publishes the delivery metrics of facts recorded for the first time.
 *
 * A malformed event is logged with its reason and the handler throws `MalformedInputError`: the
 * event reaches the function asynchronously, so Lambda retries it and then sends it, with the
 * error message attached, to the function's SQS dead-letter queue (docs/observability.md explains
 * why that, and not the EventBridge target's DLQ, is where function errors land).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Environment } from '../../shared/environment.js';
import { MalformedInputError } from '../../shared/errors.js';
import { DynamoDbDeploymentHistory } from '../adapters/aws/dynamodb-deployment-history.js';
import { PowertoolsMetricsSink } from '../adapters/aws/powertools-metrics-sink.js';
import { metricsWithoutDefaultDimensions } from '../../shared/telemetry/powertools-metrics.js';
import { normaliseCodePipelineEvent } from '../domain/history/codepipeline-event.js';
import { foldDeployments } from '../domain/history/deployment-fold.js';
import { DELIVERY_NAMESPACE, metricsForEvent } from '../domain/metrics/delivery-metrics.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import type { DeploymentHistory, RecordResult } from '../ports/deployment-history.js';
import type { HistoryEvent } from '../domain/history-model.js';
import type { MetricsSink } from '../ports/metrics-sink.js';
import { PIPELINE_ENVIRONMENTS, lambdaLog, type Log } from './pipeline-event-common.js';
import { FUNCTION_CALLERS } from '../../shared/aws/callers.js';
import { recordCalls } from '../../shared/aws/call-recorder.js';
import { RECORDER_ENVIRONMENT } from './pipeline-event-environment.js';

/** What the recorder needs. */
export interface RecordPipelineEventDependencies {
  readonly history: DeploymentHistory;
  readonly metrics: MetricsSink;
  readonly clock: Clock;
  readonly log: Log;
}

/** What one invocation did, per history event. */
export interface RecordPipelineEventResult {
  readonly recorded: readonly { readonly eventId: string; readonly result: RecordResult }[];
}

/**
 * False for the facts `metricsForEvent` measures nothing for, whatever the execution's records and
 * timeline (checked for arbitrary ones in pipeline-event-handlers.test.ts): only an execution's
 * end, a stage's end and a rollback's success complete a measured outcome. The recorder skips the
 * timeline read for every other fact, which is most of them (every action and every start).
 */
export function mayProduceMetrics(event: HistoryEvent): boolean {
  if (event.kind === 'execution') return event.state === 'SUCCEEDED' || event.state === 'FAILED';
  if (event.kind === 'stage') return event.state === 'SUCCEEDED' || event.state === 'FAILED';
  if (event.kind === 'rollback') return event.phase === 'succeeded';
  return false;
}

/** Builds the handler from its dependencies. */
export function createHandler(deps: RecordPipelineEventDependencies): (event: unknown) => Promise<RecordPipelineEventResult> {
  return async (raw) => {
    const normalised = normaliseCodePipelineEvent(raw, PIPELINE_ENVIRONMENTS);
    if (normalised.kind === 'rejected') {
      const eventId = typeof raw === 'object' && raw !== null && 'id' in raw ? String(raw.id) : undefined;
      deps.log({ level: 'error', message: 'Rejected a malformed CodePipeline event; it goes to the dead-letter queue.', eventId, reason: normalised.reason });
      throw new MalformedInputError(`Malformed CodePipeline event: ${normalised.reason}`, { eventId });
    }
    if (normalised.kind === 'ignored') {
      deps.log({ level: 'warn', message: 'Nothing to record for a CodePipeline event.', reason: normalised.reason });
      return { recorded: [] };
    }
    const recorded: { eventId: string; result: RecordResult }[] = [];
    for (const event of normalised.events) {
      const result = await deps.history.record(event);
      recorded.push({ eventId: event.eventId, result });
      deps.log({ level: 'info', message: 'Recorded a pipeline fact.', eventId: event.eventId, kind: event.kind, executionId: event.executionId, result });
      // The timeline is read only for the facts that can complete something measured.
      if (result === 'duplicate' || !mayProduceMetrics(event)) continue;
      const timeline = await deps.history.timeline(event.executionId);
      const data = metricsForEvent(event, foldDeployments(timeline), timeline);
      if (data.length > 0) deps.metrics.publish(data, deps.clock.now().getTime());
    }
    return { recorded };
  };
}

/** Powertools for AWS Lambda's metrics (embedded metric format), created once per execution environment. */
const deliveryMetrics = metricsWithoutDefaultDimensions(DELIVERY_NAMESPACE, 'kiro-cd-pipeline');

/** Builds the production dependencies from the Lambda environment. */
export function dependenciesFromEnvironment(environment: Environment): RecordPipelineEventDependencies {
  const { historyTable } = RECORDER_ENVIRONMENT.parse(environment);
  return {
    history: new DynamoDbDeploymentHistory({ client: recordCalls(new DynamoDBClient({}), FUNCTION_CALLERS.recordPipelineEvent, environment), tableName: historyTable, clock: systemClock }),
    metrics: new PowertoolsMetricsSink(deliveryMetrics),
    clock: systemClock,
    log: lambdaLog,
  };
}

let cached: ((event: unknown) => Promise<RecordPipelineEventResult>) | undefined;

/** Lambda entry point; dependencies are built once per cold start. */
export const handler = (event: unknown): Promise<RecordPipelineEventResult> => {
  cached ??= createHandler(dependenciesFromEnvironment(process.env));
  return cached(event);
};
