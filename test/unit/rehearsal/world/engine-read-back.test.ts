import { describe, expect, it } from 'vitest';
import { compareExecutions, releaseExecution, type ExecutionView } from '../../../../src/rehearsal/world/engine-read-back.js';
import type { ExpectedOutcome } from '../../../../src/rehearsal/scenario-definition.js';

const RELEASE = 'a'.repeat(40);
const GOOD = 'b'.repeat(40);

function execution(id: string, extra: Partial<ExecutionView> = {}): ExecutionView {
  return { id, status: 'Succeeded', type: 'STANDARD', triggerType: 'Webhook', startedAt: new Date(`2026-12-07T10:0${id.length % 10}:00Z`), commitId: RELEASE, rollbackRestart: false, stages: {}, ...extra };
}

const base: ExpectedOutcome = { deployments: {}, infrastructureDeployed: [], rollbacks: [], notices: [], absentNotices: [], running: {} };

describe('releaseExecution', () => {
  it('is the newest standard execution of the commit that is not a rollback restart (a self-mutation restarts the release)', () => {
    const cancelled = execution('a', { status: 'Cancelled', startedAt: new Date('2026-12-07T10:00:00Z') });
    const restartedOnUpdate = execution('b', { triggerType: 'CreatePipeline', startedAt: new Date('2026-12-07T10:01:00Z') });
    const rollbackRestart = execution('c', { commitId: GOOD, rollbackRestart: true, startedAt: new Date('2026-12-07T10:02:00Z') });
    const stageRollback = execution('d', { type: 'ROLLBACK', commitId: GOOD, startedAt: new Date('2026-12-07T10:03:00Z') });
    expect(releaseExecution([cancelled, restartedOnUpdate, rollbackRestart, stageRollback], RELEASE)?.id).toBe('b');
  });
});

describe('compareExecutions', () => {
  it.each<[string, ExpectedOutcome, ExecutionView[], string[]]>([
    [
      'a stage that ran and failed where success was expected is a difference; a stage that never ran is "not-run"',
      { ...base, stages: { 'Staging-Application': 'Succeeded', 'Approve-Production': 'not-run' } },
      [execution('r', { stages: { 'Staging-Application': 'Failed' }, status: 'Failed' })],
      ['release execution, stage Staging-Application: expected Succeeded, ListActionExecutions shows Failed.'],
    ],
    [
      'the rollback restart must skip Approve-Production: an approval that ran in it is the drift the scenario catches',
      { ...base, restart: { stages: { 'Approve-Production': 'not-run' }, status: 'Succeeded' } },
      [execution('r', { status: 'Failed' }), execution('rr', { commitId: GOOD, rollbackRestart: true, stages: { 'Approve-Production': 'Succeeded' } })],
      ['rollback restart, stage Approve-Production: expected not-run, ListActionExecutions shows Succeeded.'],
    ],
    [
      'a restart that was expected but never ran',
      { ...base, restart: { stages: {}, status: 'Succeeded' } },
      [execution('r', { status: 'Failed' })],
      ['expected a full rollback restart (StartPipelineExecution with KIRO_ROLLBACK=true), but none ran.'],
    ],
    [
      'a restart nobody expected',
      base,
      [execution('r'), execution('rr', { commitId: GOOD, rollbackRestart: true })],
      ['an unexpected rollback restart rr (KIRO_ROLLBACK=true) ran.'],
    ],
    [
      'stage rollbacks are compared as a set of stages',
      { ...base, stageRollbacks: ['Staging-Application'] },
      [execution('r'), execution('rb', { type: 'ROLLBACK', commitId: GOOD, stages: { 'Test-Application': 'Succeeded' } })],
      ['stage rollbacks: expected [Staging-Application], the pipeline ran [Test-Application].'],
    ],
    [
      'issue 11: a self-mutation that cancels the restart and restarts on update is caught',
      { ...base, restart: { stages: {}, status: 'Cancelled' as 'Succeeded' }, noCancelledExecution: true },
      [
        execution('r', { status: 'Failed', startedAt: new Date('2026-12-07T10:00:00Z') }),
        execution('rr', { commitId: GOOD, rollbackRestart: true, status: 'Cancelled', startedAt: new Date('2026-12-07T10:05:00Z') }),
        execution('up', { commitId: RELEASE, triggerType: 'CreatePipeline', startedAt: new Date('2026-12-07T10:06:00Z') }),
      ],
      ['execution rr was Cancelled after the rollback restart started (a pipeline update undid it).', 'execution up was restarted by a pipeline update after the rollback restart (RestartExecutionOnUpdate, default variables).'],
    ],
  ])('%s', (_why, expected, executions, differences) => {
    expect(compareExecutions(expected, executions, RELEASE)).toEqual(differences);
  });

  it('says so when the release has no execution at all', () => {
    expect(compareExecutions(base, [execution('x', { commitId: GOOD })], RELEASE)).toEqual([`no standard execution of the release ${RELEASE.slice(0, 8)} was found (ListPipelineExecutions).`]);
  });
});
