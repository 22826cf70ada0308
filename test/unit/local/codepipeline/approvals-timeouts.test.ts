/** Behaviour table rows 11–13 and 21 of docs/local-codepipeline.md: approvals, timeouts, stopping. */
import { describe, expect, it } from 'vitest';
import { getPipelineState } from '../../../../src/local/codepipeline/api-views.js';
import { action, declaration, localPipeline, pendingToken, stage, startAndSettle } from './pipeline-fixture.js';

const approve = (timeoutInMinutes?: number) =>
  stage('Approve', [action('Approve', { category: 'Approval', provider: 'Manual', ...(timeoutInMinutes === undefined ? {} : { timeoutInMinutes }) })]);

describe('local CodePipeline: approvals, timeouts and stops', () => {
  it('row 11: a manual approval waits for PutApprovalResult with its token; Approved succeeds, Rejected fails, a wrong token is refused', async () => {
    const { pipeline } = localPipeline(declaration([approve(), stage('Deploy', [action('Ship')])]));
    const first = pipeline.startPipelineExecution({ name: 'demo' }).pipelineExecutionId;
    const token = await pendingToken(pipeline, 'Approve', 'Approve');
    const state = getPipelineState(pipeline, { name: 'demo' }) as { stageStates: { stageName: string; actionStates: { latestExecution?: { token?: string } }[] }[] };
    expect(state.stageStates.find((candidate) => candidate.stageName === 'Approve')?.actionStates[0]?.latestExecution?.token).toBe(token);
    expect(() => pipeline.putApprovalResult({ pipelineName: 'demo', stageName: 'Approve', actionName: 'Approve', token: 'wrong', result: { status: 'Approved', summary: 'ok' } })).toThrow(
      expect.objectContaining({ name: 'InvalidApprovalTokenException' }) as Error,
    );
    pipeline.putApprovalResult({ pipelineName: 'demo', stageName: 'Approve', actionName: 'Approve', token, result: { status: 'Approved', summary: 'ship it' } });
    await pipeline.settled();
    const second = pipeline.startPipelineExecution({ name: 'demo' }).pipelineExecutionId;
    pipeline.putApprovalResult({ pipelineName: 'demo', stageName: 'Approve', actionName: 'Approve', token: await pendingToken(pipeline, 'Approve', 'Approve'), result: { status: 'Rejected', summary: 'not today' } });
    await pipeline.settled();
    expect([first, second].map((id) => pipeline.executions.get(id)?.status)).toEqual(['Succeeded', 'Failed']);
    expect(pipeline.actionExecutions.filter((record) => record.actionName === 'Approve').map((record) => record.summary)).toEqual(['ship it', 'not today']);
  });

  it('row 12: an unanswered approval fails when its TimeoutInMinutes passes', async () => {
    const { pipeline } = localPipeline(declaration([approve(5)]));
    const started = performance.now();
    const id = await startAndSettle(pipeline);
    expect(pipeline.executions.get(id)?.status).toBe('Failed');
    expect(pipeline.actionExecutions.find((record) => record.actionName === 'Approve')?.summary).toContain('timed out after 5 minute(s)');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('row 13: any other action fails after CodePipeline’s one-hour action timeout, and its runner is told to stop', async () => {
    let aborted = false;
    const { pipeline } = localPipeline(declaration([stage('Check', [action('HealthCheck', { category: 'Invoke', provider: 'StepFunctions' })])]), {
      HealthCheck: (invocation) =>
        new Promise((resolve) => {
          invocation.signal.addEventListener('abort', () => {
            aborted = true;
            resolve({ status: 'Succeeded' });
          });
        }),
    });
    const id = await startAndSettle(pipeline);
    expect(pipeline.actionExecutions.find((record) => record.actionName === 'HealthCheck')).toMatchObject({ status: 'Failed', summary: expect.stringContaining('timed out after 60 minute(s)') as string });
    expect(pipeline.executions.get(id)?.status).toBe('Failed');
    expect(aborted).toBe(true);
  });

  it('row 21: StopPipelineExecution with abandon abandons running actions; without it they finish; both end Stopped', async () => {
    const slow = () => new Promise<{ status: 'Succeeded' }>((resolve) => setTimeout(() => { resolve({ status: 'Succeeded' }); }, 30));
    const { pipeline } = localPipeline(declaration([stage('Deploy', [action('Ship', { category: 'Deploy', provider: 'CloudFormation' })]), stage('After', [action('Next')])]), { Ship: slow });
    const abandoned = pipeline.startPipelineExecution({ name: 'demo' }).pipelineExecutionId;
    await new Promise((resolve) => setTimeout(resolve, 10));
    pipeline.stopPipelineExecution({ pipelineName: 'demo', pipelineExecutionId: abandoned, abandon: true, reason: 'operator' });
    await pipeline.settled();
    const finished = pipeline.startPipelineExecution({ name: 'demo' }).pipelineExecutionId;
    await new Promise((resolve) => setTimeout(resolve, 10));
    pipeline.stopPipelineExecution({ pipelineName: 'demo', pipelineExecutionId: finished });
    await pipeline.settled();
    const ship = (id: string) => pipeline.actionExecutions.find((record) => record.pipelineExecutionId === id && record.actionName === 'Ship')?.status;
    expect([ship(abandoned), ship(finished)]).toEqual(['Abandoned', 'Succeeded']);
    expect([abandoned, finished].map((id) => pipeline.executions.get(id)?.status)).toEqual(['Stopped', 'Stopped']);
    expect(pipeline.actionExecutions.some((record) => record.actionName === 'Next')).toBe(false);
    expect(() => pipeline.stopPipelineExecution({ pipelineName: 'demo', pipelineExecutionId: finished })).toThrow(expect.objectContaining({ name: 'PipelineExecutionNotStoppableException' }) as Error);
  });
});
