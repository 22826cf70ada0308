/**
 * What the local CodePipeline recorded for one scenario, read back the way an operator would read
 * AWS: over the endpoint with the SDK (ListPipelineExecutions, GetPipelineExecution,
 * ListActionExecutions), never from the pipeline's internals. Plus a pure comparison of those
 * executions with what the scenario expects.
 */
import {
  GetPipelineExecutionCommand,
  ListActionExecutionsCommand,
  ListPipelineExecutionsCommand,
  type CodePipelineClient,
} from '@aws-sdk/client-codepipeline';
import { PIPELINE_VARIABLES } from '../../pipeline/domain/pipeline-vocabulary.js';
import type { ExpectedOutcome, ExpectedStageResult } from '../scenario-definition.js';

/** One execution as the API shows it, with each stage's result from its action executions. */
export interface ExecutionView {
  readonly id: string;
  readonly status: string;
  readonly type: string;
  readonly triggerType: string;
  readonly startedAt: Date;
  readonly commitId?: string;
  /** Started with KIRO_ROLLBACK=true (the full rollback's restart). */
  readonly rollbackRestart: boolean;
  /** Stages whose actions ran: Failed when any action did not succeed. */
  readonly stages: Readonly<Record<string, 'Succeeded' | 'Failed'>>;
}

/** Reads every execution started at or after `since`, oldest first. */
export async function readExecutions(client: Pick<CodePipelineClient, 'send'>, pipelineName: string, since: Date): Promise<ExecutionView[]> {
  const listed = await client.send(new ListPipelineExecutionsCommand({ pipelineName, maxResults: 100 }));
  const summaries = (listed.pipelineExecutionSummaries ?? []).filter((summary) => (summary.startTime?.getTime() ?? 0) >= since.getTime());
  const views: ExecutionView[] = [];
  for (const summary of summaries.reverse()) {
    const id = summary.pipelineExecutionId ?? '';
    const execution = (await client.send(new GetPipelineExecutionCommand({ pipelineName, pipelineExecutionId: id }))).pipelineExecution;
    const actions = (await client.send(new ListActionExecutionsCommand({ pipelineName, filter: { pipelineExecutionId: id }, maxResults: 100 }))).actionExecutionDetails ?? [];
    const stages: Record<string, 'Succeeded' | 'Failed'> = {};
    for (const action of actions) {
      const stage = action.stageName ?? '';
      stages[stage] = action.status === 'Succeeded' && stages[stage] !== 'Failed' ? 'Succeeded' : 'Failed';
    }
    const commitId = summary.sourceRevisions?.[0]?.revisionId;
    views.push({
      id,
      status: execution?.status ?? summary.status ?? 'Unknown',
      type: execution?.executionType ?? 'STANDARD',
      triggerType: summary.trigger?.triggerType ?? 'unknown',
      startedAt: summary.startTime ?? new Date(0),
      ...(commitId === undefined ? {} : { commitId }),
      rollbackRestart: (execution?.variables ?? []).some((variable) => variable.name === PIPELINE_VARIABLES.rollback.name && variable.resolvedValue === 'true'),
      stages,
    });
  }
  return views;
}

/** The release's execution: the newest standard, non-rollback execution of the commit (a self-mutation restarts it). */
export function releaseExecution(executions: readonly ExecutionView[], commitId: string): ExecutionView | undefined {
  return executions.filter((execution) => execution.type === 'STANDARD' && !execution.rollbackRestart && execution.commitId === commitId).at(-1);
}

function stageResult(execution: ExecutionView, stage: string): ExpectedStageResult {
  return execution.stages[stage] ?? 'not-run';
}

/** Every difference between the executions read back and what the scenario expects of them. */
export function compareExecutions(expected: ExpectedOutcome, executions: readonly ExecutionView[], releaseCommit: string): string[] {
  const differences: string[] = [];
  const release = releaseExecution(executions, releaseCommit);
  if (release === undefined) return [`no standard execution of the release ${releaseCommit.slice(0, 8)} was found (ListPipelineExecutions).`];
  for (const [stage, wanted] of Object.entries(expected.stages ?? {})) {
    const got = stageResult(release, stage);
    if (got !== wanted) differences.push(`release execution, stage ${stage}: expected ${wanted}, ListActionExecutions shows ${got}.`);
  }
  if (expected.releaseStatus !== undefined && release.status !== expected.releaseStatus) differences.push(`release execution: expected ${expected.releaseStatus}, GetPipelineExecution shows ${release.status}.`);
  const restarts = executions.filter((execution) => execution.rollbackRestart);
  const restart = restarts.at(-1);
  if (expected.restart === undefined && restart !== undefined) differences.push(`an unexpected rollback restart ${restart.id} (KIRO_ROLLBACK=true) ran.`);
  if (expected.restart !== undefined) {
    if (restart === undefined) {
      differences.push('expected a full rollback restart (StartPipelineExecution with KIRO_ROLLBACK=true), but none ran.');
    } else {
      for (const [stage, wanted] of Object.entries(expected.restart.stages)) {
        const got = stageResult(restart, stage);
        if (got !== wanted) differences.push(`rollback restart, stage ${stage}: expected ${wanted}, ListActionExecutions shows ${got}.`);
      }
      if (restart.status !== expected.restart.status) differences.push(`rollback restart: expected ${expected.restart.status}, GetPipelineExecution shows ${restart.status}.`);
    }
  }
  if (expected.stageRollbacks !== undefined) {
    const rolledBack = [...new Set(executions.filter((execution) => execution.type === 'ROLLBACK').flatMap((execution) => Object.keys(execution.stages)))].sort();
    const wanted = [...expected.stageRollbacks].sort();
    if (JSON.stringify(rolledBack) !== JSON.stringify(wanted)) differences.push(`stage rollbacks: expected [${wanted.join(', ')}], the pipeline ran [${rolledBack.join(', ')}].`);
  }
  if (expected.noCancelledExecution === true && restart !== undefined) {
    const after = executions.filter((execution) => execution.startedAt >= restart.startedAt);
    for (const execution of after) {
      if (execution.status === 'Cancelled') differences.push(`execution ${execution.id} was Cancelled after the rollback restart started (a pipeline update undid it).`);
      if (execution.id !== restart.id && execution.triggerType === 'CreatePipeline') differences.push(`execution ${execution.id} was restarted by a pipeline update after the rollback restart (RestartExecutionOnUpdate, default variables).`);
    }
  }
  return differences;
}
