import { describe, expect, it } from 'vitest';
import { planFromHistory } from '../../../../../src/pipeline/domain/rollback/rollback-from-history.js';
import type { RollbackRequest } from '../../../../../src/pipeline/domain/rollback/rollback-plan.js';
import { initialProgress } from '../../../../../src/pipeline/domain/rollback/rollback-progress.js';
import { FAILED, PIPELINE, PREVIOUS, stagingFailureScene } from './rollback-fixtures.js';
import { runWithOneDyingStep } from './retried-step.js';
import { rollbackWorld } from './rollback-world.js';

const request: RollbackRequest = { pipelineName: PIPELINE, environment: 'staging', stage: 'Staging-Application', executionId: FAILED, trigger: 'stage-failed:Staging-Application', reason: 'Deploy action failed.' };

describe('advanceRollback retried after its RollbackStage call went through (stage step)', () => {
  it('adopts the stage rollback it started itself instead of calling RollbackStage again', async () => {
    const { history, pipeline } = await stagingFailureScene();
    const { deps, codepipeline } = rollbackWorld(history, pipeline);
    const plan = await planFromHistory(deps, request);
    // The first step takes the lease, announces the start, calls RollbackStage and dies; the retry starts from the same progress.
    const { outcome, retriedFrom } = await runWithOneDyingStep(deps, initialProgress(plan, deps.ids.next()), { count: 1, on: () => true });
    expect(retriedFrom.step.kind).toBe('acquire');
    expect(outcome).toMatchObject({ kind: 'succeeded', scope: 'stage' });
    expect(codepipeline.calls.filter((call) => call.operation === 'RollbackStage')).toEqual([
      { operation: 'RollbackStage', input: { pipelineName: PIPELINE, stageName: 'Staging-Application', targetPipelineExecutionId: PREVIOUS } },
    ]);
    expect((await deps.ledger.get(plan.key))?.status).toBe('succeeded');
  });
});
