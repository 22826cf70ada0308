/**
 * What runs an action's real work in the local CodePipeline. The pipeline owns the lifecycle
 * (records, events, run order, timeouts, cancellation); a runner does the work of one provider and
 * answers how it ended, like a job worker answering PutJobSuccessResult / PutJobFailureResult.
 */
import type { ActionDeclaration } from './declaration.js';

/** One action to run. */
export interface ActionInvocation {
  readonly pipelineName: string;
  readonly executionId: string;
  readonly executionType: 'STANDARD' | 'ROLLBACK';
  readonly stageName: string;
  readonly action: ActionDeclaration;
  /** The configuration with every variable reference resolved. */
  readonly configuration: Readonly<Record<string, string>>;
  /** The revision the execution must build (a start override or a rollback's target), if any. */
  readonly sourceRevision?: string;
  /** Pipeline-level variables of the execution. */
  readonly variables: Readonly<Record<string, string>>;
  /** Aborted when the action is abandoned: its timeout passed, the execution was stopped or cancelled. */
  readonly signal: AbortSignal;
}

/** How an action ended. */
export interface ActionResult {
  readonly status: 'Succeeded' | 'Failed';
  /** The external execution summary CodePipeline shows. */
  readonly summary?: string;
  /** The external execution id CodePipeline shows: for a source action, the commit it fetched. */
  readonly externalExecutionId?: string;
  /** Output variables, published under the action's namespace. */
  readonly outputVariables?: Readonly<Record<string, string>>;
}

/** Runs one kind of action. */
export type ActionRunner = (invocation: ActionInvocation) => Promise<ActionResult>;

/** Finds the runner of an action; undefined means the local pipeline cannot run it (the action fails saying so). */
export type ActionRunnerLookup = (stageName: string, action: ActionDeclaration) => ActionRunner | undefined;

/**
 * Runners chosen by `Category/Provider` (`Build/CodeBuild`, `Invoke/StepFunctions`, ...). The manual
 * approval is the pipeline's own and never looked up here.
 */
export function runnersByProvider(runners: Readonly<Record<string, ActionRunner>>): ActionRunnerLookup {
  return (_stage, action) => runners[`${action.category}/${action.provider}`];
}
