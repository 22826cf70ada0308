import type { HistoryEvent } from '../../../../../src/pipeline/domain/history-model.js';

/** Builds the events of one execution deploying test then staging, in the order they happened. */
export function executionEvents(executionId: string, startMinute: number, outcome: 'success' | 'test-fails'): HistoryEvent[] {
  const at = (second: number): string => new Date(Date.UTC(2026, 0, 5, 9, startMinute, second)).toISOString();
  const base = { pipelineName: 'kiro', executionId };
  const id = (suffix: string): string => `${executionId}-${suffix}`;
  const events: HistoryEvent[] = [
    { ...base, kind: 'execution', eventId: id('exec-start'), at: at(0), state: 'STARTED', triggerType: 'Webhook', commit: { id: 'a'.repeat(40), message: 'Add poller', author: 'Ada' } },
    { ...base, kind: 'stage', eventId: id('build-start'), at: at(1), stage: 'Build', state: 'STARTED' },
    { ...base, kind: 'stage', eventId: id('build-ok'), at: at(5), stage: 'Build', state: 'SUCCEEDED' },
    { ...base, kind: 'stage', eventId: id('ti-start'), at: at(5), stage: 'Test-Infrastructure', environment: 'test', state: 'STARTED' },
    { ...base, kind: 'stage', eventId: id('ti-ok'), at: at(9), stage: 'Test-Infrastructure', environment: 'test', state: 'SUCCEEDED' },
    { ...base, kind: 'stage', eventId: id('ta-start'), at: at(9), stage: 'Test-Application', environment: 'test', state: 'STARTED' },
  ];
  if (outcome === 'test-fails') {
    events.push(
      { ...base, kind: 'action', eventId: id('ta-deploy-fail'), at: at(20), stage: 'Test-Application', action: 'Deploy', environment: 'test', state: 'FAILED', summary: 'Deployment d-1 failed' },
      { ...base, kind: 'stage', eventId: id('ta-fail'), at: at(20), stage: 'Test-Application', environment: 'test', state: 'FAILED' },
      { ...base, kind: 'execution', eventId: id('exec-fail'), at: at(21), state: 'FAILED' },
    );
    return events;
  }
  events.push(
    { ...base, kind: 'stage', eventId: id('ta-ok'), at: at(20), stage: 'Test-Application', environment: 'test', state: 'SUCCEEDED' },
    { ...base, kind: 'stage', eventId: id('si-start'), at: at(20), stage: 'Staging-Infrastructure', environment: 'staging', state: 'STARTED' },
    { ...base, kind: 'stage', eventId: id('si-ok'), at: at(30), stage: 'Staging-Infrastructure', environment: 'staging', state: 'SUCCEEDED' },
    { ...base, kind: 'stage', eventId: id('sa-start'), at: at(30), stage: 'Staging-Application', environment: 'staging', state: 'STARTED' },
    { ...base, kind: 'health-check', eventId: id('sa-health'), at: at(40), environment: 'staging', verdict: 'pass', reason: 'All alarms OK', alarms: [] },
    { ...base, kind: 'stage', eventId: id('sa-ok'), at: at(41), stage: 'Staging-Application', environment: 'staging', state: 'SUCCEEDED' },
    { ...base, kind: 'execution', eventId: id('exec-ok'), at: at(41), state: 'SUCCEEDED' },
  );
  return events;
}
