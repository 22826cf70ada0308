import { describe, expect, it } from 'vitest';
import type { HistoryEvent } from '../../../../src/pipeline/domain/history-model.js';
import { scenarioTimelineFromEntries } from '../../../../src/rehearsal/report/timeline-from-entries.js';
import { buildTimeline } from '../../../../src/rehearsal/timeline.js';
import { at } from '../../../support/scenario-timelines.js';

const base = { pipelineName: 'kiro-cd' } as const;
let id = 0;
function event(executionId: string, seconds: number, fact: Record<string, unknown>): HistoryEvent {
  id += 1;
  return { ...base, executionId, eventId: `event-${id}`, at: at(seconds), ...fact } as HistoryEvent;
}

/** A release whose staging bake fails, then a stage rollback (reported as ManualRollback) that runs the stage again. */
const events: HistoryEvent[] = [
  event('release', 0, { kind: 'execution', state: 'STARTED', triggerType: 'Webhook', commit: { id: 'a'.repeat(40) } }),
  event('release', 1, { kind: 'stage', stage: 'Build', state: 'STARTED' }),
  event('release', 20, { kind: 'action', stage: 'Build', action: 'Build', state: 'SUCCEEDED' }),
  event('release', 25, { kind: 'action', stage: 'Build', action: 'Detect-Changes', state: 'SUCCEEDED', summary: 'infrastructure unchanged' }),
  event('release', 25, { kind: 'stage', stage: 'Build', state: 'SUCCEEDED' }),
  event('release', 30, { kind: 'stage', stage: 'Staging-Application', environment: 'staging', state: 'STARTED' }),
  event('release', 40, { kind: 'action', stage: 'Staging-Application', action: 'Deploy', environment: 'staging', state: 'SUCCEEDED' }),
  event('release', 55, { kind: 'health-check', environment: 'staging', verdict: 'check', reason: 'all OK', alarms: [] }),
  event('release', 70, { kind: 'health-check', environment: 'staging', verdict: 'fail', reason: 'critical alarm', alarms: [{ name: 'worker-errors-staging', severity: 'critical', state: 'ALARM' }, { name: 'quiet', severity: 'warning', state: 'OK' }] }),
  event('release', 71, { kind: 'action', stage: 'Staging-Application', action: 'Health-Check', environment: 'staging', state: 'FAILED', summary: 'critical alarm' }),
  event('release', 72, { kind: 'rollback', rollbackId: 'r', scope: 'stage', phase: 'started', environment: 'staging', trigger: 'alarm:worker-errors-staging', reason: 'critical alarm' }),
  event('rollback', 73, { kind: 'execution', state: 'STARTED', triggerType: 'ManualRollback' }),
  event('rollback', 74, { kind: 'stage', stage: 'Staging-Application', environment: 'staging', state: 'STARTED' }),
  event('rollback', 80, { kind: 'action', stage: 'Staging-Application', action: 'Approve-Like', environment: 'staging', state: 'STARTED' }),
  event('release', 90, { kind: 'approval', environment: 'production', decision: 'rejected', actor: 'rehearsal-approver' }),
];

const timeline = scenarioTimelineFromEntries({
  scenario: 'critical-alarm-stage-rollback',
  description: 'Critical alarm: a critical alarm rolls staging back',
  verdict: { kind: 'unexpected', differences: ['staging: expected x, found y'] },
  timeline: buildTimeline({
    stimuli: [
      { at: at(0), summary: 'pushed aaaaaaaa to main (application code only): Critical alarm' },
      { at: at(50), environment: 'staging', summary: 'critical alarm worker-errors-staging set to ALARM (SetAlarmState)' },
      { at: at(60), summary: 'reviewer approves the paused release (task token abc...)' },
      { at: at(88), environment: 'production', summary: 'rehearsal-approver rejects the deployment to production' },
      { at: at(95), summary: 'the pipeline definition changed (self-mutation): executions before it are no stage-rollback targets' },
    ],
    events,
    notices: [
      { kind: 'rollback-started', environment: 'staging', text: '\nRollback started: staging\nmore', at: at(72.5) },
      { kind: 'stage-succeeded', text: 'Stage succeeded in kiro-cd.\nEnvironment: pipeline\nStage:       Build\n', at: at(26) },
      { kind: 'execution-started', text: 'Deployment started.\nStage:       none (whole execution)\n', at: at(0.5) },
    ],
  }),
});

describe('scenarioTimelineFromEntries', () => {
  it('keeps the verdict, the differences and the span of the run', () => {
    expect(timeline).toMatchObject({ scenario: 'critical-alarm-stage-rollback', passed: false, differences: ['staging: expected x, found y'], startedAt: at(0), endedAt: at(95) });
  });

  it('makes one lane per stage, in the order the stages first ran', () => {
    expect(timeline.lanes.map((lane) => lane.stage)).toEqual(['Build', 'Staging-Application']);
  });

  it('starts an action without a STARTED event where the previous action of its stage execution ended, or at the stage start', () => {
    const build = timeline.lanes[0]?.bars ?? [];
    expect(build).toEqual([
      { action: 'Build', executionId: 'release', executionType: 'STANDARD', startedAt: at(1), endedAt: at(20), status: 'Succeeded' },
      { action: 'Detect-Changes', executionId: 'release', executionType: 'STANDARD', startedAt: at(20), endedAt: at(25), status: 'Succeeded', summary: 'infrastructure unchanged' },
    ]);
  });

  it('marks the bars of a rollback execution as ROLLBACK, and an action with no end as still in progress', () => {
    const staging = timeline.lanes[1]?.bars ?? [];
    expect(staging.map((bar) => [bar.action, bar.executionType, bar.status, bar.endedAt])).toEqual([
      ['Deploy', 'STANDARD', 'Succeeded', at(40)],
      ['Health-Check', 'STANDARD', 'Failed', at(71)],
      ['Approve-Like', 'ROLLBACK', 'InProgress', undefined],
    ]);
    expect(staging[1]?.startedAt).toBe(at(40));
  });

  it('turns verdicts, rollbacks, approvals, notices and stimuli into marks; a notice names the stage its text names, else the one its environment was in', () => {
    expect(timeline.marks.map((mark) => [mark.kind, mark.stage, mark.label])).toEqual([
      ['commit', undefined, 'pushed aaaaaaaa to main (application code only): Critical alarm'],
      ['notice', undefined, 'execution-started: Deployment started.'],
      ['notice', 'Build', 'stage-succeeded: Stage succeeded in kiro-cd.'],
      ['alarm', 'Staging-Application', 'critical alarm worker-errors-staging set to ALARM (SetAlarmState)'],
      ['review', undefined, 'reviewer approves the paused release (task token abc...)'],
      ['alarm', 'Staging-Application', 'health check fail: critical alarm worker-errors-staging ALARM'],
      ['rollback', 'Staging-Application', 'stage rollback started: critical alarm'],
      ['notice', 'Staging-Application', 'rollback-started: Rollback started: staging'],
      ['approval', undefined, 'rehearsal-approver rejects the deployment to production'],
      ['approval', undefined, 'approval rejected by rehearsal-approver'],
      ['operator', undefined, 'the pipeline definition changed (self-mutation): executions before it are no stage-rollback targets'],
    ]);
  });

  it('draws nothing for a run that recorded nothing', () => {
    expect(scenarioTimelineFromEntries({ scenario: 's', description: 'd', verdict: { kind: 'as-expected' }, timeline: [] })).toMatchObject({ passed: true, lanes: [], marks: [], differences: [] });
  });
});
