import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MalformedInputError } from '../../../../src/shared/errors.js';
import type { MetricDatum } from '../../../../src/pipeline/domain/metrics/delivery-metrics.js';
import type { Clock } from '../../../../src/shared/clock.js';
import { createHandler as createNotifier } from '../../../../src/pipeline/handlers/notify-pipeline-event.js';
import { createHandler as createPublisher } from '../../../../src/pipeline/handlers/publish-delivery-metrics.js';
import { createHandler as createRecorder } from '../../../../src/pipeline/handlers/record-pipeline-event.js';
import { createHandler as createCommitStatus } from '../../../../src/pipeline/handlers/update-commit-status.js';
import type { CommitStatusUpdate } from '../../../../src/pipeline/ports/commit-status.js';
import { InMemoryDeploymentHistory } from '../../../support/fakes/in-memory-deployment-history.js';
import { InMemoryNotifier } from '../../../support/fakes/in-memory-notifier.js';

const failedRun = JSON.parse(readFileSync(new URL('../../../fixtures/events/codepipeline-execution-failed.json', import.meta.url), 'utf8')) as Record<string, unknown>[];
const succeededRun = JSON.parse(readFileSync(new URL('../../../fixtures/events/codepipeline-execution-succeeded.json', import.meta.url), 'utf8')) as Record<string, unknown>[];
const clock: Clock = { now: () => new Date('2026-01-06T00:00:00Z'), sleep: () => Promise.resolve() };

/** The in-memory history, counting the reads that cost a query (timeline) or a key lookup (summary) on DynamoDB. */
class CountingHistory extends InMemoryDeploymentHistory {
  readonly reads = { timeline: 0, summary: 0 };

  override timeline(executionId: string): ReturnType<InMemoryDeploymentHistory['timeline']> {
    this.reads.timeline += 1;
    return super.timeline(executionId);
  }

  override summary(executionId: string): ReturnType<InMemoryDeploymentHistory['summary']> {
    this.reads.summary += 1;
    return super.summary(executionId);
  }
}

function recorderWorld(): { history: InMemoryDeploymentHistory; published: MetricDatum[]; logs: Record<string, unknown>[]; handler: ReturnType<typeof createRecorder> } {
  const history = new InMemoryDeploymentHistory();
  const published: MetricDatum[] = [];
  const logs: Record<string, unknown>[] = [];
  const handler = createRecorder({ history, clock, metrics: { publish: (data) => published.push(...data) }, log: (entry) => logs.push(entry) });
  return { history, published, logs, handler };
}

describe('record-pipeline-event handler', () => {
  it('records each fact once and counts each completed deployment once, redeliveries included', async () => {
    const { history, published, handler } = recorderWorld();
    for (const event of [...failedRun, ...failedRun]) await handler(event);
    expect(history.allEvents()).toHaveLength(failedRun.length);
    expect(published.map((datum) => datum.name).sort()).toEqual(['DeploymentDuration', 'DeploymentFailed', 'PipelineExecutionDuration', 'PipelineExecutionFailed']);
  });

  it('logs the reason of a malformed event and throws so Lambda dead-letters it', async () => {
    const { history, logs, handler } = recorderWorld();
    const broken = { ...failedRun[0], detail: { state: 'STARTED' } };
    await expect(handler(broken)).rejects.toBeInstanceOf(MalformedInputError);
    expect(logs).toEqual([expect.objectContaining({ level: 'error', reason: expect.stringMatching(/^detail\.pipeline/) })]);
    expect(history.allEvents()).toEqual([]);
  });

  it('reads the timeline only for the facts that can complete a measured outcome, not once per fact', async () => {
    const history = new CountingHistory();
    const published: MetricDatum[] = [];
    const handler = createRecorder({ history, clock, metrics: { publish: (data) => published.push(...data) }, log: () => undefined });
    for (const event of failedRun) await handler(event);
    // failedRun's measured facts: the failed Test-Application stage, the failed execution, and the three stages that succeeded before.
    expect(history.reads.timeline).toBe(5);
    expect(history.reads.timeline).toBeLessThan(failedRun.length);
    expect(published.map((datum) => datum.name).sort()).toEqual(['DeploymentDuration', 'DeploymentFailed', 'PipelineExecutionDuration', 'PipelineExecutionFailed']);
  });

  it('records nothing for a stage state no history fact stands for, and does not dead-letter it', async () => {
    const { history, logs, handler } = recorderWorld();
    const stage = failedRun.find((event) => event['detail-type'] === 'CodePipeline Stage Execution State Change')!;
    const skipped = { ...stage, detail: { ...(stage.detail as Record<string, unknown>), state: 'SKIPPED' } };
    await expect(handler(skipped)).resolves.toEqual({ recorded: [] });
    expect(logs).toEqual([expect.objectContaining({ level: 'warn', reason: expect.stringMatching(/in state SKIPPED/) })]);
    expect(history.allEvents()).toEqual([]);
  });
});

describe('notify-pipeline-event handler', () => {
  it('names the commit and the failed action, read from the history, in the failure notices', async () => {
    const { history, handler: record } = recorderWorld();
    const notifier = new InMemoryNotifier();
    const notify = createNotifier({ history, notifier, region: 'us-east-1', log: () => undefined });
    for (const event of failedRun) {
      await record(event);
      await notify(event);
    }
    expect(notifier.notices.map((notice) => notice.kind)).toEqual(['execution-started', 'stage-succeeded', 'stage-succeeded', 'stage-succeeded', 'stage-failed', 'deployment-failed']);
    const failed = notifier.ofKind('deployment-failed')[0]!;
    expect(failed).toMatchObject({
      environment: 'test',
      stage: 'Test-Application',
      reason: 'Action Deploy in stage Test-Application failed: Deployment d-C3XYEM1QF failed',
      commit: { id: '3f2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a090', author: 'Ada Lovelace' },
    });
    expect(failed.link).toContain('/codesuite/codepipeline/pipelines/kiro-codebuild-worker/executions/9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d/');
  });

  it('reads no history for facts that give no notice, and only the summary for those that do', async () => {
    const history = new CountingHistory();
    const recordInto = createRecorder({ history, clock, metrics: { publish: () => undefined }, log: () => undefined });
    const notifier = new InMemoryNotifier();
    const notify = createNotifier({ history, notifier, region: 'us-east-1', log: () => undefined });
    for (const event of failedRun) await recordInto(event);
    const recorderReads = history.reads.timeline;
    for (const event of failedRun) await notify(event);
    expect(history.reads.timeline - recorderReads).toBe(0);
    expect(history.reads.summary).toBe(notifier.notices.length);
    expect(notifier.notices.length).toBeLessThan(failedRun.length);
  });

  it('asks for the production approval', async () => {
    const notifier = new InMemoryNotifier();
    const notify = createNotifier({ history: new InMemoryDeploymentHistory(), notifier, region: 'us-east-1', log: () => undefined });
    for (const event of succeededRun) await notify(event);
    expect(notifier.ofKind('approval-needed')).toEqual([expect.objectContaining({ environment: 'production', stage: 'Approve-Production' })]);
    expect(notifier.ofKind('deployment-succeeded')).toHaveLength(1);
  });
});

describe('update-commit-status handler', () => {
  it('reads the commit from the execution summary (one item), never the whole timeline', async () => {
    const history = new CountingHistory();
    const recordInto = createRecorder({ history, clock, metrics: { publish: () => undefined }, log: () => undefined });
    for (const event of failedRun) await recordInto(event);
    const recorderReads = history.reads.timeline;
    const published: { commitId: string; status: CommitStatusUpdate }[] = [];
    const update = createCommitStatus({ history, statuses: { publish: (commitId, status) => { published.push({ commitId, status }); return Promise.resolve(); } }, region: 'us-east-1', log: () => undefined });
    const outcomes = (await Promise.all(failedRun.map((event) => update(event)))).flat();
    const set = outcomes.filter((outcome) => outcome.kind === 'set');
    expect(set.length).toBeGreaterThan(0);
    expect(published.every((entry) => entry.commitId === '3f2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a090')).toBe(true);
    expect(history.reads.timeline - recorderReads).toBe(0);
    expect(history.reads.summary).toBe(set.length);
  });
});

describe('publish-delivery-metrics handler', () => {
  it('publishes the DORA measures of the last 30 days', async () => {
    const { history, handler: record } = recorderWorld();
    for (const event of succeededRun) await record(event);
    const published: MetricDatum[] = [];
    const data = await createPublisher({ pipelineName: 'kiro-codebuild-worker', history, clock, metrics: { publish: (values) => published.push(...values) } })();
    expect(published).toEqual(data);
    expect(data.find((datum) => datum.name === 'LeadTimeForChanges')?.value).toBe(45 * 60 + 4);
    expect(data.find((datum) => datum.name === 'ChangeFailureRate')?.value).toBe(0);
  });
});
