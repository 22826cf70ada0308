/**
 * What the local CodePipeline records about executions, stages and action executions: the state
 * its API answers from (GetPipelineState, GetPipelineExecution, ListPipelineExecutions,
 * ListActionExecutions) and the rehearsal judges from. Field names follow the API reference.
 */

/** [PipelineExecution](https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineExecution.html) statuses. */
export type ExecutionStatus = 'InProgress' | 'Stopping' | 'Stopped' | 'Succeeded' | 'Superseded' | 'Failed' | 'Cancelled';
/** [StageExecution](https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_StageExecution.html) statuses. */
export type StageStatus = 'InProgress' | 'Stopping' | 'Stopped' | 'Succeeded' | 'Failed' | 'Skipped' | 'Cancelled';
/** [ActionExecution](https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ActionExecution.html) statuses. */
export type ActionStatus = 'InProgress' | 'Abandoned' | 'Succeeded' | 'Failed';

/** [ExecutionTrigger](https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ExecutionTrigger.html). */
export interface ExecutionTrigger {
  /** `Webhook`, `WebhookV2`, `StartPipelineExecution`, `CreatePipeline`, `ManualRollback`, `AutomatedRollback`, ... */
  readonly triggerType: string;
  readonly triggerDetail: string;
}

/** A commit an execution carries, as the webhook and the source action report it. */
export interface TriggerCommitInfo {
  readonly id: string;
  readonly message: string;
  readonly author: string;
  readonly committedAt: string;
  readonly repository: string;
}

/** One stage as one execution ran it. */
export interface StageRecord {
  status: StageStatus;
  readonly startedAt: Date;
  /** Why the stage ended as it did (a condition's rule, an action's failure). */
  summary?: string;
}

/** One pipeline execution. */
export interface ExecutionRecord {
  readonly id: string;
  status: ExecutionStatus;
  statusSummary?: string;
  readonly type: 'STANDARD' | 'ROLLBACK';
  readonly structureVersion: number;
  readonly trigger: ExecutionTrigger;
  readonly commit?: TriggerCommitInfo;
  /** Pipeline-level variables: declared defaults overlaid by the start values. */
  readonly variables: Readonly<Record<string, string>>;
  /** Source revision override (`sourceRevisions`), or the target's revision for a rollback. */
  readonly sourceRevisionOverride?: string;
  readonly startedAt: Date;
  lastUpdatedAt: Date;
  /** Output variables per namespace, as actions produced them. */
  readonly outputs: Record<string, Record<string, string>>;
  readonly stages: Map<string, StageRecord>;
  /** For a rollback execution: the execution whose stage it restores. */
  readonly rollbackTargetExecutionId?: string;
  readonly controller: AbortController;
}

/** One action execution. */
export interface ActionExecutionRecord {
  readonly actionExecutionId: string;
  readonly pipelineExecutionId: string;
  readonly pipelineVersion: number;
  readonly stageName: string;
  readonly actionName: string;
  readonly actionTypeId: { readonly category: string; readonly owner: 'AWS'; readonly provider: string; readonly version: '1' };
  readonly configuration: Readonly<Record<string, string>>;
  readonly resolvedConfiguration: Readonly<Record<string, string>>;
  readonly namespace?: string;
  readonly startTime: Date;
  lastUpdateTime: Date;
  status: ActionStatus;
  summary?: string;
  /** The external execution id (a source action's commit). */
  externalExecutionId?: string;
  outputVariables: Record<string, string>;
  /** The approval's token while it waits (GetPipelineState shows it; PutApprovalResult needs it). */
  token?: string;
}

/** True when the execution has reached an end state. */
export function isFinished(status: ExecutionStatus): boolean {
  return status !== 'InProgress' && status !== 'Stopping';
}
