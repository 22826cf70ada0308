import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { createPublishBuildMetricsCommand } from '../../../../src/cli/commands/publish-build-metrics.js';
import { RecordingOutput } from '../../../../src/cli/output.js';
import { runCli } from '../../../../src/cli/run-cli.js';
import { CloudWatchMetricsPublisher } from '../../../../src/pipeline/adapters/aws/cloudwatch-metrics-publisher.js';
import type { MetricDatum } from '../../../../src/pipeline/domain/build-gates/build-metrics.js';
import type { Clock } from '../../../../src/shared/clock.js';
import type { MetricsPublisher } from '../../../../src/pipeline/ports/metrics-publisher.js';
import { TransientError } from '../../../../src/shared/errors.js';
import { motoClientConfig, TEST_CREDENTIALS, useFreshMoto } from '../../../support/moto.js';
import { buildToolFixturePath } from '../../pipeline/domain/build-gates/fixture.js';

const clock: Clock = { now: () => new Date(Math.floor(Date.now() / 60_000) * 60_000), sleep: () => Promise.resolve() };

class RecordingPublisher implements MetricsPublisher {
  readonly sent: { namespace: string; data: readonly MetricDatum[] }[] = [];
  constructor(private readonly failure?: Error) {}
  publish(namespace: string, data: readonly MetricDatum[]): Promise<void> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    this.sent.push({ namespace, data });
    return Promise.resolve();
  }
}

const REPORTS = [
  '--junit', buildToolFixturePath('junit', 'failures-and-skips.xml'),
  '--coverage-summary', buildToolFixturePath('coverage', 'all-above-threshold.json'),
  '--audit', buildToolFixturePath('npm-audit', 'high-findings.json'),
  '--eslint', buildToolFixturePath('eslint', 'warnings-only.json'),
];

async function publish(args: string[], publisher: MetricsPublisher) {
  const command = createPublishBuildMetricsCommand({ clock, defaultRegion: () => 'us-east-1', openPublisher: () => publisher });
  const out = new RecordingOutput();
  const code = await runCli([command], ['publish-build-metrics', ...args], { out, env: {}, cwd: process.cwd() });
  return { code, out };
}

describe('kiro-cd publish-build-metrics', () => {
  it('publishes every report as metric data under KiroCD/Build', async () => {
    const publisher = new RecordingPublisher();
    const { code } = await publish(['--pipeline', 'kiro-codebuild-worker', ...REPORTS], publisher);
    expect(code).toBe(0);
    expect(publisher.sent).toHaveLength(1);
    const names = publisher.sent[0]!.data.map((datum) => `${datum.name}:${datum.dimensions.Tool ?? datum.dimensions.Measure ?? ''}:${datum.dimensions.Severity ?? ''}=${String(datum.value)}`);
    expect(publisher.sent[0]!.namespace).toBe('KiroCD/Build');
    expect(names).toContain('TestsFailed::=2');
    expect(names).toContain('CoveragePct:branches:=84.17');
    expect(names).toContain('Findings:npm-audit:high=1');
    expect(names).toContain('Findings:eslint:warning=1');
  });

  it('prints what would be sent on a dry run, and sends nothing', async () => {
    const publisher = new RecordingPublisher();
    const { code, out } = await publish(['--pipeline', 'kiro-codebuild-worker', ...REPORTS, '--dry-run'], publisher);
    expect(code).toBe(0);
    expect(publisher.sent).toEqual([]);
    expect(out.stdout).toContain('Dry run: would publish 14 metrics to KiroCD/Build in us-east-1:');
    expect(out.stdout).toContain('  Findings Pipeline=kiro-codebuild-worker Tool=npm-audit Severity=high = 1 Count');
  });

  it('warns, and keeps the build green, when publishing fails', async () => {
    const { code, out } = await publish(['--pipeline', 'kiro-codebuild-worker', ...REPORTS], new RecordingPublisher(new TransientError('Rate exceeded')));
    expect(code).toBe(0);
    expect(out.stderr).toMatch(/warning: could not publish 14 metrics \(Rate exceeded\); the build result is unchanged/);
  });

  it('skips a missing report with a warning and publishes the rest', async () => {
    const publisher = new RecordingPublisher();
    const { code, out } = await publish(['--pipeline', 'p', '--junit', 'reports/none.xml', '--coverage-summary', buildToolFixturePath('coverage', 'all-above-threshold.json')], publisher);
    expect(code).toBe(0);
    expect(out.stderr).toMatch(/skipping test metrics: reports\/none\.xml does not exist/);
    expect(publisher.sent[0]!.data.map((datum) => datum.name)).toEqual(['CoveragePct', 'CoveragePct', 'CoveragePct', 'CoveragePct']);
  });

  it('counts the policy gates\' unaccepted findings from "kiro-cd policy-gates --output json", and publishes them as not run when the report is unreadable or missing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiro-gates-report-'));
    try {
      writeFileSync(
        join(dir, 'gates.json'),
        JSON.stringify({ verdict: 'fail', templates: [], results: [{ gate: 'cfn-guard', templatesChecked: 3, findings: [{ gate: 'cfn-guard', ruleId: 'KMS_ROTATION', severity: 'error', message: 'no rotation' }] }] }),
      );
      writeFileSync(join(dir, 'other.json'), '[]');
      const publisher = new RecordingPublisher();
      await publish(['--pipeline', 'p', '--gates-report', join(dir, 'gates.json')], publisher);
      expect(publisher.sent[0]!.data.map((datum) => `${datum.dimensions.Tool ?? ''}/${datum.dimensions.Severity ?? ''}=${String(datum.value)}`)).toEqual([
        'cfn-guard/error=1',
        'cfn-guard/warning=0',
        'cfn-guard/info=0',
      ]);
      const unreadable = new RecordingPublisher();
      const skipped = await publish(['--pipeline', 'p', '--gates-report', join(dir, 'other.json')], unreadable);
      expect(skipped.out.stderr).toMatch(/policy gates published as not run: not the JSON that "kiro-cd policy-gates --report-file" writes/);
      // Zeros would look clean: a gates report that cannot be read marks every policy gate as not run.
      expect(unreadable.sent[0]!.data.map((datum) => `${datum.name} ${datum.dimensions.Tool ?? ''}`)).toEqual([
        'ScanNotRun cfn-lint',
        'ScanNotRun cfn-guard',
        'ScanNotRun cdk-nag',
        'ScanNotRun cdk-validation',
      ]);
      const missing = new RecordingPublisher();
      await publish(['--pipeline', 'p', '--gates-report', join(dir, 'absent.json')], missing);
      expect(missing.sent[0]!.data.filter((datum) => datum.name === 'ScanNotRun')).toHaveLength(4);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each([
    { why: 'no --pipeline', args: ['--junit', 'x.xml'] },
    { why: 'no report at all', args: ['--pipeline', 'p'] },
    { why: 'a pipeline name CodePipeline would refuse', args: ['--pipeline', 'has space', '--junit', 'x.xml'] },
  ])('is a usage error with $why', async ({ args }) => {
    expect((await publish(args, new RecordingPublisher())).code).toBe(2);
  });
});

describe('kiro-cd publish-build-metrics against the local emulator', () => {
  useFreshMoto();

  it('sends the metrics through the CloudWatch adapter to the --endpoint-url', async () => {
    const { endpoint } = motoClientConfig();
    const command = createPublishBuildMetricsCommand({
      clock,
      defaultRegion: () => 'us-east-1',
      openPublisher: (config) => new CloudWatchMetricsPublisher(new CloudWatchClient({ ...config, credentials: TEST_CREDENTIALS, maxAttempts: 1 })),
    });
    const out = new RecordingOutput();
    const code = await runCli([command], ['publish-build-metrics', '--pipeline', 'kiro-codebuild-worker', ...REPORTS, '--endpoint-url', endpoint], { out, env: {}, cwd: process.cwd() });
    expect(code).toBe(0);
    expect(out.stdout).toContain('Published 14 metrics to KiroCD/Build in us-east-1.');
    const listed = await new CloudWatchClient(motoClientConfig()).send(new ListMetricsCommand({ Namespace: 'KiroCD/Build', MetricName: 'Findings' }));
    expect(listed.Metrics).toHaveLength(7);
  });
});
