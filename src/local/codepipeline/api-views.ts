/**
 * The read operations of the CodePipeline API over the local pipeline's records, in the API's JSON
 * shapes: [GetPipelineState](https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_GetPipelineState.html),
 * [GetPipelineExecution](https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_GetPipelineExecution.html),
 * [ListPipelineExecutions](https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ListPipelineExecutions.html),
 * [ListActionExecutions](https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ListActionExecutions.html),
 * [GetPipeline](https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_GetPipeline.html).
 * Times are `Date`s; the endpoint writes them as epoch seconds, as the JSON protocol does.
 */
import type { ConditionDeclaration } from './declaration.js';
import type { ExecutionRecord } from './execution-records.js';
import type { LocalCodePipeline } from './local-codepipeline.js';

function conditionsView(conditions: readonly ConditionDeclaration[]): unknown {
  return {
    conditions: conditions.map((condition) => ({
      result: condition.result,
      rules: condition.rules.map((rule) => ({ name: rule.name, ruleTypeId: { category: 'Rule', owner: 'AWS', provider: rule.provider, version: '1' }, configuration: rule.configuration })),
    })),
  };
}

function sourceRevisions(pipeline: LocalCodePipeline, execution: ExecutionRecord): unknown[] {
  const source = pipeline.declaration.stages.flatMap((stage) => stage.actions).find((action) => action.category === 'Source');
  const commitId = (source?.namespace === undefined ? undefined : execution.outputs[source.namespace]?.CommitId) ?? execution.sourceRevisionOverride ?? execution.commit?.id;
  return source === undefined || commitId === undefined ? [] : [{ actionName: source.name, revisionId: commitId, ...(execution.commit === undefined ? {} : { revisionSummary: execution.commit.message }) }];
}

function summaryOf(pipeline: LocalCodePipeline, execution: ExecutionRecord): Record<string, unknown> {
  return {
    pipelineExecutionId: execution.id,
    status: execution.status,
    ...(execution.statusSummary === undefined ? {} : { statusSummary: execution.statusSummary }),
    startTime: execution.startedAt,
    lastUpdateTime: execution.lastUpdatedAt,
    sourceRevisions: sourceRevisions(pipeline, execution),
    trigger: execution.trigger,
    executionMode: pipeline.declaration.executionMode,
    executionType: execution.type,
    ...(execution.rollbackTargetExecutionId === undefined ? {} : { rollbackMetadata: { rollbackTargetPipelineExecutionId: execution.rollbackTargetExecutionId } }),
  };
}

/** GetPipelineState. */
export function getPipelineState(pipeline: LocalCodePipeline, input: { readonly name?: string }): Record<string, unknown> {
  pipeline.requirePipeline(input.name);
  return {
    pipelineName: pipeline.declaration.name,
    pipelineVersion: pipeline.structureVersion,
    stageStates: pipeline.declaration.stages.map((stage) => {
      const latest = pipeline.latestExecutionOf(stage.name);
      const status = latest?.stages.get(stage.name)?.status;
      return {
        stageName: stage.name,
        ...(latest === undefined || status === undefined ? {} : { latestExecution: { pipelineExecutionId: latest.id, status, type: latest.type } }),
        actionStates: stage.actions.map((action) => {
          const record = pipeline.actionExecutions.findLast((candidate) => candidate.stageName === stage.name && candidate.actionName === action.name);
          const token = record === undefined ? undefined : pipeline.approvals.tokenFor(record.pipelineExecutionId, stage.name, action.name);
          return {
            actionName: action.name,
            ...(record === undefined
              ? {}
              : {
                  latestExecution: {
                    actionExecutionId: record.actionExecutionId,
                    status: record.status,
                    lastStatusChange: record.lastUpdateTime,
                    ...(record.summary === undefined ? {} : { summary: record.summary }),
                    ...(token === undefined ? {} : { token }),
                  },
                }),
          };
        }),
      };
    }),
  };
}

/** GetPipelineExecution. */
export function getPipelineExecution(pipeline: LocalCodePipeline, input: { readonly pipelineName?: string; readonly pipelineExecutionId?: string }): Record<string, unknown> {
  pipeline.requirePipeline(input.pipelineName);
  const execution = pipeline.requireExecution(input.pipelineExecutionId);
  return {
    // PipelineExecution has no times and no sourceRevisions (those are in the summaries); its revisions are artifactRevisions.
    pipelineExecution: {
      pipelineName: pipeline.declaration.name,
      pipelineVersion: execution.structureVersion,
      pipelineExecutionId: execution.id,
      status: execution.status,
      ...(execution.statusSummary === undefined ? {} : { statusSummary: execution.statusSummary }),
      trigger: execution.trigger,
      executionMode: pipeline.declaration.executionMode,
      executionType: execution.type,
      ...(execution.rollbackTargetExecutionId === undefined ? {} : { rollbackMetadata: { rollbackTargetPipelineExecutionId: execution.rollbackTargetExecutionId } }),
      artifactRevisions: sourceRevisions(pipeline, execution),
      variables: Object.entries(execution.variables).map(([name, resolvedValue]) => ({ name, resolvedValue })),
    },
  };
}

/** ListPipelineExecutions, newest first (`maxResults` default 100). */
export function listPipelineExecutions(pipeline: LocalCodePipeline, input: { readonly pipelineName?: string; readonly maxResults?: number }): Record<string, unknown> {
  pipeline.requirePipeline(input.pipelineName);
  const all = [...pipeline.executions.values()].sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime());
  return { pipelineExecutionSummaries: all.slice(0, input.maxResults ?? 100).map((execution) => summaryOf(pipeline, execution)) };
}

/** ListActionExecutions, newest first, optionally for one execution. */
export function listActionExecutions(
  pipeline: LocalCodePipeline,
  input: { readonly pipelineName?: string; readonly filter?: { readonly pipelineExecutionId?: string }; readonly maxResults?: number },
): Record<string, unknown> {
  pipeline.requirePipeline(input.pipelineName);
  const wanted = input.filter?.pipelineExecutionId;
  if (wanted !== undefined) pipeline.requireExecution(wanted);
  const records = pipeline.actionExecutions.filter((record) => wanted === undefined || record.pipelineExecutionId === wanted).reverse();
  return {
    actionExecutionDetails: records.slice(0, input.maxResults ?? 100).map((record) => ({
      pipelineExecutionId: record.pipelineExecutionId,
      actionExecutionId: record.actionExecutionId,
      pipelineVersion: record.pipelineVersion,
      stageName: record.stageName,
      actionName: record.actionName,
      startTime: record.startTime,
      lastUpdateTime: record.lastUpdateTime,
      status: record.status,
      input: { actionTypeId: record.actionTypeId, configuration: record.configuration, resolvedConfiguration: record.resolvedConfiguration, ...(record.namespace === undefined ? {} : { namespace: record.namespace }) },
      output: { outputVariables: record.outputVariables, executionResult: { ...(record.summary === undefined ? {} : { externalExecutionSummary: record.summary }), ...(record.externalExecutionId === undefined ? {} : { externalExecutionId: record.externalExecutionId }) } },
    })),
  };
}

/** GetPipeline: the declaration in the API's shape. */
export function getPipeline(pipeline: LocalCodePipeline, input: { readonly name?: string }, account: string, region: string): Record<string, unknown> {
  pipeline.requirePipeline(input.name);
  const declaration = pipeline.declaration;
  return {
    pipeline: {
      name: declaration.name,
      version: pipeline.structureVersion,
      pipelineType: declaration.pipelineType,
      executionMode: declaration.executionMode,
      variables: declaration.variables.map((variable) => ({ name: variable.name, defaultValue: variable.defaultValue })),
      stages: declaration.stages.map((stage) => ({
        name: stage.name,
        actions: stage.actions.map((action) => ({
          name: action.name,
          actionTypeId: { category: action.category, owner: 'AWS', provider: action.provider, version: '1' },
          runOrder: action.runOrder,
          configuration: action.configuration,
          ...(action.namespace === undefined ? {} : { namespace: action.namespace }),
          ...(action.timeoutInMinutes === undefined ? {} : { timeoutInMinutes: action.timeoutInMinutes }),
        })),
        ...(stage.beforeEntry.length === 0 ? {} : { beforeEntry: conditionsView(stage.beforeEntry) }),
        ...(stage.onSuccess.length === 0 ? {} : { onSuccess: conditionsView(stage.onSuccess) }),
        ...(stage.onFailure === undefined ? {} : { onFailure: { result: stage.onFailure.result } }),
      })),
    },
    metadata: { pipelineArn: `arn:aws:codepipeline:${region}:${account}:${declaration.name}` },
  };
}
