import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../../src/pipeline/domain/history-model.js';
import { buildTimeline, entryForEvent, renderTimelineText } from '../../../src/rehearsal/timeline.js';
import { parseReceivedNotice } from '../../../src/rehearsal/received-notice.js';

describe('parseReceivedNotice', () => {
  it('reads kind and environment from the attributes and the time SQS received it', () => {
    expect(
      parseReceivedNotice({
        Body: 'Rollback started',
        Attributes: { SentTimestamp: '1793008800000' },
        MessageAttributes: { kind: { StringValue: 'rollback-started' }, environment: { StringValue: 'staging' } },
      }),
    ).toEqual({ kind: 'rollback-started', environment: 'staging', text: 'Rollback started', at: '2026-10-26T10:00:00.000Z' });
  });

  it('leaves out the environment of a pipeline-wide notice', () => {
    expect(parseReceivedNotice({ Body: 'x', MessageAttributes: { kind: { StringValue: 'execution-started' }, environment: { StringValue: 'pipeline' } } }).environment).toBeUndefined();
  });

  it('rejects a message without a known kind, hinting at raw delivery', () => {
    expect(() => parseReceivedNotice({ Body: '{"Type":"Notification"}' })).toThrow(/is raw delivery on/);
  });
});

const base = { pipelineName: 'p', executionId: 'e-1' } as const;

describe('entryForEvent', () => {
  it.each<[string, HistoryEvent, string, string]>([
    ['a verdict is a decision', { ...base, kind: 'health-check', eventId: '1', at: '2026-11-10T10:00:00Z', environment: 'staging', verdict: 'fail', reason: 'critical alarm', alarms: [{ name: 'KiroWorker-Staging-poller-errors', severity: 'critical', state: 'ALARM' }, { name: 'ok-one', severity: 'warning', state: 'OK' }] }, 'decided', 'health check fail: critical alarm [KiroWorker-Staging-poller-errors critical ALARM]'],
    ['one poll is a record', { ...base, kind: 'health-check', eventId: '2', at: '2026-11-10T10:00:00Z', environment: 'test', verdict: 'check', reason: 'all OK', alarms: [] }, 'recorded', 'health check check: all OK'],
    ['starting a rollback is a decision', { ...base, kind: 'rollback', eventId: '3', at: '2026-11-10T10:00:00Z', rollbackId: 'r', scope: 'full', phase: 'started', environment: 'test', targetCommitId: 'c'.repeat(40), trigger: 'stage-rollback-failed', reason: 'no target' }, 'decided', 'full rollback started to cccccccc (trigger stage-rollback-failed): no target'],
    ['a finished rollback is a record', { ...base, kind: 'rollback', eventId: '4', at: '2026-11-10T10:00:00Z', rollbackId: 'r', scope: 'stage', phase: 'failed', environment: 'staging', trigger: 'alarm:x', reason: 'no target' }, 'recorded', 'stage rollback failed (trigger alarm:x): no target'],
    ['an approval names who answered', { ...base, kind: 'approval', eventId: '5', at: '2026-11-10T10:00:00Z', environment: 'production', decision: 'approved', actor: 'rehearsal', comment: 'looks good' }, 'recorded', 'approval approved by rehearsal: looks good'],
    ['an execution names its commit and trigger', { ...base, kind: 'execution', eventId: '6', at: '2026-11-10T10:00:00Z', state: 'STARTED', commit: { id: 'd'.repeat(40) }, triggerType: 'Webhook' }, 'recorded', 'execution e-1 STARTED (commit dddddddd) by Webhook'],
    ['a stage is a record', { ...base, kind: 'stage', eventId: '7', at: '2026-11-10T10:00:00Z', stage: 'Test-Application', environment: 'test', state: 'SUCCEEDED' }, 'recorded', 'stage Test-Application SUCCEEDED'],
    ['an action carries its summary', { ...base, kind: 'action', eventId: '8', at: '2026-11-10T10:00:00Z', stage: 'Test-Infrastructure', action: 'Deploy', state: 'FAILED', summary: 'stack failed' }, 'recorded', 'action Test-Infrastructure/Deploy FAILED: stack failed'],
  ])('%s', (_why, event, kind, summary) => {
    expect(entryForEvent(event)).toMatchObject({ kind, summary });
  });
});

describe('buildTimeline', () => {
  it('orders by time, and at the same instant puts cause before effect', () => {
    const timeline = buildTimeline({
      stimuli: [{ at: '2026-11-10T10:00:01.000Z', environment: 'staging', summary: 'set alarm to ALARM' }],
      events: [{ ...base, kind: 'stage', eventId: 's', at: '2026-11-10T10:00:01.000Z', stage: 'Staging-Application', state: 'STARTED' }],
      notices: [{ kind: 'execution-started', text: '\nRelease started: aaaaaaaa\ncommit aaaaaaaa', at: '2026-11-10T10:00:00.500Z' }],
    });
    expect(timeline.map((entry) => entry.kind)).toEqual(['notified', 'fired', 'recorded']);
    expect(timeline[0]?.summary).toBe('notified execution-started: Release started: aaaaaaaa');
    expect(renderTimelineText(timeline)[1]).toBe('     +0.50s  fired     staging     set alarm to ALARM');
  });

  it('says so when nothing happened', () => {
    expect(renderTimelineText([])).toEqual(['  (nothing happened)']);
  });
});
