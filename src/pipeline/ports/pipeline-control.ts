import { KiroCdError } from '../../shared/errors.js';

/** Status of a pipeline execution, as CodePipeline reports it. */
export type PipelineExecutionStatus = 'Cancelled' | 'InProgress' | 'Stopped' | 'Stopping' | 'Succeeded' | 'Superseded' | 'Failed';

/** The latest execution of one stage (GetPipelineState `stageStates[].latestExecution`). */
export interface StageExecution {
  readonly executionId: string;
  readonly status: 'Cancelled' | 'InProgress' | 'Failed' | 'Stopped' | 'Stopping' | 'Succeeded' | 'Skipped';
  /** `ROLLBACK` when the execution is itself a stage rollback. */
  readonly type: 'STANDARD' | 'ROLLBACK';
}

/**
 * A stage rollback CodePipeline is running: the stage's latest execution (GetPipelineState) is a
 * `ROLLBACK` execution still in progress, and `targetExecutionId` is its
 * `rollbackMetadata.rollbackTargetPipelineExecutionId` (ListPipelineExecutions).
 */
export interface StageRollbackInProgress {
  readonly stage: string;
  readonly executionId: string;
  readonly targetExecutionId: string;
}

/** What a full rollback asks CodePipeline to run. */
export interface RedeployRequest {
  /** The commit every environment returns to. */
  readonly commitId: string;
  /** Pipeline variables set on the new execution (the rollback marker the pipeline's conditions read). */
  readonly variables: Readonly<Record<string, string>>;
  /** Client token: the same token twice starts one execution. */
  readonly clientRequestToken: string;
}

/** Controls the delivery pipeline: the calls a rollback needs. */
export interface PipelineControl {
  /** RollbackStage: re-runs `stage` with the artifacts of `targetExecutionId`; returns the new execution id. */
  rollbackStage(stage: string, targetExecutionId: string): Promise<string>;
  /** StartPipelineExecution with the source revision overridden to `commitId`; returns the new execution id. */
  redeploy(request: RedeployRequest): Promise<string>;
  /** GetPipelineExecution: the status of one execution. */
  executionStatus(executionId: string): Promise<PipelineExecutionStatus>;
  /** GetPipelineState: the latest execution of a stage, if it ever ran. */
  stageExecution(stage: string): Promise<StageExecution | undefined>;
  /**
   * The stage rollbacks running now, each with the target it returns to (GetPipelineState and
   * ListPipelineExecutions). A retried rollback step adopts its own earlier RollbackStage from this
   * instead of calling again, which CodePipeline would refuse while that rollback runs.
   */
  stageRollbacksInProgress(): Promise<readonly StageRollbackInProgress[]>;
}

/** CodePipeline is busy (ConflictException) or throttling: retry with backoff. */
export class PipelineBusyError extends KiroCdError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { code: 'PIPELINE_BUSY', fault: 'transient', context, cause });
  }
}

/**
 * CodePipeline refuses the stage rollback for good (UnableToRollbackStageException on a stage that
 * is not running, PipelineExecutionOutdatedException): the target is not in the current pipeline
 * structure version, is itself a rollback, or is outdated. Retrying the same call will not help; the
 * orchestrator falls back to a full rollback. (A refusal while the stage runs is a PipelineBusyError.)
 */
export class NoRollbackTargetError extends KiroCdError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { code: 'NO_ROLLBACK_TARGET', fault: 'internal', context, cause });
  }
}
