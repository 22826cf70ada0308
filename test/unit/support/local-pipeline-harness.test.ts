/** The test harness around the local CodePipeline does what the rollback tests rely on. */
import { GetPipelineExecutionCommand, GetPipelineStateCommand, RollbackStageCommand } from '@aws-sdk/client-codepipeline';
import { describe, expect, it } from 'vitest';
import { LocalPipelineHarness } from '../../support/local-pipeline/local-pipeline-harness.js';
import { FAILED, GOOD, PREVIOUS, stagingFailureScene } from '../pipeline/domain/rollback/rollback-fixtures.js';

const MINUTE = 60_000;

function stageStatuses(harness: LocalPipelineHarness, id: string): Record<string, string> {
  const stages = harness.pipeline.executions.get(id)?.stages;
  return Object.fromEntries([...(stages?.entries() ?? [])].map(([stage, record]) => [stage, record.status]));
}

describe('local pipeline harness', () => {
  it('makes the staging failure scene by releases: GOOD everywhere, PREVIOUS stopped before production, FAILED failed in staging', async () => {
    const { pipeline } = await stagingFailureScene();
    expect(pipeline.pipeline.executions.get(GOOD)?.status).toBe('Succeeded');
    expect(stageStatuses(pipeline, GOOD)).toMatchObject({ 'Test-Application': 'Succeeded', 'Staging-Application': 'Succeeded', 'Production-Application': 'Succeeded' });
    expect(pipeline.pipeline.executions.get(PREVIOUS)?.status).toBe('Stopped');
    expect(stageStatuses(pipeline, PREVIOUS)).toMatchObject({ 'Test-Application': 'Succeeded', 'Staging-Application': 'Succeeded' });
    expect(stageStatuses(pipeline, PREVIOUS)['Production-Application']).not.toBe('Succeeded');
    expect(pipeline.pipeline.executions.get(FAILED)?.status).toBe('Failed');
    expect(stageStatuses(pipeline, FAILED)).toMatchObject({ 'Test-Application': 'Succeeded', 'Staging-Application': 'Failed' });
    expect(stageStatuses(pipeline, FAILED)).not.toHaveProperty('Production-Application');
    expect(pipeline.calls).toEqual([]);
  });

  it('ends a scripted action only once the code under test has slept as long as it takes', async () => {
    const harness = await LocalPipelineHarness.start({ name: 'p', environments: ['test'], script: (call) => (call.action === 'Deploy' ? { takesMs: 10 * MINUTE } : undefined) });
    const id = await harness.release('c1', { until: () => harness.pipeline.actionExecutions.some((record) => record.actionName === 'Deploy') });
    const status = async (): Promise<string | undefined> => (await harness.client.send(new GetPipelineExecutionCommand({ pipelineName: 'p', pipelineExecutionId: id }))).pipelineExecution?.status;
    await harness.clock.sleep(9 * MINUTE);
    expect(await status()).toBe('InProgress');
    await harness.clock.sleep(MINUTE);
    expect(await status()).toBe('Succeeded');
  });

  it('changes the structure version with a definition update, after which RollbackStage refuses earlier targets', async () => {
    const harness = await LocalPipelineHarness.start({ name: 'p', environments: ['test'] });
    const good = await harness.release('c1');
    const version = async (): Promise<number | undefined> => (await harness.client.send(new GetPipelineStateCommand({ name: 'p' }))).pipelineVersion;
    expect(await version()).toBe(1);
    harness.changeDefinition();
    expect(await version()).toBe(2);
    await expect(harness.client.send(new RollbackStageCommand({ pipelineName: 'p', stageName: 'Test-Application', targetPipelineExecutionId: good }))).rejects.toMatchObject({
      name: 'UnableToRollbackStageException',
      message: expect.stringContaining('pipeline version has changed'),
    });
  });

  it('skips an infrastructure stage unless its change detection says deploy, as the product does', async () => {
    const harness = await LocalPipelineHarness.start({
      name: 'p',
      environments: ['test'],
      infrastructure: ['test'],
      script: (call) => (call.action === 'Detect-test' ? { outputVariables: { INFRA_TEST: call.commit === 'infra' ? 'deploy' : 'skip' } } : undefined),
    });
    expect(stageStatuses(harness, await harness.release('infra'))['Test-Infrastructure']).toBe('Succeeded');
    expect(stageStatuses(harness, await harness.release('app-only'))['Test-Infrastructure']).toBe('Skipped');
  });
});
