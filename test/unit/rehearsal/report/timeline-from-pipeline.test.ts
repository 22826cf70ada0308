import { describe, expect, it } from 'vitest';
import { timelineFromPipeline } from '../../../../src/rehearsal/report/timeline-from-pipeline.js';
import { action, declaration, localPipeline, pendingToken, stage } from '../../local/codepipeline/pipeline-fixture.js';

describe('timelineFromPipeline', () => {
  it('draws lanes per stage in pipeline order, bars per action execution (skipped stages too), and marks for approvals and rollbacks', async () => {
    const skipOnRollback = { result: 'SKIP', rules: [{ name: 'NotARollback', provider: 'VariableCheck', configuration: { Variable: '#{variables.KIRO_ROLLBACK}', Operator: 'EQ', Value: 'false' } }] };
    const { pipeline, clock } = localPipeline(
      declaration([
        stage('Approve', [action('Approve', { category: 'Approval', provider: 'Manual' })], { beforeEntry: [skipOnRollback] }),
        stage('Deploy', [action('Ship', { configuration: { Commit: '#{SourceVariables.CommitId}' } })], { onFailure: { result: 'ROLLBACK', rules: [] } }),
      ]),
      { Ship: (invocation) => Promise.resolve(invocation.configuration.Commit === 'bad' ? { status: 'Failed', summary: 'alarm' } : { status: 'Succeeded' }) },
    );
    const startedAt = clock.now();
    const good = pipeline.startPipelineExecution({ name: 'demo', sourceRevisions: [{ revisionValue: 'good' }], variables: [{ name: 'KIRO_ROLLBACK', value: 'true' }] }).pipelineExecutionId;
    await pipeline.settled();
    const bad = pipeline.startPipelineExecution({ name: 'demo', sourceRevisions: [{ revisionValue: 'bad' }] }).pipelineExecutionId;
    pipeline.putApprovalResult({ pipelineName: 'demo', stageName: 'Approve', actionName: 'Approve', token: await pendingToken(pipeline, 'Approve', 'Approve'), result: { status: 'Approved', summary: 'by sre' } });
    await pipeline.settled();
    const ids = new Set(pipeline.executions.keys());
    const timeline = timelineFromPipeline(pipeline, { scenario: 'demo', description: 'd', differences: [], executionIds: ids, startedAt, endedAt: clock.now(), marks: [{ kind: 'commit', at: startedAt.toISOString(), label: 'pushed bad' }] });
    expect(timeline.passed).toBe(true);
    expect(timeline.lanes.map((lane) => lane.stage)).toEqual(['Source', 'Approve', 'Deploy']);
    const approve = timeline.lanes[1]?.bars.map((bar) => `${bar.executionId === good ? 'good' : 'bad'}:${bar.status}`);
    expect(approve).toEqual(['good:Skipped', 'bad:Succeeded']);
    const deploy = timeline.lanes[2]?.bars.map((bar) => `${bar.executionType ?? ''}:${bar.status}`);
    expect(deploy).toEqual(['STANDARD:Succeeded', 'STANDARD:Failed', 'ROLLBACK:Succeeded']);
    expect(timeline.marks.map((mark) => mark.kind)).toEqual(['commit', 'approval', 'rollback']);
    expect(timeline.marks.find((mark) => mark.kind === 'rollback')).toMatchObject({ stage: 'Deploy', label: expect.stringContaining('AutomatedRollback') as string });
    expect(bad).not.toBe(good);
  });
});
