import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENT_NAMES } from '../../../../../src/shared/config/schema.js';
import { normaliseCodePipelineEvent } from '../../../../../src/pipeline/domain/history/codepipeline-event.js';
import { foldDeployments } from '../../../../../src/pipeline/domain/history/deployment-fold.js';
import type { HistoryEvent } from '../../../../../src/pipeline/domain/history-model.js';

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(new URL(`../../../../fixtures/events/${name}`, import.meta.url), 'utf8'));
}

function accepted(raw: unknown): readonly HistoryEvent[] {
  const result = normaliseCodePipelineEvent(raw, ENVIRONMENT_NAMES);
  if (result.kind !== 'accepted') throw new Error(`rejected: ${result.reason}`);
  return result.events;
}

/** A raw event as EventBridge delivers it, loosely typed so a test can break it on purpose. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a test corrupts arbitrary fields
type RawEvent = Record<string, any>;

const succeeded = fixture('codepipeline-execution-succeeded.json') as unknown[];

describe('normaliseCodePipelineEvent', () => {
  it('takes the commit, its author and time from a connection trigger', () => {
    expect(accepted(succeeded[0])).toEqual([
      expect.objectContaining({
        kind: 'execution',
        state: 'STARTED',
        executionId: '4f9c2a1e-7b3d-4c8e-9a10-2d5e6f7a8b9c',
        commit: {
          id: '3f2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a090',
          message: 'Poller: back off when the lock is contended',
          author: 'Ada Lovelace',
          committedAt: '2026-01-05T08:41:07Z',
          url: 'https://github.com/kiro-dev/kiro-codebuild-worker/commit/3f2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a090',
        },
      }),
    ]);
  });

  it('takes the commit from the source action result when the trigger is manual', () => {
    const [started] = accepted(fixture('codepipeline-pipeline-started-manual.json'));
    expect(started).toMatchObject({ kind: 'execution', triggerType: 'StartPipelineExecution' });
    expect(started).not.toHaveProperty('commit');
    const source = accepted(succeeded[3])[0];
    expect(source).toMatchObject({
      kind: 'action',
      category: 'Source',
      commit: { id: '3f2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a090', message: 'Poller: back off when the lock is contended' },
    });
  });

  it('maps environment stages to their environment and leaves pipeline stages without one', () => {
    const stages = succeeded.flatMap((raw) => accepted(raw)).filter((event) => event.kind === 'stage');
    expect(stages.find((event) => event.stage === 'Build')).not.toHaveProperty('environment');
    expect(stages.find((event) => event.stage === 'Staging-Application')).toMatchObject({ environment: 'staging' });
  });

  it('adds an approval audit event for manual approval actions', () => {
    const approvals = succeeded.flatMap((raw) => accepted(raw)).filter((event) => event.kind === 'approval');
    expect(approvals.map((event) => [event.decision, event.environment])).toEqual([
      ['requested', 'production'],
      ['approved', 'production'],
    ]);
  });

  it('accepts the documented RESUMED and ABANDONED shapes', () => {
    expect(accepted(fixture('codepipeline-stage-resumed.json'))[0]).toMatchObject({ kind: 'stage', state: 'RESUMED' });
    expect(accepted(fixture('codepipeline-action-abandoned.json'))[0]).toMatchObject({ kind: 'action', state: 'ABANDONED' });
  });

  it('folds a whole real-shaped execution into three successful deployments', () => {
    const records = foldDeployments(succeeded.flatMap((raw) => accepted(raw)));
    expect(records.map((record) => [record.environment, record.status, record.health])).toEqual([
      ['production', 'succeeded', 'passed'],
      ['staging', 'succeeded', 'passed'],
      ['test', 'succeeded', 'passed'],
    ]);
  });

  it.each<{ why: string; mutate: (event: RawEvent) => unknown; reason: RegExp }>([
    { why: 'not an object at all', mutate: () => 'hello', reason: /expected object/ },
    { why: 'another service', mutate: (event) => ({ ...event, source: 'aws.codebuild' }), reason: /^source: must be "aws.codepipeline"/ },
    { why: 'an unknown detail type', mutate: (event) => ({ ...event, 'detail-type': 'CodePipeline Thing' }), reason: /^detail-type: must be one of/ },
    { why: 'a time that is not ISO-8601', mutate: (event) => ({ ...event, time: 'yesterday' }), reason: /^time: must be an ISO-8601 time/ },
    { why: 'a missing execution id', mutate: (event) => ({ ...event, detail: { ...event.detail, 'execution-id': undefined } }), reason: /^detail\.execution-id/ },
    { why: 'a state that is not a string', mutate: (event) => ({ ...event, detail: { ...event.detail, state: 42 } }), reason: /^detail\.state/ },
    { why: 'an unmodelled state with another bad field', mutate: (event) => ({ ...event, detail: { ...event.detail, state: 'SKIPPED', 'execution-id': undefined } }), reason: /detail\.execution-id/ },
  ])('rejects $why with a reason naming the field', ({ mutate, reason }) => {
    const result = normaliseCodePipelineEvent(mutate(structuredClone(succeeded[0]) as RawEvent), ENVIRONMENT_NAMES);
    expect(result.kind).toBe('rejected');
    expect(result.kind === 'rejected' ? result.reason : '').toMatch(reason);
  });

  it('ignores, without rejecting, a well-formed event in a state no history fact stands for (such as a skipped stage)', () => {
    const stage = structuredClone(succeeded.find((event) => (event as RawEvent)['detail-type'] === 'CodePipeline Stage Execution State Change')) as RawEvent;
    stage.detail.state = 'SKIPPED';
    const result = normaliseCodePipelineEvent(stage, ENVIRONMENT_NAMES);
    expect(result).toEqual({ kind: 'ignored', reason: 'a "CodePipeline Stage Execution State Change" event in state SKIPPED, which no history fact stands for' });
  });

  it('never echoes field values in a rejection reason', () => {
    const event = structuredClone(succeeded[0]) as RawEvent;
    event.detail.state = 'ghp_secretTokenValue';
    const result = normaliseCodePipelineEvent(event, ENVIRONMENT_NAMES);
    expect(result.kind === 'rejected' ? result.reason : '').not.toContain('ghp_secretTokenValue');
  });
});
