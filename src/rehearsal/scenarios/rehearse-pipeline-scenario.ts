/**
 * Runs one {@link PipelineScenario} on the local CodePipeline built from a pipeline declaration and
 * judges it only from what the pipeline recorded (stage statuses, rollback executions, approval
 * action executions). Actions take the outcome the scenario scripts; the source action reports the
 * scenario's revision.
 */
import type { ActionRunner } from '../../local/codepipeline/action-runner.js';
import type { PipelineDeclaration } from '../../local/codepipeline/declaration.js';
import { LocalCodePipeline, type PipelineClock } from '../../local/codepipeline/local-codepipeline.js';
import type { IdGenerator } from '../../shared/id-generator.js';
import type { PipelineScenario } from './pipeline-scenario.js';

/** The verdict: every difference between the expected and the recorded end, in words. */
export interface PipelineScenarioVerdict {
  readonly scenario: string;
  readonly differences: readonly string[];
  readonly pipeline: LocalCodePipeline;
  readonly executionId: string;
}

/** Rehearses `scenario` on a fresh local pipeline running `declaration`. */
export async function rehearsePipelineScenario(
  declaration: PipelineDeclaration,
  scenario: PipelineScenario,
  options: { readonly clock: PipelineClock; readonly ids: IdGenerator; readonly account: string; readonly region: string },
): Promise<PipelineScenarioVerdict> {
  let failing: readonly string[] = [];
  const scripted: ActionRunner = (invocation) => {
    if (invocation.action.category === 'Source') {
      return Promise.resolve({ status: 'Succeeded', outputVariables: { CommitId: invocation.sourceRevision ?? 'branch-head', AuthorDisplayName: 'rehearsal', CommitMessage: scenario.name } });
    }
    const failed = failing.includes(`${invocation.stageName}.${invocation.action.name}`);
    return Promise.resolve({ status: failed ? 'Failed' : 'Succeeded', summary: failed ? 'scripted failure' : 'scripted success', outputVariables: scenario.outputs[invocation.action.name] ?? {} });
  };
  const pipeline = new LocalCodePipeline({ declaration, clock: options.clock, ids: options.ids, account: options.account, region: options.region, runners: () => scripted, alarms: { stateOf: () => Promise.resolve('OK') } });
  pipeline.approvals.onWaiting((approval) => {
    const answer = failing === scenario.failingActions ? scenario.approvals[approval.stageName] : 'Approved';
    if (answer === undefined) return;
    queueMicrotask(() => {
      pipeline.putApprovalResult({ pipelineName: declaration.name, stageName: approval.stageName, actionName: approval.actionName, token: approval.token, result: { status: answer, summary: `${answer} by the rehearsal approver` } });
    });
  });
  if (scenario.baseline) {
    pipeline.startPipelineExecution({ name: declaration.name, sourceRevisions: [{ revisionValue: 'baseline' }] });
    await pipeline.settled();
  }
  failing = scenario.failingActions;
  const { pipelineExecutionId } = pipeline.startPipelineExecution({
    name: declaration.name,
    sourceRevisions: [{ revisionValue: scenario.start.revision }],
    variables: Object.entries(scenario.start.variables ?? {}).map(([name, value]) => ({ name, value })),
  });
  await pipeline.settled();

  const execution = pipeline.executions.get(pipelineExecutionId);
  const differences: string[] = [];
  for (const [stage, wanted] of Object.entries(scenario.expected.stages)) {
    const got = execution?.stages.get(stage)?.status ?? 'not-run';
    if (got !== wanted) differences.push(`${stage}: expected ${wanted}, recorded ${got}${execution?.stages.get(stage)?.summary === undefined ? '' : ` (${execution.stages.get(stage)?.summary ?? ''})`}.`);
  }
  const rolledBack = [...pipeline.executions.values()].filter((candidate) => candidate.type === 'ROLLBACK' && candidate.startedAt >= (execution?.startedAt ?? new Date(0))).flatMap((candidate) => [...candidate.stages.keys()]);
  if (JSON.stringify([...rolledBack].sort()) !== JSON.stringify([...scenario.expected.rolledBack].sort())) differences.push(`rolled back: expected [${scenario.expected.rolledBack.join(', ')}], recorded [${rolledBack.join(', ')}].`);
  const asked = [...new Set(pipeline.actionExecutions.filter((record) => record.pipelineExecutionId === pipelineExecutionId && record.actionTypeId.category === 'Approval').map((record) => record.stageName))];
  if (JSON.stringify(asked.sort()) !== JSON.stringify([...scenario.expected.approvalsAsked].sort())) differences.push(`approvals asked: expected [${scenario.expected.approvalsAsked.join(', ')}], recorded [${asked.join(', ')}].`);
  return { scenario: scenario.name, differences, pipeline, executionId: pipelineExecutionId };
}
