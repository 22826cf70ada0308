/**
 * The delivery metrics this project publishes (namespace `KiroCD/Delivery`), and which fact
 * produces which. CodePipeline's own metrics carry no success, failure or rollback rate, so each
 * completed deployment emits a count (1) of its outcome and its duration; the dashboard turns the
 * counts into rates with metric math. The DORA measures are published on a schedule.
 *
 * Pure: this module decides what to measure and returns data; an adapter hands the data to
 * Powertools Metrics, which writes it in CloudWatch's embedded metric format.
 */
import type { DeploymentRecord, EnvironmentName, HistoryEvent } from '../history-model.js';
import { stageRole } from '../stage-names.js';
import type { DoraMeasures } from './dora.js';

/** CloudWatch namespace of the delivery metrics. */
export const DELIVERY_NAMESPACE = 'KiroCD/Delivery';
/** CloudWatch namespace of the build stage's security findings (published by the build stage). */
export const BUILD_NAMESPACE = 'KiroCD/Build';

/** Names of the metrics, shared by the publisher and the dashboard. */
export const DELIVERY_METRICS = {
  duration: 'DeploymentDuration',
  succeeded: 'DeploymentSucceeded',
  failed: 'DeploymentFailed',
  rolledBack: 'DeploymentRolledBack',
  executionSucceeded: 'PipelineExecutionSucceeded',
  executionFailed: 'PipelineExecutionFailed',
  executionDuration: 'PipelineExecutionDuration',
  deploymentFrequency: 'DeploymentFrequency',
  leadTime: 'LeadTimeForChanges',
  timeToRestore: 'TimeToRestore',
  changeFailureRate: 'ChangeFailureRate',
} as const;

/**
 * Dimension names of the delivery metrics. A value with an environment is published under
 * [Pipeline, Environment] and again under [Pipeline] (adapters/aws/powertools-metrics-sink.ts).
 */
export const DELIVERY_DIMENSIONS = { pipeline: 'Pipeline', environment: 'Environment' } as const;

/** One metric value; `environment` adds the Environment dimension next to Pipeline. */
export interface MetricDatum {
  readonly name: string;
  readonly value: number;
  readonly unit: 'Count' | 'Seconds' | 'None';
  readonly pipelineName: string;
  readonly environment?: EnvironmentName;
}

const TERMINAL_STATUS_METRIC = {
  succeeded: DELIVERY_METRICS.succeeded,
  failed: DELIVERY_METRICS.failed,
  'rolled-back': DELIVERY_METRICS.rolledBack,
} as const;

function seconds(from: string, to: string): number {
  return Math.max(0, (Date.parse(to) - Date.parse(from)) / 1000);
}

/** True when this fact is the one that completes a deployment into an environment. */
function completesDeployment(event: HistoryEvent, record: DeploymentRecord): boolean {
  if (record.finishedAt !== event.at) return false;
  if (event.kind === 'rollback') return event.phase === 'succeeded' && record.status === 'rolled-back';
  if (event.kind !== 'stage' || event.environment !== record.environment) return false;
  const role = stageRole(event.stage, [record.environment]).kind;
  return (event.state === 'SUCCEEDED' && role === 'application' && record.status === 'succeeded') || (event.state === 'FAILED' && record.status === 'failed');
}

/**
 * The metrics one newly recorded fact produces, given the execution's records after recording it
 * and its timeline. Only call it for facts recorded for the first time, so a redelivery is not
 * counted twice.
 */
export function metricsForEvent(event: HistoryEvent, records: readonly DeploymentRecord[], timeline: readonly HistoryEvent[]): MetricDatum[] {
  const pipelineName = event.pipelineName;
  if (event.kind === 'execution' && (event.state === 'SUCCEEDED' || event.state === 'FAILED')) {
    const started = timeline[0]?.at ?? event.at;
    return [
      { name: event.state === 'SUCCEEDED' ? DELIVERY_METRICS.executionSucceeded : DELIVERY_METRICS.executionFailed, value: 1, unit: 'Count', pipelineName },
      { name: DELIVERY_METRICS.executionDuration, value: seconds(started, event.at), unit: 'Seconds', pipelineName },
    ];
  }
  return records
    .filter((record) => completesDeployment(event, record))
    .flatMap((record) => {
      if (record.status !== 'succeeded' && record.status !== 'failed' && record.status !== 'rolled-back') return [];
      const environment = record.environment;
      return [
        { name: TERMINAL_STATUS_METRIC[record.status], value: 1, unit: 'Count' as const, pipelineName, environment },
        { name: DELIVERY_METRICS.duration, value: seconds(record.startedAt, event.at), unit: 'Seconds' as const, pipelineName, environment },
      ];
    });
}

/** The DORA measures as metric values (a measure without data is left out, not sent as zero). */
export function doraMetrics(pipelineName: string, measures: DoraMeasures): MetricDatum[] {
  const environment: EnvironmentName = 'production';
  const data: MetricDatum[] = [{ name: DELIVERY_METRICS.deploymentFrequency, value: measures.deploymentsPerDay, unit: 'None', pipelineName, environment }];
  if (measures.leadTimeSeconds !== undefined) data.push({ name: DELIVERY_METRICS.leadTime, value: measures.leadTimeSeconds, unit: 'Seconds', pipelineName, environment });
  if (measures.timeToRestoreSeconds !== undefined) data.push({ name: DELIVERY_METRICS.timeToRestore, value: measures.timeToRestoreSeconds, unit: 'Seconds', pipelineName, environment });
  if (measures.changeFailureRate !== undefined) data.push({ name: DELIVERY_METRICS.changeFailureRate, value: measures.changeFailureRate, unit: 'None', pipelineName, environment });
  return data;
}
