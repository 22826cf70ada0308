/** Behaviour table rows 10 and 15–20 of docs/local-codepipeline.md: rollbacks and definition changes. */
import { describe, expect, it } from 'vitest';
import { CodePipelineApiError } from '../../../../src/local/codepipeline/api-errors.js';
import type { LocalCodePipeline } from '../../../../src/local/codepipeline/local-codepipeline.js';
import { action, declaration, localPipeline, stage, startAndSettle } from './pipeline-fixture.js';

function refusal(pipeline: LocalCodePipeline, stageName: string, target: string): string {
  try {
    pipeline.rollbackStage({ pipelineName: 'demo', stageName, targetPipelineExecutionId: target });
    return 'accepted';
  } catch (error) {
    return error instanceof CodePipelineApiError ? `${error.name}: ${error.message}` : String(error);
  }
}

const deploy = (extra = {}) => stage('Deploy', [action('Ship', { configuration: { Commit: '#{SourceVariables.CommitId}' } })], { onFailure: { result: 'ROLLBACK', rules: [] }, ...extra });

describe('local CodePipeline: rollbacks', () => {
  it('row 10: OnFailure ROLLBACK starts a ROLLBACK execution of the stage with the newest eligible target’s variables; without a target nothing rolls back', async () => {
    // Commits c0 and c2 are broken: their deployment fails.
    const { pipeline } = localPipeline(declaration([deploy()]), {
      Ship: (invocation) => Promise.resolve(['c0', 'c2'].includes(invocation.configuration.Commit ?? '') ? { status: 'Failed', summary: 'boom' } : { status: 'Succeeded' }),
    });
    const lonely = await startAndSettle(pipeline, { sourceRevisions: [{ revisionValue: 'c0' }] });
    expect([...pipeline.executions.values()].filter((execution) => execution.type === 'ROLLBACK')).toHaveLength(0);
    const good = await startAndSettle(pipeline, { sourceRevisions: [{ revisionValue: 'c1' }] });
    const bad = await startAndSettle(pipeline, { sourceRevisions: [{ revisionValue: 'c2' }] });
    await pipeline.settled();
    const rollback = [...pipeline.executions.values()].find((execution) => execution.type === 'ROLLBACK');
    expect(pipeline.executions.get(lonely)?.status).toBe('Failed');
    expect(pipeline.executions.get(bad)?.status).toBe('Failed');
    expect(rollback).toMatchObject({ status: 'Succeeded', rollbackTargetExecutionId: good, trigger: { triggerType: 'AutomatedRollback' } });
    expect([...(rollback?.stages.keys() ?? [])]).toEqual(['Deploy']);
    expect(pipeline.actionExecutions.filter((record) => record.pipelineExecutionId === rollback?.id).map((record) => record.resolvedConfiguration.Commit)).toEqual(['c1']);
  });

  it('row 15: RollbackStage never rolls back a source stage', async () => {
    const { pipeline } = localPipeline(declaration([deploy()]));
    const id = await startAndSettle(pipeline);
    expect(refusal(pipeline, 'Source', id)).toMatch(/^UnableToRollbackStageException: .*source stage/);
  });

  it('row 16: RollbackStage refuses a target in which the stage did not succeed', async () => {
    const { pipeline } = localPipeline(declaration([stage('Build', [action('Compile')]), deploy()]), { Compile: { status: 'Failed' } });
    const id = await startAndSettle(pipeline);
    expect(refusal(pipeline, 'Deploy', id)).toMatch(/^UnableToRollbackStageException: .*did not succeed/);
  });

  it('row 17: RollbackStage refuses a target that is itself a rollback execution', async () => {
    const { pipeline } = localPipeline(declaration([deploy()]));
    const good = await startAndSettle(pipeline);
    const { pipelineExecutionId: rollback } = pipeline.rollbackStage({ pipelineName: 'demo', stageName: 'Deploy', targetPipelineExecutionId: good });
    await pipeline.settled();
    expect(pipeline.executions.get(rollback)?.status).toBe('Succeeded');
    expect(refusal(pipeline, 'Deploy', rollback)).toMatch(/^UnableToRollbackStageException: .*is a rollback/);
  });

  it('row 18: RollbackStage refuses while the stage is running', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let hold = false;
    const { pipeline } = localPipeline(declaration([stage('Deploy', [action('Ship', { category: 'Deploy', provider: 'CloudFormation' })])]), {
      Ship: async () => {
        if (hold) await gate;
        return { status: 'Succeeded' };
      },
    });
    const good = await startAndSettle(pipeline);
    hold = true;
    pipeline.startPipelineExecution({ name: 'demo' });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(refusal(pipeline, 'Deploy', good)).toMatch(/^UnableToRollbackStageException: .*currently running/);
    release();
    await pipeline.settled();
    expect(refusal(pipeline, 'Deploy', good)).toBe('accepted');
    await pipeline.settled();
  });

  it('row 19: a definition change bumps the structure version and leaves no earlier execution as a target', async () => {
    const { pipeline } = localPipeline(declaration([deploy()]));
    const good = await startAndSettle(pipeline);
    expect(pipeline.updatePipeline(declaration([deploy()])).changed).toBe(false);
    expect(pipeline.updatePipeline(declaration([deploy(), stage('Extra', [action('More')])])).changed).toBe(true);
    expect(pipeline.structureVersion).toBe(2);
    expect(refusal(pipeline, 'Deploy', good)).toMatch(/^UnableToRollbackStageException: .*pipeline version has changed/);
  });

  it('row 20: a definition change cancels the running execution; RestartExecutionOnUpdate starts a new one with default variables and no source override', async () => {
    let mutate: () => void = () => undefined;
    const mutated = declaration([stage('UpdatePipeline', [action('SelfMutate')]), deploy(), stage('Extra', [action('More')])], { restartExecutionOnUpdate: true });
    const { pipeline } = localPipeline(declaration([stage('UpdatePipeline', [action('SelfMutate')]), deploy()], { restartExecutionOnUpdate: true }), {
      SelfMutate: async (invocation) => {
        if (invocation.variables.KIRO_ROLLBACK === 'true') mutate();
        await new Promise((resolve) => setTimeout(resolve, 5));
        return { status: 'Succeeded' };
      },
    }, { head: 'bad-head' });
    mutate = () => void pipeline.updatePipeline(mutated);
    const rollback = await startAndSettle(pipeline, { sourceRevisions: [{ revisionValue: 'last-good' }], variables: [{ name: 'KIRO_ROLLBACK', value: 'true' }] });
    const restarted = [...pipeline.executions.values()].find((execution) => execution.id !== rollback);
    expect(pipeline.executions.get(rollback)).toMatchObject({ status: 'Cancelled', statusSummary: expect.stringContaining('definition was updated') as string });
    expect(restarted).toMatchObject({ status: 'Succeeded', variables: { KIRO_ROLLBACK: 'false' }, trigger: { triggerType: 'CreatePipeline' } });
    expect(restarted?.outputs.SourceVariables?.CommitId).toBe('bad-head');
  });
});
