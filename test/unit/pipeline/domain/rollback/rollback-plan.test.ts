import { describe, expect, it } from 'vitest';
import { planRollback, rollbackKey, type RollbackRequest } from '../../../../../src/pipeline/domain/rollback/rollback-plan.js';
import { ENVIRONMENTS, PIPELINE, executionId, record } from './rollback-fixtures.js';

const failed = executionId(9);
const request: RollbackRequest = { pipelineName: PIPELINE, environment: 'staging', stage: 'Staging-Application', executionId: failed, trigger: 'stage-failed:Staging-Application', reason: 'deploy failed' };
const at = (minute: number): string => new Date(Date.UTC(2026, 2, 1, 10, minute)).toISOString();

describe('planRollback', () => {
  const good = record({ executionId: executionId(1), environment: 'production', startedAt: at(1) });
  const history = [
    good,
    record({ executionId: executionId(1), environment: 'staging', startedAt: at(0) }),
    record({ executionId: executionId(2), environment: 'staging', startedAt: at(10) }),
    record({ executionId: executionId(2), environment: 'test', startedAt: at(9) }),
    record({ executionId: failed, environment: 'staging', startedAt: at(20), status: 'failed', health: 'failed' }),
    record({ executionId: failed, environment: 'test', startedAt: at(19) }),
  ];

  it('rolls the failed stage back to its newest earlier successful deployment first', () => {
    expect(planRollback(request, history, ENVIRONMENTS).stage).toEqual({
      kind: 'stage', environment: 'staging', stage: 'Staging-Application', targetExecutionId: executionId(2), targetCommitId: `commit-${executionId(2)}`,
    });
  });

  it('returns every environment newer than the last known good release to it, in deployment order', () => {
    expect(planRollback(request, history, ENVIRONMENTS).full).toEqual({
      kind: 'full',
      targetExecutionId: executionId(1),
      targetCommitId: `commit-${executionId(1)}`,
      environments: ['test', 'staging'],
      stages: [
        { environment: 'test', layer: 'application', stage: 'Test-Application', targetExecutionId: executionId(1) },
        { environment: 'staging', layer: 'application', stage: 'Staging-Application', targetExecutionId: executionId(1) },
      ],
    });
  });

  it('also rolls back the infrastructure stage of an environment whose infrastructure changed since, to its newest run at or before the last known good one', () => {
    const runs = [
      { executionId: executionId(0), environment: 'test' as const, startedAt: at(0) },
      { executionId: executionId(1), environment: 'staging' as const, startedAt: at(0) },
      { executionId: executionId(2), environment: 'test' as const, startedAt: at(9) },
    ];
    const full = planRollback(request, history, ENVIRONMENTS, runs).full;
    expect(full).toMatchObject({ kind: 'full', stages: expect.arrayContaining([{ environment: 'test', layer: 'infrastructure', stage: 'Test-Infrastructure', targetExecutionId: executionId(0) }]) });
    // Staging's infrastructure did not change after the last known good release: only its application returns.
    expect(full.kind === 'full' ? full.stages.filter((stage) => stage.environment === 'staging').map((stage) => stage.layer) : []).toEqual(['application']);
  });

  it('restarts the pipeline instead when changed infrastructure has no earlier run to return to', () => {
    const runs = [{ executionId: executionId(2), environment: 'test' as const, startedAt: at(9) }];
    expect(planRollback(request, history, ENVIRONMENTS, runs).full).toMatchObject({ kind: 'full', stages: [], restartOnly: expect.stringContaining('test') });
  });

  it('rolls a failed infrastructure stage back to that stage’s newest earlier run', () => {
    const infra = { ...request, stage: 'Staging-Infrastructure' };
    const runs = [
      { executionId: executionId(1), environment: 'staging' as const, startedAt: at(0) },
      { executionId: failed, environment: 'staging' as const, startedAt: at(20) },
    ];
    expect(planRollback(infra, history, ENVIRONMENTS, runs).stage).toEqual({
      kind: 'stage', environment: 'staging', stage: 'Staging-Infrastructure', targetExecutionId: executionId(1), targetCommitId: `commit-${executionId(1)}`,
    });
  });

  it.each([
    ['a rollback execution is never a stage target (CodePipeline refuses it)', [record({ executionId: executionId(3), environment: 'staging', startedAt: at(5), isRollback: true })]],
    ['a deployment that failed its health check is never a stage target', [record({ executionId: executionId(3), environment: 'staging', startedAt: at(5), health: 'failed' })]],
    ['another environment’s deployment is never a stage target', [record({ executionId: executionId(3), environment: 'test', startedAt: at(5) })]],
  ])('has no stage step when %s', (_why, records) => {
    const plan = planRollback(request, records, ENVIRONMENTS);
    expect(plan.stage.kind).toBe('none');
    expect(plan.full).toMatchObject({ kind: 'none', reason: expect.stringContaining('no release has passed production') });
  });

  it('honours a manual target, by execution or by commit', () => {
    const manual = { ...request, target: { commitId: `commit-${executionId(1)}` } };
    expect(planRollback(manual, history, ENVIRONMENTS).stage).toMatchObject({ targetExecutionId: executionId(1) });
    expect(planRollback({ ...request, target: { executionId: executionId(7) } }, history, ENVIRONMENTS).stage).toMatchObject({ kind: 'none', reason: expect.stringContaining(executionId(7)) });
  });

  it('gives one key per failed execution, whatever fired it, and another for a manual target', () => {
    expect(rollbackKey(request)).toBe(rollbackKey({ ...request, trigger: 'health-check', reason: 'alarm' }));
    expect(rollbackKey({ ...request, target: { commitId: 'abc' } })).not.toBe(rollbackKey(request));
  });
});
