import { describe, expect, it } from 'vitest';
import { foldDeployments } from '../../../../../src/pipeline/domain/history/deployment-fold.js';
import { metricsForEvent } from '../../../../../src/pipeline/domain/metrics/delivery-metrics.js';
import { executionEvents } from '../history/history-builders.js';

describe('metricsForEvent', () => {
  const success = executionEvents('e1', 0, 'success');
  const failure = executionEvents('e2', 10, 'test-fails');

  it.each([
    { why: 'the application stage success completes the environment', events: success, eventId: 'e1-ta-ok', names: ['DeploymentSucceeded:test:1', 'DeploymentDuration:test:15'] },
    { why: 'a failed stage completes the environment as a failure', events: failure, eventId: 'e2-ta-fail', names: ['DeploymentFailed:test:1', 'DeploymentDuration:test:15'] },
    { why: 'the infrastructure stage alone completes nothing', events: success, eventId: 'e1-ti-ok', names: [] },
    { why: 'the execution end counts the execution and its duration', events: success, eventId: 'e1-exec-ok', names: ['PipelineExecutionSucceeded:-:1', 'PipelineExecutionDuration:-:41'] },
  ])('$why', ({ events, eventId, names }) => {
    const event = events.find((candidate) => candidate.eventId === eventId)!;
    const data = metricsForEvent(event, foldDeployments(events), events);
    expect(data.map((datum) => `${datum.name}:${datum.environment ?? '-'}:${datum.value}`)).toEqual(names);
  });
});
