/** Behaviour table rows 1–5, 14 and 22–24 of docs/local-codepipeline.md: how an execution moves. */
import { describe, expect, it } from 'vitest';
import { getPipelineExecution, getPipelineState, listActionExecutions } from '../../../../src/local/codepipeline/api-views.js';
import { CodePipelineApiError } from '../../../../src/local/codepipeline/api-errors.js';
import { action, declaration, localPipeline, stage, startAndSettle } from './pipeline-fixture.js';

describe('local CodePipeline: execution flow', () => {
  it('row 1: stages run in declaration order and the execution stops at the first failed stage', async () => {
    const { pipeline, calls } = localPipeline(declaration([stage('Build', [action('Compile')]), stage('Test', [action('Unit')]), stage('Deploy', [action('Ship')])]), {
      Unit: { status: 'Failed', summary: 'tests failed' },
    });
    const id = await startAndSettle(pipeline);
    expect(calls).toEqual(['Source.Source', 'Build.Compile', 'Test.Unit']);
    expect(pipeline.executions.get(id)?.status).toBe('Failed');
    expect(pipeline.executions.get(id)?.stages.has('Deploy')).toBe(false);
  });

  it('row 2: the same RunOrder runs side by side, a failure lets its siblings finish, and the next RunOrder never starts', async () => {
    const started: string[] = [];
    let running = 0;
    let most = 0;
    const slow = (name: string, status: 'Succeeded' | 'Failed') => async () => {
      started.push(name);
      running += 1;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 20));
      running -= 1;
      return { status };
    };
    const { pipeline } = localPipeline(
      declaration([stage('Deploy', [action('Check', { runOrder: 3 }), action('A', { runOrder: 2 }), action('B', { runOrder: 2 }), action('Prepare', { runOrder: 1 })])]),
      { Prepare: slow('Prepare', 'Succeeded'), A: slow('A', 'Failed'), B: slow('B', 'Succeeded'), Check: slow('Check', 'Succeeded') },
    );
    const id = await startAndSettle(pipeline);
    expect(started.slice(0, 1)).toEqual(['Prepare']);
    expect(new Set(started.slice(1))).toEqual(new Set(['A', 'B']));
    expect(most).toBe(2);
    const actions = pipeline.actionExecutions.filter((record) => record.pipelineExecutionId === id);
    expect(actions.find((record) => record.actionName === 'B')?.status).toBe('Succeeded');
    expect(pipeline.executions.get(id)?.stages.get('Deploy')?.status).toBe('Failed');
  });

  it('row 3: output variables are published under the namespace and resolved in later configuration; an unknown reference fails the action', async () => {
    const { pipeline } = localPipeline(
      declaration([
        stage('Detect', [action('Detect-test', { namespace: 'Detect@test' })]),
        stage('Deploy', [action('Use', { configuration: { Verdict: '#{Detect@test.INFRA}', Commit: '#{SourceVariables.CommitId}' } })]),
        stage('Broken', [action('Typo', { configuration: { Verdict: '#{Detect@test.NOPE}' } })]),
      ]),
      { 'Detect-test': { status: 'Succeeded', outputVariables: { INFRA: 'deploy' } } },
      { head: 'abc123' },
    );
    const id = await startAndSettle(pipeline);
    const use = pipeline.actionExecutions.find((record) => record.actionName === 'Use');
    expect(use?.resolvedConfiguration).toEqual({ Verdict: 'deploy', Commit: 'abc123' });
    const typo = pipeline.actionExecutions.find((record) => record.actionName === 'Typo');
    expect(typo?.status).toBe('Failed');
    expect(typo?.summary).toContain('#{Detect@test.NOPE}');
    expect(pipeline.executions.get(id)?.status).toBe('Failed');
  });

  it('row 4: #{variables.X} is the declared default overlaid by the start value; an undeclared start variable is a ValidationException', async () => {
    const { pipeline } = localPipeline(declaration([stage('Deploy', [action('Use', { configuration: { Rollback: '#{variables.KIRO_ROLLBACK}' } })])]));
    await startAndSettle(pipeline);
    await startAndSettle(pipeline, { variables: [{ name: 'KIRO_ROLLBACK', value: 'true' }] });
    expect(pipeline.actionExecutions.filter((record) => record.actionName === 'Use').map((record) => record.resolvedConfiguration.Rollback)).toEqual(['false', 'true']);
    expect(() => pipeline.startPipelineExecution({ name: 'demo', variables: [{ name: 'UNDECLARED', value: 'x' }] })).toThrow(
      expect.objectContaining({ name: 'ValidationException' }) as Error,
    );
  });

  it('row 5: #{codepipeline.PipelineExecutionId} is the execution id', async () => {
    const { pipeline } = localPipeline(declaration([stage('Check', [action('Health', { configuration: { Input: '{"executionId":"#{codepipeline.PipelineExecutionId}"}' } })])]));
    const id = await startAndSettle(pipeline);
    expect(pipeline.actionExecutions.find((record) => record.actionName === 'Health')?.resolvedConfiguration.Input).toBe(`{"executionId":"${id}"}`);
  });

  it('row 14: under SUPERSEDED a newer execution waiting for an occupied stage supersedes the older waiting one', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    // A CloudFormation deploy (3-day timeout), so the held stage does not time out while the test waits.
    const { pipeline } = localPipeline(declaration([stage('Build', [action('Compile')]), stage('Deploy', [action('Ship', { category: 'Deploy', provider: 'CloudFormation' })])]), {
      Ship: async () => {
        await gate;
        return { status: 'Succeeded' };
      },
    });
    const first = pipeline.startPipelineExecution({ name: 'demo' }).pipelineExecutionId;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = pipeline.startPipelineExecution({ name: 'demo' }).pipelineExecutionId;
    await new Promise((resolve) => setTimeout(resolve, 20));
    const third = pipeline.startPipelineExecution({ name: 'demo' }).pipelineExecutionId;
    await new Promise((resolve) => setTimeout(resolve, 20));
    release();
    await pipeline.settled();
    expect([first, second, third].map((id) => pipeline.executions.get(id)?.status)).toEqual(['Succeeded', 'Superseded', 'Succeeded']);
  });

  it('row 22: unknown pipeline, execution and stage answer the API reference errors', () => {
    const { pipeline } = localPipeline(declaration([stage('Deploy', [action('Ship')])]));
    const nameOf = (call: () => unknown): string => {
      try {
        call();
        return 'no error';
      } catch (error) {
        return error instanceof CodePipelineApiError ? error.name : String(error);
      }
    };
    expect(nameOf(() => pipeline.startPipelineExecution({ name: 'other' }))).toBe('PipelineNotFoundException');
    expect(nameOf(() => getPipelineExecution(pipeline, { pipelineName: 'demo', pipelineExecutionId: 'nope' }))).toBe('PipelineExecutionNotFoundException');
    expect(nameOf(() => pipeline.rollbackStage({ pipelineName: 'demo', stageName: 'Nope', targetPipelineExecutionId: 'x' }))).toBe('StageNotFoundException');
  });

  it('row 23: the same clientRequestToken answers the same execution', async () => {
    const { pipeline } = localPipeline(declaration([stage('Deploy', [action('Ship')])]));
    const first = pipeline.startPipelineExecution({ name: 'demo', clientRequestToken: 'rollback-1' });
    const again = pipeline.startPipelineExecution({ name: 'demo', clientRequestToken: 'rollback-1' });
    await pipeline.settled();
    expect(again).toEqual(first);
    expect(pipeline.executions.size).toBe(1);
  });

  it('row 24: every state change is an EventBridge event of the documented shape, and the API shows the same story', async () => {
    const { pipeline, events } = localPipeline(declaration([stage('Deploy', [action('Ship')])]));
    const id = await startAndSettle(pipeline);
    const field = (value: unknown): string => (typeof value === 'string' ? value : '');
    const story = events.map((event) => `${event['detail-type'].replace('CodePipeline ', '')}:${field(event.detail.stage)}:${field(event.detail.action)}:${field(event.detail.state)}`);
    expect(story).toEqual([
      'Pipeline Execution State Change:::STARTED',
      'Stage Execution State Change:Source::STARTED',
      'Action Execution State Change:Source:Source:STARTED',
      'Action Execution State Change:Source:Source:SUCCEEDED',
      'Stage Execution State Change:Source::SUCCEEDED',
      'Stage Execution State Change:Deploy::STARTED',
      'Action Execution State Change:Deploy:Ship:STARTED',
      'Action Execution State Change:Deploy:Ship:SUCCEEDED',
      'Stage Execution State Change:Deploy::SUCCEEDED',
      'Pipeline Execution State Change:::SUCCEEDED',
    ]);
    expect(events.every((event) => event.detail['execution-id'] === id && event.detail.pipeline === 'demo')).toBe(true);
    expect(getPipelineState(pipeline, { name: 'demo' })).toMatchObject({ pipelineVersion: 1, stageStates: [{ stageName: 'Source' }, { stageName: 'Deploy', latestExecution: { pipelineExecutionId: id, status: 'Succeeded', type: 'STANDARD' } }] });
    expect((listActionExecutions(pipeline, { pipelineName: 'demo', filter: { pipelineExecutionId: id } }).actionExecutionDetails as unknown[]).length).toBe(2);
  });
});
