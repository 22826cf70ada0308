import { describe, expect, it } from 'vitest';
import { foldDeployments, isKnownGood, UNKNOWN_COMMIT_ID } from '../../../../../src/pipeline/domain/history/deployment-fold.js';
import { canonicalEvents } from '../../../../../src/pipeline/domain/history/event-order.js';
import type { HistoryEvent } from '../../../../../src/pipeline/domain/history-model.js';
import { executionEvents } from './history-builders.js';

const base = { pipelineName: 'kiro', executionId: 'e1' };

describe('foldDeployments', () => {
  it('opens one record per environment the execution deployed, newest first', () => {
    const records = foldDeployments(executionEvents('e1', 0, 'success'));
    expect(records.map((record) => [record.environment, record.status, record.health])).toEqual([
      ['staging', 'succeeded', 'passed'],
      ['test', 'succeeded', 'passed'],
    ]);
    expect(records[0]?.commit).toEqual({ id: 'a'.repeat(40), message: 'Add poller', author: 'Ada' });
  });

  it('names the failed action and its summary as the reason', () => {
    const [record] = foldDeployments(executionEvents('e1', 0, 'test-fails'));
    expect(record).toMatchObject({ environment: 'test', status: 'failed', reason: 'Action Deploy in stage Test-Application failed: Deployment d-1 failed' });
  });

  it.each<{ why: string; events: HistoryEvent[]; status: string }>([
    {
      why: 'a STARTED of the same second as SUCCEEDED loses, whatever the arrival order',
      events: [
        { ...base, kind: 'stage', eventId: 'b', at: '2026-01-01T00:00:05Z', stage: 'Test-Application', state: 'SUCCEEDED' },
        { ...base, kind: 'stage', eventId: 'a', at: '2026-01-01T00:00:05Z', stage: 'Test-Application', state: 'STARTED' },
      ],
      status: 'succeeded',
    },
    {
      why: 'a stage retried after failing is in progress again (RESUMED is later than FAILED)',
      events: [
        { ...base, kind: 'stage', eventId: 'a', at: '2026-01-01T00:00:05Z', stage: 'Test-Application', state: 'FAILED' },
        { ...base, kind: 'stage', eventId: 'b', at: '2026-01-01T00:01:00Z', stage: 'Test-Application', state: 'RESUMED' },
      ],
      status: 'in-progress',
    },
    {
      why: 'a completed rollback wins over the success that preceded it',
      events: [
        { ...base, kind: 'stage', eventId: 'a', at: '2026-01-01T00:00:05Z', stage: 'Test-Application', state: 'SUCCEEDED' },
        { ...base, kind: 'rollback', eventId: 'r', at: '2026-01-01T00:00:01Z', rollbackId: 'rb', scope: 'stage', phase: 'succeeded', environment: 'test', trigger: 'alarm:x', reason: 'poller-errors in ALARM' },
      ],
      status: 'rolled-back',
    },
    {
      why: 'an execution superseded while the environment was deploying leaves it stopped',
      events: [
        { ...base, kind: 'stage', eventId: 'a', at: '2026-01-01T00:00:05Z', stage: 'Test-Infrastructure', state: 'STARTED' },
        { ...base, kind: 'execution', eventId: 'x', at: '2026-01-01T00:00:09Z', state: 'SUPERSEDED' },
      ],
      status: 'stopped',
    },
    {
      why: 'the infrastructure stage succeeding alone does not finish the environment',
      events: [{ ...base, kind: 'stage', eventId: 'a', at: '2026-01-01T00:00:05Z', stage: 'Test-Infrastructure', state: 'SUCCEEDED' }],
      status: 'in-progress',
    },
  ])('$why', ({ events, status }) => {
    expect(foldDeployments(events)[0]?.status).toBe(status);
    expect(foldDeployments([...events].reverse())[0]?.status).toBe(status);
  });

  it('opens no record for pipeline-level stages or approvals alone', () => {
    const events: HistoryEvent[] = [
      { ...base, kind: 'stage', eventId: 'a', at: '2026-01-01T00:00:05Z', stage: 'Build', state: 'SUCCEEDED' },
      { ...base, kind: 'approval', eventId: 'b', at: '2026-01-01T00:00:06Z', environment: 'production', decision: 'requested' },
    ];
    expect(foldDeployments(events)).toEqual([]);
  });

  it('marks executions started by a rollback, which are never a known-good release', () => {
    const events: HistoryEvent[] = [
      { ...base, kind: 'execution', eventId: 'x', at: '2026-01-01T00:00:01Z', state: 'STARTED', triggerType: 'AutomatedRollback' },
      { ...base, kind: 'stage', eventId: 'a', at: '2026-01-01T00:00:05Z', stage: 'Production-Application', state: 'SUCCEEDED' },
    ];
    const [record] = foldDeployments(events);
    expect(record).toMatchObject({ isRollback: true, status: 'succeeded', commit: { id: UNKNOWN_COMMIT_ID } });
    expect(isKnownGood(record!)).toBe(false);
  });

  it('takes the commit from the source action when the execution event does not carry it', () => {
    const events: HistoryEvent[] = [
      { ...base, kind: 'execution', eventId: 'x', at: '2026-01-01T00:00:01Z', state: 'STARTED', triggerType: 'StartPipelineExecution' },
      { ...base, kind: 'action', eventId: 's', at: '2026-01-01T00:00:03Z', stage: 'Source', action: 'Source', state: 'SUCCEEDED', category: 'Source', commit: { id: 'b'.repeat(40), message: 'Fix' } },
      { ...base, kind: 'stage', eventId: 'a', at: '2026-01-01T00:00:05Z', stage: 'Test-Infrastructure', state: 'STARTED' },
    ];
    expect(foldDeployments(events)[0]?.commit).toEqual({ id: 'b'.repeat(40), message: 'Fix' });
  });
});

describe('canonicalEvents', () => {
  it('keeps one copy per event id', () => {
    const events = executionEvents('e1', 0, 'success');
    expect(canonicalEvents([...events, ...events])).toHaveLength(events.length);
  });
});

describe('foldDeployments: a full rollback\'s restart execution', () => {
  // CodePipeline reports the restart like any StartPipelineExecution call; only the orchestrator's
  // marker, recorded under the restart's execution id, says it restores an earlier release.
  const restart = executionEvents('r1', 30, 'success').map((event) =>
    event.kind === 'execution' && event.state === 'STARTED' ? { ...event, triggerType: 'StartPipelineExecution' } : event,
  );
  const marker: HistoryEvent = {
    kind: 'execution',
    eventId: 'rollback:rb-1:restart',
    pipelineName: 'kiro',
    executionId: 'r1',
    at: '2026-01-05T09:30:01.000Z',
    state: 'STARTED',
    triggerType: 'KiroFullRollbackRestart',
    triggerDetail: 'rollback rb-1',
  };

  it('is a rollback in every environment it redeploys', () => {
    const records = foldDeployments([...restart, marker]);
    expect(records.map((record) => [record.environment, record.isRollback, record.status])).toEqual([
      ['staging', true, 'succeeded'],
      ['test', true, 'succeeded'],
    ]);
  });

  it('is a release without the marker (an operator\'s own StartPipelineExecution)', () => {
    expect(foldDeployments(restart).every((record) => !record.isRollback)).toBe(true);
  });
});
