import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import { CloudWatchMetricsPublisher } from '../../../../src/pipeline/adapters/aws/cloudwatch-metrics-publisher.js';
import { BUILD_METRICS_NAMESPACE, type MetricDatum } from '../../../../src/pipeline/domain/build-gates/build-metrics.js';
import { KiroCdError, TransientError } from '../../../../src/shared/errors.js';
import { motoClientConfig, useFreshMoto } from '../../../support/moto.js';

const AT = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000);

function datum(name: string, value: number, dimensions: Record<string, string>, unit: MetricDatum['unit'] = 'Count'): MetricDatum {
  return { name, value, unit, dimensions: { Pipeline: 'kiro-codebuild-worker', ...dimensions }, timestamp: AT };
}

describe('CloudWatchMetricsPublisher against the local emulator', () => {
  useFreshMoto();

  it('publishes data that reads back with its dimensions and values', async () => {
    const client = new CloudWatchClient(motoClientConfig());
    await new CloudWatchMetricsPublisher(client).publish(BUILD_METRICS_NAMESPACE, [
      datum('TestsPassed', 41, {}),
      datum('CoveragePct', 87.5, { Measure: 'branches' }, 'Percent'),
      datum('Findings', 2, { Tool: 'npm-audit', Severity: 'high' }),
    ]);

    const listed = await client.send(new ListMetricsCommand({ Namespace: BUILD_METRICS_NAMESPACE }));
    expect((listed.Metrics ?? []).map((metric) => metric.MetricName).sort()).toEqual(['CoveragePct', 'Findings', 'TestsPassed']);

    const read = await client.send(
      new GetMetricDataCommand({
        StartTime: new Date(AT.getTime() - 300_000),
        EndTime: new Date(AT.getTime() + 300_000),
        MetricDataQueries: [
          {
            Id: 'high',
            MetricStat: {
              Metric: {
                Namespace: BUILD_METRICS_NAMESPACE,
                MetricName: 'Findings',
                Dimensions: [
                  { Name: 'Pipeline', Value: 'kiro-codebuild-worker' },
                  { Name: 'Tool', Value: 'npm-audit' },
                  { Name: 'Severity', Value: 'high' },
                ],
              },
              Period: 60,
              Stat: 'Maximum',
            },
          },
          {
            Id: 'branches',
            MetricStat: {
              Metric: {
                Namespace: BUILD_METRICS_NAMESPACE,
                MetricName: 'CoveragePct',
                Dimensions: [
                  { Name: 'Pipeline', Value: 'kiro-codebuild-worker' },
                  { Name: 'Measure', Value: 'branches' },
                ],
              },
              Period: 60,
              Stat: 'Maximum',
            },
          },
        ],
      }),
    );
    const values = Object.fromEntries((read.MetricDataResults ?? []).map((result) => [result.Id, result.Values]));
    expect(values).toEqual({ high: [2], branches: [87.5] });
  });

  it('sends more than 1000 data in batches the API accepts', async () => {
    // The SDK gzips PutMetricData bodies over 10 KB; moto answers those with HTTP 500, so this one
    // client sends them uncompressed. CloudWatch itself accepts both.
    const client = new CloudWatchClient({ ...motoClientConfig(), disableRequestCompression: true });
    const sends: number[] = [];
    client.middlewareStack.add(
      (next) => async (args) => {
        const input = args.input as { MetricData?: unknown[] };
        sends.push(input.MetricData?.length ?? 0);
        return next(args);
      },
      { step: 'initialize' },
    );
    const data = Array.from({ length: 1001 }, (_, index) => datum('Findings', index, { Tool: `tool-${String(index)}`, Severity: 'low' }));
    await new CloudWatchMetricsPublisher(client).publish(BUILD_METRICS_NAMESPACE, data);
    expect(sends).toEqual([1000, 1]);
  });
});

describe('CloudWatchMetricsPublisher faults the emulator cannot produce', () => {
  it.each([
    { error: Object.assign(new Error('Rate exceeded'), { name: 'Throttling' }), type: TransientError, message: /failed \(Throttling\)/ },
    { error: Object.assign(new Error('not authorized'), { name: 'AccessDenied' }), type: KiroCdError, message: /Grant the build role cloudwatch:PutMetricData/ },
  ])('maps $error.name', async ({ error, type, message }) => {
    const client = new CloudWatchClient(motoClientConfig());
    const mock = mockClient(client);
    mock.on(PutMetricDataCommand).rejects(error);
    const attempt = new CloudWatchMetricsPublisher(client).publish(BUILD_METRICS_NAMESPACE, [datum('TestsPassed', 1, {})]);
    await expect(attempt).rejects.toBeInstanceOf(type);
    await expect(attempt).rejects.toThrow(message);
    mock.restore();
  });
});
