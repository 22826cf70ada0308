import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MANUAL_PROCEDURE, runRollback } from '../../../../../src/pipeline/domain/rollback/rollback-orchestrator.js';
import type { RollbackRequest } from '../../../../../src/pipeline/domain/rollback/rollback-plan.js';
import { DEFAULT_ROLLBACK_TIMING, worstCaseSeconds } from '../../../../../src/pipeline/domain/rollback/rollback-timing.js';
import { executionId, FAILED, PIPELINE, PREVIOUS, stagingFailureScene } from './rollback-fixtures.js';
import { rollbackWorld } from './rollback-world.js';


function world() {
  const { history, double } = stagingFailureScene();
  return rollbackWorld(history, double);
}

const request: RollbackRequest = { pipelineName: PIPELINE, environment: 'staging', stage: 'Staging-Application', executionId: FAILED, trigger: 'stage-failed:Staging-Application', reason: 'Deploy action failed.' };

describe('runRollback', () => {
  it('rolls the current stage back first, records and announces start and success', async () => {
    const { deps, double, notifier, history } = world();
    const outcome = await runRollback(deps, request);
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'stage' });
    expect(double.calls.filter((call) => call.operation === 'RollbackStage')).toEqual([
      { operation: 'RollbackStage', input: { pipelineName: PIPELINE, stageName: 'Staging-Application', targetPipelineExecutionId: PREVIOUS } },
    ]);
    expect(notifier.notices.map((notice) => notice.kind)).toEqual(['rollback-started', 'rollback-succeeded']);
    expect((await history.timeline(FAILED)).flatMap((event) => (event.kind === 'rollback' ? [event.phase] : []))).toEqual(['started', 'succeeded']);
    expect((await history.latest('staging'))?.status).toBe('rolled-back');
  });

  it('retries ConflictException with backoff inside the budget', async () => {
    const { deps, double, clock } = world();
    double.busyCalls = 3;
    expect(await runRollback(deps, request)).toMatchObject({ kind: 'succeeded', scope: 'stage' });
    expect(clock.sleeps.slice(0, 3)).toEqual([2000, 4000, 8000]);
  });

  it('falls back to a full rollback to the last known good commit when the pipeline changed since (no eligible target)', async () => {
    const { deps, double, notifier } = world();
    double.selfMutate();
    const outcome = await runRollback(deps, request);
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'full' });
    const start = double.calls.find((call) => call.operation === 'StartPipelineExecution');
    expect(start?.input).toMatchObject({
      name: PIPELINE,
      sourceRevisions: [{ revisionType: 'COMMIT_ID', revisionValue: 'good' }],
      variables: expect.arrayContaining([{ name: 'KIRO_ROLLBACK', value: 'true' }]),
    });
    expect(notifier.notices.map((notice) => notice.kind)).toEqual(['rollback-started', 'rollback-failed', 'rollback-started', 'rollback-succeeded']);
    expect(notifier.notices[2]?.details).toContain('Environments: test, staging');
  });

  it('marks the restart execution as a rollback in the history, so it never counts as a release', async () => {
    const { deps, double, history } = world();
    double.selfMutate();
    const outcome = await runRollback(deps, request);
    const restartId = outcome.kind === 'succeeded' ? outcome.rollbackExecutionIds[0] : undefined;
    expect(restartId).toBeDefined();
    expect(restartId).not.toBe(FAILED);
    const timeline = await history.timeline(restartId ?? '');
    expect(timeline).toEqual([expect.objectContaining({ kind: 'execution', state: 'STARTED', triggerType: 'KiroFullRollbackRestart', commit: { id: 'good' } })]);
  });

  it('adopts the stage rollback that the stage’s own onFailure condition already started', async () => {
    const { deps, double } = world();
    double.seed(executionId(4), { 'Staging-Application': 'InProgress' }, { status: 'InProgress', type: 'ROLLBACK' });
    expect(await runRollback(deps, request)).toMatchObject({ kind: 'succeeded', scope: 'stage', rollbackExecutionId: executionId(4) });
    expect(double.calls.some((call) => call.operation === 'RollbackStage')).toBe(false);
  });

  it('waits while the failed stage still runs (its other action not done), then rolls the stage back: no full rollback', async () => {
    const { deps, double, clock } = world();
    // The health monitor's failure arrives first; the parallel suite keeps the stage running.
    double.seed(FAILED, { 'Test-Application': 'Succeeded', 'Staging-Application': 'InProgress' }, { status: 'InProgress' });
    const sleepOnce = clock.sleep.bind(clock);
    let ended = false;
    const outcome = await runRollback(
      {
        ...deps,
        clock: Object.assign(Object.create(clock) as typeof clock, {
          sleep: async (milliseconds: number) => {
            await sleepOnce(milliseconds);
            if (!ended) double.seed(FAILED, { 'Test-Application': 'Succeeded', 'Staging-Application': 'Failed' }, { status: 'Failed' });
            ended = true;
          },
        }),
      },
      request,
    );
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'stage' });
    expect(double.calls.filter((call) => call.operation === 'RollbackStage')).toHaveLength(2);
    expect(double.calls.some((call) => call.operation === 'StartPipelineExecution')).toBe(false);
  });

  it('adopts CodePipeline\'s own rollback when it starts while the orchestrator waits for the running stage', async () => {
    const { deps, double, clock } = world();
    double.seed(FAILED, { 'Test-Application': 'Succeeded', 'Staging-Application': 'InProgress' }, { status: 'InProgress' });
    const sleepOnce = clock.sleep.bind(clock);
    const outcome = await runRollback(
      {
        ...deps,
        clock: Object.assign(Object.create(clock) as typeof clock, {
          sleep: async (milliseconds: number) => {
            await sleepOnce(milliseconds);
            double.seed(executionId(4), { 'Staging-Application': 'InProgress' }, { status: 'InProgress', type: 'ROLLBACK' });
          },
        }),
      },
      request,
    );
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'stage', rollbackExecutionId: executionId(4) });
    expect(double.calls.filter((call) => call.operation === 'RollbackStage')).toHaveLength(1);
  });

  it('ends in a recorded failure that points at the manual procedure when both steps fail, within the budget', async () => {
    const { deps, double, notifier, clock } = world();
    double.outcome = { rollback: 'Failed', redeploy: 'InProgress' };
    const started = clock.now().getTime();
    const outcome = await runRollback(deps, request);
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringContaining(MANUAL_PROCEDURE) });
    expect(notifier.ofKind('rollback-failed').at(-1)?.details).toContain(`Manual procedure: ${MANUAL_PROCEDURE}`);
    expect((clock.now().getTime() - started) / 1000).toBeLessThanOrEqual(worstCaseSeconds(DEFAULT_ROLLBACK_TIMING));
    expect((await deps.ledger.get(outcome.plan.key))?.status).toBe('failed');
  });

  it('a dry run plans and changes nothing', async () => {
    const { deps, double, notifier } = world();
    const outcome = await runRollback(deps, request, { dryRun: true });
    expect(outcome).toMatchObject({ kind: 'planned', plan: { stage: { targetExecutionId: PREVIOUS }, full: { targetCommitId: 'good' } } });
    expect(double.calls).toEqual([]);
    expect(notifier.notices).toEqual([]);
  });

  it('running a rollback twice equals running it once, whatever the pipeline answers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 6 }), fc.boolean(), fc.constantFrom<'Succeeded' | 'Failed'>('Succeeded', 'Failed'), async (busy, mutated, result) => {
        const { deps, double, notifier } = world();
        double.busyCalls = busy;
        double.outcome = { rollback: result, redeploy: result };
        if (mutated) double.selfMutate();
        const first = await runRollback(deps, request);
        const callsAfterOnce = double.calls.length;
        const noticesAfterOnce = notifier.notices.length;
        const second = await runRollback(deps, request);
        expect(second).toMatchObject({ kind: 'duplicate', lease: { rollbackId: first.kind === 'planned' || first.kind === 'duplicate' ? '' : first.rollbackId } });
        expect(double.calls.length).toBe(callsAfterOnce);
        expect(notifier.notices.length).toBe(noticesAfterOnce);
      }),
      { numRuns: 40 },
    );
  });
});
