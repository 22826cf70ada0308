import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MANUAL_PROCEDURE, runRollback } from '../../../../../src/pipeline/domain/rollback/rollback-orchestrator.js';
import type { RollbackRequest } from '../../../../../src/pipeline/domain/rollback/rollback-plan.js';
import { DEFAULT_ROLLBACK_TIMING, backoffDelays, worstCaseSeconds } from '../../../../../src/pipeline/domain/rollback/rollback-timing.js';
import type { LocalPipelineHarness } from '../../../../support/local-pipeline/local-pipeline-harness.js';
import { FAILED, PIPELINE, PREVIOUS, stagingFailureScene, type StagingFailureOptions } from './rollback-fixtures.js';
import { rollbackWorld } from './rollback-world.js';

async function world(options: StagingFailureOptions = {}) {
  const { history, pipeline } = await stagingFailureScene(options);
  return rollbackWorld(history, pipeline);
}

/** The rollback executions CodePipeline started by itself (a stage's OnFailure ROLLBACK). */
function automatedRollbacks(codepipeline: LocalPipelineHarness): string[] {
  return [...codepipeline.pipeline.executions.values()].filter((execution) => execution.trigger.triggerType === 'AutomatedRollback').map((execution) => execution.id);
}

/** Stage rollbacks fail (their deployment fails); a restart on a commit (KIRO_ROLLBACK=true) deploys `restart`. */
function rollbacksFail(codepipeline: LocalPipelineHarness, restart: 'Succeeded' | 'Failed' | 'never-ends'): void {
  const scene = codepipeline.script;
  codepipeline.script = (call) => {
    if (call.action !== 'Deploy') return scene(call);
    if (call.executionType === 'ROLLBACK') return { status: 'Failed', summary: 'the stack update failed' };
    if (call.variables.KIRO_ROLLBACK === 'true') return restart === 'never-ends' ? { takesMs: 24 * 60 * 60_000 } : { status: restart };
    return scene(call);
  };
}

const request: RollbackRequest = { pipelineName: PIPELINE, environment: 'staging', stage: 'Staging-Application', executionId: FAILED, trigger: 'stage-failed:Staging-Application', reason: 'Deploy action failed.' };

describe('runRollback', () => {
  it('rolls the current stage back first, records and announces start and success', async () => {
    const { deps, codepipeline, notifier, history } = await world();
    const outcome = await runRollback(deps, request);
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'stage' });
    expect(codepipeline.calls.filter((call) => call.operation === 'RollbackStage')).toEqual([
      { operation: 'RollbackStage', input: { pipelineName: PIPELINE, stageName: 'Staging-Application', targetPipelineExecutionId: PREVIOUS } },
    ]);
    expect(notifier.notices.map((notice) => notice.kind)).toEqual(['rollback-started', 'rollback-succeeded']);
    expect((await history.timeline(FAILED)).flatMap((event) => (event.kind === 'rollback' ? [event.phase] : []))).toEqual(['started', 'succeeded']);
    expect((await history.latest('staging'))?.status).toBe('rolled-back');
  });

  it('retries a busy stage (still running, so RollbackStage is refused) with backoff inside the budget', async () => {
    // The suite runs 13 s after the health check failed: refused at 0, 2 and 6 s, accepted at 14 s.
    const { deps, clock } = await world({ stagingStillRunningMs: 13_000 });
    expect(await runRollback(deps, request)).toMatchObject({ kind: 'succeeded', scope: 'stage' });
    expect(clock.sleeps.slice(0, 3)).toEqual([2000, 4000, 8000]);
  });

  it('falls back to a full rollback to the last known good commit when the pipeline changed since (no eligible target)', async () => {
    const { deps, codepipeline, notifier } = await world();
    codepipeline.changeDefinition();
    const outcome = await runRollback(deps, request);
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'full' });
    const start = codepipeline.calls.find((call) => call.operation === 'StartPipelineExecution');
    expect(start?.input).toMatchObject({
      name: PIPELINE,
      sourceRevisions: [{ revisionType: 'COMMIT_ID', revisionValue: 'good' }],
      variables: expect.arrayContaining([{ name: 'KIRO_ROLLBACK', value: 'true' }]),
    });
    expect(notifier.notices.map((notice) => notice.kind)).toEqual(['rollback-started', 'rollback-failed', 'rollback-started', 'rollback-succeeded']);
    expect(notifier.notices[2]?.details).toContain('Environments: test, staging');
  });

  it('marks the restart execution as a rollback in the history, so it never counts as a release', async () => {
    const { deps, codepipeline, history } = await world();
    codepipeline.changeDefinition();
    const outcome = await runRollback(deps, request);
    const restartId = outcome.kind === 'succeeded' ? outcome.rollbackExecutionIds[0] : undefined;
    expect(restartId).toBeDefined();
    expect(restartId).not.toBe(FAILED);
    const timeline = await history.timeline(restartId ?? '');
    expect(timeline).toEqual([expect.objectContaining({ kind: 'execution', state: 'STARTED', triggerType: 'KiroFullRollbackRestart', commit: { id: 'good' } })]);
  });

  it('adopts the stage rollback that the stage’s own onFailure condition already started', async () => {
    const { deps, codepipeline } = await world({ rollbackOnFailure: true });
    const [own] = automatedRollbacks(codepipeline);
    expect(own).toBeDefined();
    expect(await runRollback(deps, request)).toMatchObject({ kind: 'succeeded', scope: 'stage', rollbackExecutionId: own });
    expect(codepipeline.calls.some((call) => call.operation === 'RollbackStage')).toBe(false);
  });

  it('waits while the failed stage still runs (its other action not done), then rolls the stage back: no full rollback', async () => {
    // The health monitor's failure arrives first; the parallel suite keeps the stage running one more second.
    const { deps, codepipeline } = await world({ stagingStillRunningMs: 1000 });
    const outcome = await runRollback(deps, request);
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'stage' });
    expect(codepipeline.calls.filter((call) => call.operation === 'RollbackStage')).toHaveLength(2);
    expect(codepipeline.calls.some((call) => call.operation === 'StartPipelineExecution')).toBe(false);
  });

  it('adopts CodePipeline\'s own rollback when it starts while the orchestrator waits for the running stage', async () => {
    const { deps, codepipeline } = await world({ stagingStillRunningMs: 1000, rollbackOnFailure: true });
    expect(automatedRollbacks(codepipeline)).toEqual([]);
    const outcome = await runRollback(deps, request);
    const [own] = automatedRollbacks(codepipeline);
    expect(own).toBeDefined();
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'stage', rollbackExecutionId: own });
    expect(codepipeline.calls.filter((call) => call.operation === 'RollbackStage')).toHaveLength(1);
  });

  it('ends in a recorded failure that points at the manual procedure when both steps fail, within the budget', async () => {
    const { deps, codepipeline, notifier, clock } = await world();
    rollbacksFail(codepipeline, 'never-ends');
    const started = clock.now().getTime();
    const outcome = await runRollback(deps, request);
    expect(outcome).toMatchObject({ kind: 'failed', reason: expect.stringContaining(MANUAL_PROCEDURE) });
    expect(notifier.ofKind('rollback-failed').at(-1)?.details).toContain(`Manual procedure: ${MANUAL_PROCEDURE}`);
    expect((clock.now().getTime() - started) / 1000).toBeLessThanOrEqual(worstCaseSeconds(DEFAULT_ROLLBACK_TIMING));
    expect((await deps.ledger.get(outcome.plan.key))?.status).toBe('failed');
  });

  it('a dry run plans and changes nothing', async () => {
    const { deps, codepipeline, notifier } = await world();
    const outcome = await runRollback(deps, request, { dryRun: true });
    expect(outcome).toMatchObject({ kind: 'planned', plan: { stage: { targetExecutionId: PREVIOUS }, full: { targetCommitId: 'good' } } });
    expect(codepipeline.calls).toEqual([]);
    expect(notifier.notices).toEqual([]);
  });

  it('running a rollback twice equals running it once, whatever the pipeline answers', async () => {
    const delays = backoffDelays(DEFAULT_ROLLBACK_TIMING);
    // The whole space is 7 × 2 × 2 = 28 cases, each a scene of three releases through the local
    // CodePipeline (~100 ms): every case is run once, as examples, instead of 40 random draws that
    // repeated some and, on average, missed about a quarter of them.
    const results = ['Succeeded', 'Failed'] as const;
    const everyCase = Array.from({ length: 7 }, (_, busy) => [false, true].flatMap((mutated) => results.map((result) => [busy, mutated, result] as [number, boolean, 'Succeeded' | 'Failed']))).flat();
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 6 }), fc.boolean(), fc.constantFrom<'Succeeded' | 'Failed'>('Succeeded', 'Failed'), async (busy, mutated, result) => {
        // `busy` refusals: the stage still runs until just before the busy-th backoff wait ends.
        const runningMs = busy === 0 ? 0 : delays.slice(0, busy).reduce((sum, delay) => sum + delay, 0) * 1000 - 500;
        const { deps, codepipeline, notifier } = await world({ stagingStillRunningMs: runningMs });
        if (result === 'Failed') rollbacksFail(codepipeline, 'Failed');
        if (mutated) codepipeline.changeDefinition();
        const first = await runRollback(deps, request);
        const callsAfterOnce = codepipeline.calls.length;
        const noticesAfterOnce = notifier.notices.length;
        const second = await runRollback(deps, request);
        expect(second).toMatchObject({ kind: 'duplicate', lease: { rollbackId: first.kind === 'planned' || first.kind === 'duplicate' ? '' : first.rollbackId } });
        expect(codepipeline.calls.length).toBe(callsAfterOnce);
        expect(notifier.notices.length).toBe(noticesAfterOnce);
      }),
      { examples: everyCase, numRuns: everyCase.length },
    );
    expect(new Set(everyCase.map((example) => JSON.stringify(example))).size).toBe(28);
  });
});
