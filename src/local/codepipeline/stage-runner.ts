/**
 * Runs the actions of one stage as CodePipeline does: actions grouped by RunOrder, the same run
 * order side by side, the next group only after every action of the previous one succeeded
 * ([ActionDeclaration runOrder](https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionDeclaration.html));
 * each action bounded by its documented timeout; output variables published under the action's
 * namespace for later actions and stages.
 */
import type { ActionDeclaration, StageDeclaration } from './declaration.js';
import type { ActionResult, ActionRunner } from './action-runner.js';
import { actionTimeoutMilliseconds } from './action-timeouts.js';
import type { ActionExecutionRecord, ExecutionRecord } from './execution-records.js';
import { resolveConfiguration, type VariableScope } from './variable-resolution.js';

/** What the stage runner needs from the pipeline. */
export interface StageRunContext {
  readonly pipelineName: string;
  readonly structureVersion: number;
  readonly execution: ExecutionRecord;
  readonly now: () => Date;
  readonly sleep: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  readonly newId: () => string;
  /** The execution's variables as actions of this stage see them (recomputed per run order). */
  readonly scope: () => VariableScope;
  readonly runnerFor: (action: ActionDeclaration) => ActionRunner | undefined;
  readonly recordAction: (record: ActionExecutionRecord) => void;
  readonly actionChanged: (record: ActionExecutionRecord) => void;
}

/** How a stage's actions ended. */
export type StageActionsOutcome = { readonly kind: 'succeeded' } | { readonly kind: 'failed'; readonly action: string; readonly summary: string } | { readonly kind: 'aborted' };

function groupsOf(actions: readonly ActionDeclaration[]): ActionDeclaration[][] {
  const orders = [...new Set(actions.map((action) => action.runOrder))].sort((a, b) => a - b);
  return orders.map((order) => actions.filter((action) => action.runOrder === order));
}

async function runOne(action: ActionDeclaration, stage: StageDeclaration, context: StageRunContext): Promise<ActionExecutionRecord> {
  const { execution } = context;
  const started = context.now();
  let resolved: Record<string, string> = {};
  let resolveError: string | undefined;
  try {
    resolved = resolveConfiguration(action.configuration, context.scope());
  } catch (error) {
    resolveError = error instanceof Error ? error.message : String(error);
  }
  const record: ActionExecutionRecord = {
    actionExecutionId: context.newId(),
    pipelineExecutionId: execution.id,
    pipelineVersion: context.structureVersion,
    stageName: stage.name,
    actionName: action.name,
    actionTypeId: { category: action.category, owner: 'AWS', provider: action.provider, version: '1' },
    configuration: action.configuration,
    resolvedConfiguration: resolved,
    ...(action.namespace === undefined ? {} : { namespace: action.namespace }),
    startTime: started,
    lastUpdateTime: started,
    status: 'InProgress',
    outputVariables: {},
  };
  context.recordAction(record);
  const finish = (status: ActionExecutionRecord['status'], summary: string | undefined, outputs: Readonly<Record<string, string>> = {}, externalId?: string): ActionExecutionRecord => {
    record.status = status;
    if (summary !== undefined) record.summary = summary;
    if (externalId !== undefined) record.externalExecutionId = externalId;
    record.outputVariables = { ...outputs };
    record.lastUpdateTime = context.now();
    delete record.token;
    if (status === 'Succeeded' && action.namespace !== undefined) execution.outputs[action.namespace] = { ...outputs };
    context.actionChanged(record);
    return record;
  };
  if (resolveError !== undefined) return finish('Failed', resolveError);
  const runner = context.runnerFor(action);
  if (runner === undefined) return finish('Failed', `The local CodePipeline has no runner for ${action.category}/${action.provider} actions (${stage.name}.${action.name}).`);

  const actionController = new AbortController();
  const onExecutionAbort = (): void => {
    actionController.abort();
  };
  execution.controller.signal.addEventListener('abort', onExecutionAbort, { once: true });
  const timer = new AbortController();
  const timeoutMs = actionTimeoutMilliseconds(action);
  type Ending = { readonly kind: 'result'; readonly result: ActionResult } | { readonly kind: 'timeout' } | { readonly kind: 'aborted' };
  const aborted = new Promise<Ending>((resolve) => {
    actionController.signal.addEventListener('abort', () => { resolve({ kind: 'aborted' }); }, { once: true });
  });
  try {
    const ending = await Promise.race<Ending>([
      runner({
        pipelineName: context.pipelineName,
        executionId: execution.id,
        executionType: execution.type,
        stageName: stage.name,
        action,
        configuration: resolved,
        ...(execution.sourceRevisionOverride === undefined ? {} : { sourceRevision: execution.sourceRevisionOverride }),
        variables: execution.variables,
        signal: actionController.signal,
      }).then(
        (result): Ending => ({ kind: 'result', result }),
        (error: unknown): Ending => ({ kind: 'result', result: { status: 'Failed', summary: error instanceof Error ? error.message : String(error) } }),
      ),
      context.sleep(timeoutMs, timer.signal).then((): Ending => (timer.signal.aborted ? { kind: 'aborted' } : { kind: 'timeout' })),
      aborted,
    ]);
    if (ending.kind === 'timeout') {
      actionController.abort();
      return finish('Failed', `The action timed out after ${timeoutMs / 60_000} minute(s) (CodePipeline's action timeout).`);
    }
    if (ending.kind === 'aborted' || actionController.signal.aborted) return finish('Abandoned', 'The action was abandoned: its execution was stopped or cancelled.');
    return finish(ending.result.status, ending.result.summary, ending.result.outputVariables, ending.result.externalExecutionId);
  } finally {
    timer.abort();
    execution.controller.signal.removeEventListener('abort', onExecutionAbort);
  }
}

/** Runs every action of `stage` group by group; stops after the first group with a failed action. */
export async function runStageActions(stage: StageDeclaration, context: StageRunContext): Promise<StageActionsOutcome> {
  for (const group of groupsOf(stage.actions)) {
    // Side by side: a failure does not stop the group's other actions; the stage fails once all have ended.
    const records = await Promise.all(group.map((action) => runOne(action, stage, context)));
    // Stopped (either mode) or cancelled: the next run order does not start.
    if (context.execution.controller.signal.aborted || context.execution.status !== 'InProgress') return { kind: 'aborted' };
    const failed = records.find((record) => record.status !== 'Succeeded');
    if (failed !== undefined) return { kind: 'failed', action: failed.actionName, summary: failed.summary ?? failed.status };
  }
  return { kind: 'succeeded' };
}
