/**
 * The deployment-history model shared by the recorder, the health monitor, the rollback
 * orchestrator, the metrics and the CLI. Pure types: no AWS, no I/O.
 *
 * History is event-sourced: every fact arrives as a {@link HistoryEvent} with a stable `eventId`
 * (recording the same event twice changes nothing), and a {@link DeploymentRecord} is the state
 * derived from all events of one execution in one environment, whatever order they arrived in.
 */
import type { EnvironmentName } from '../../shared/config/environment-names.js';

export type { EnvironmentName };

/** The commit a pipeline execution carries. */
export interface CommitInfo {
  /** Full 40-character SHA. */
  readonly id: string;
  readonly message?: string;
  readonly author?: string;
  /** Link to the commit on GitHub. */
  readonly url?: string;
  /** ISO-8601 time the commit was made (for lead time). */
  readonly committedAt?: string;
}

/** Fields every history event carries. */
interface HistoryEventBase {
  /** Stable id: the EventBridge event id, or one derived from the fact itself. Duplicates share it. */
  readonly eventId: string;
  readonly pipelineName: string;
  /** CodePipeline execution id the fact belongs to. */
  readonly executionId: string;
  /** ISO-8601 time at which the fact happened (the event's `time`), not when it was recorded. */
  readonly at: string;
}

/** CodePipeline execution states, as in "CodePipeline Pipeline Execution State Change". */
export type ExecutionState = 'STARTED' | 'RESUMED' | 'STOPPING' | 'STOPPED' | 'CANCELED' | 'SUPERSEDED' | 'FAILED' | 'SUCCEEDED';
/** CodePipeline stage states, as in "CodePipeline Stage Execution State Change". */
export type StageState = 'STARTED' | 'RESUMED' | 'STOPPING' | 'STOPPED' | 'CANCELED' | 'FAILED' | 'SUCCEEDED';
/** CodePipeline action states, as in "CodePipeline Action Execution State Change". */
export type ActionState = 'STARTED' | 'ABANDONED' | 'CANCELED' | 'FAILED' | 'SUCCEEDED';

export interface ExecutionEvent extends HistoryEventBase {
  readonly kind: 'execution';
  readonly state: ExecutionState;
  readonly commit?: CommitInfo;
  /** What started the execution: `Webhook`, `StartPipelineExecution`, `RollbackStage`, ... (execution-trigger.trigger-type). */
  readonly triggerType?: string;
  readonly triggerDetail?: string;
}

export interface StageEvent extends HistoryEventBase {
  readonly kind: 'stage';
  readonly stage: string;
  /** The environment the stage deploys, when it deploys one. */
  readonly environment?: EnvironmentName;
  readonly state: StageState;
}

export interface ActionEvent extends HistoryEventBase {
  readonly kind: 'action';
  readonly stage: string;
  readonly action: string;
  readonly environment?: EnvironmentName;
  readonly state: ActionState;
  readonly summary?: string;
  /** Action category from the event's `type.category` (`Source`, `Build`, `Deploy`, `Approval`, ...). */
  readonly category?: string;
  /** The commit a source action fetched (its `execution-result`), when this is a source action. */
  readonly commit?: CommitInfo;
  /**
   * Where CodePipeline stored the output artifacts of a SUCCEEDED action of the Build stage (the
   * event's `output-artifacts[].s3location`): the release's synthesized assembly and its SBOMs.
   */
  readonly outputArtifacts?: readonly ArtifactLocation[];
}

/** An S3 object of the pipeline's artifact store (a zip CodePipeline wrote). */
export interface ArtifactLocation {
  /** The artifact's name in the pipeline. */
  readonly name: string;
  readonly bucket: string;
  readonly key: string;
}

/**
 * The folder inside the Build action's output artifact (its `cdk.out`) that holds the release's
 * CycloneDX SBOMs: the buildspec runs `kiro-cd sbom --output-dir cdk.out/sbom`.
 */
export const SBOM_FOLDER_IN_BUILD_ARTIFACT = 'sbom/';

/** Where a release's SBOMs are kept: inside the zip object `s3://bucket/key`, under `path`. */
export interface SbomLocation {
  readonly bucket: string;
  readonly key: string;
  readonly path: string;
}

/** Severity the configuration gives an alarm. */
export type AlarmSeverity = 'critical' | 'warning';
/** CloudWatch alarm states, plus `MISSING` for an alarm that could not be found or read. */
export type AlarmStateValue = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA' | 'MISSING';

export interface HealthCheckEvent extends HistoryEventBase {
  readonly kind: 'health-check';
  readonly environment: EnvironmentName;
  /** `pass` at the end of a clean bake; `fail` rolls back; `pause-for-review` waits for a person; `check` is one poll. */
  readonly verdict: 'check' | 'pass' | 'fail' | 'pause-for-review' | 'review-approved' | 'review-rejected';
  readonly reason: string;
  readonly alarms: readonly { readonly name: string; readonly severity: AlarmSeverity; readonly state: AlarmStateValue }[];
}

export interface RollbackEvent extends HistoryEventBase {
  readonly kind: 'rollback';
  readonly rollbackId: string;
  /** `stage`: the current stage only; `full`: every environment back to the last known good release. */
  readonly scope: 'stage' | 'full';
  readonly phase: 'started' | 'succeeded' | 'failed';
  readonly environment: EnvironmentName;
  /** Execution whose artifacts are being restored, when known. */
  readonly targetExecutionId?: string;
  readonly targetCommitId?: string;
  /** What set it off: `alarm:<name>`, `action-failed:<action>`, `health-check`, `manual:<user>`, ... */
  readonly trigger: string;
  readonly reason: string;
  /**
   * Failed phase only: whether the rollback had started anything in the pipeline (a stage rollback or
   * a restart) before it ended. A manual rollback that moved nothing leaves the deployment's status
   * alone: the release still runs. Absent on events written before this field existed (treated as true).
   */
  readonly movedPipeline?: boolean;
}

export interface ApprovalEvent extends HistoryEventBase {
  readonly kind: 'approval';
  readonly environment: EnvironmentName;
  readonly decision: 'requested' | 'approved' | 'rejected' | 'timed-out';
  readonly actor?: string;
  readonly comment?: string;
}

/** One fact about a deployment. */
export type HistoryEvent = ExecutionEvent | StageEvent | ActionEvent | HealthCheckEvent | RollbackEvent | ApprovalEvent;

/** Where a deployment into one environment stands. */
export type DeploymentStatus = 'in-progress' | 'succeeded' | 'failed' | 'stopped' | 'rolled-back';
/** Where that deployment's post-deployment health check stands. */
export type HealthStatus = 'pending' | 'passed' | 'failed' | 'paused';

/** The derived state of one execution in one environment. */
export interface DeploymentRecord {
  readonly pipelineName: string;
  readonly executionId: string;
  readonly environment: EnvironmentName;
  readonly commit: CommitInfo;
  readonly status: DeploymentStatus;
  readonly health: HealthStatus;
  /** ISO-8601. */
  readonly startedAt: string;
  readonly finishedAt?: string;
  /** True when this execution is itself a rollback (it restores an earlier release). */
  readonly isRollback: boolean;
  /** Why it failed, stopped or was rolled back. */
  readonly reason?: string;
  /**
   * The release's SBOMs (the Build action's output artifact), when this execution built them; a
   * stage rollback re-runs no build and so names none (the release it restores has its own record).
   */
  readonly sbom?: SbomLocation;
}

/** What to read back from the history. Every filter is optional; results are newest first. */
export interface HistoryQuery {
  readonly environment?: EnvironmentName;
  readonly commitId?: string;
  /** Inclusive lower bound on `startedAt`. */
  readonly from?: Date;
  /** Exclusive upper bound on `startedAt`. */
  readonly to?: Date;
  readonly limit?: number;
}
