import { afterEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsMetricsSink } from '../../../../src/pipeline/adapters/aws/powertools-metrics-sink.js';
import { DELIVERY_NAMESPACE } from '../../../../src/pipeline/domain/metrics/delivery-metrics.js';
import { metricsWithoutDefaultDimensions } from '../../../../src/shared/telemetry/powertools-metrics.js';

/** What Powertools writes to stdout while `act` runs, one parsed JSON document per line. */
function stdoutDocuments(act: () => void): Record<string, unknown>[] {
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    written.push(String(chunk));
    return true;
  });
  act();
  vi.restoreAllMocks();
  return written.join('').split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('PowertoolsMetricsSink', () => {
  const at = Date.parse('2026-12-07T10:00:00Z');

  it('publishes an environment value under [Pipeline, Environment] and [Pipeline], with no service dimension (the documents the dashboard and alarms read)', () => {
    const sink = new PowertoolsMetricsSink(metricsWithoutDefaultDimensions(DELIVERY_NAMESPACE, 'test'));
    const documents = stdoutDocuments(() => { sink.publish([{ name: 'DeploymentFailed', value: 1, unit: 'Count', pipelineName: 'kiro', environment: 'test' }], at); });
    // Exactly what the hand-written EMF wrote before Powertools (the former embeddedMetricDocuments test).
    expect(documents).toEqual([
      {
        _aws: { Timestamp: at, CloudWatchMetrics: [{ Namespace: 'KiroCD/Delivery', Dimensions: [['Pipeline', 'Environment'], ['Pipeline']], Metrics: [{ Name: 'DeploymentFailed', Unit: 'Count' }] }] },
        Pipeline: 'kiro',
        Environment: 'test',
        DeploymentFailed: 1,
      },
    ]);
  });

  it('writes one document per value, each with its own unit, and a pipeline-wide value under [Pipeline] only', () => {
    const sink = new PowertoolsMetricsSink(metricsWithoutDefaultDimensions(DELIVERY_NAMESPACE, 'test'));
    const documents = stdoutDocuments(() => { sink.publish(
        [
          { name: 'PipelineExecutionSucceeded', value: 1, unit: 'Count', pipelineName: 'kiro' },
          { name: 'PipelineExecutionDuration', value: 312.5, unit: 'Seconds', pipelineName: 'kiro' },
          { name: 'ChangeFailureRate', value: 0.25, unit: 'None', pipelineName: 'kiro', environment: 'production' },
        ],
        at,
      ); },
    );
    expect(documents.map((document) => (document._aws as { CloudWatchMetrics: unknown[] }).CloudWatchMetrics[0])).toEqual([
      { Namespace: 'KiroCD/Delivery', Dimensions: [['Pipeline']], Metrics: [{ Name: 'PipelineExecutionSucceeded', Unit: 'Count' }] },
      { Namespace: 'KiroCD/Delivery', Dimensions: [['Pipeline']], Metrics: [{ Name: 'PipelineExecutionDuration', Unit: 'Seconds' }] },
      { Namespace: 'KiroCD/Delivery', Dimensions: [['Pipeline', 'Environment'], ['Pipeline']], Metrics: [{ Name: 'ChangeFailureRate', Unit: 'None' }] },
    ]);
    expect(documents[1]).toMatchObject({ Pipeline: 'kiro', PipelineExecutionDuration: 312.5 });
    expect(documents[0]).not.toHaveProperty('Environment');
  });
});
