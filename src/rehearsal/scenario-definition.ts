/**
 * What a rehearsal scenario is: what the people around the pipeline do (the commit pushed, alarms
 * changed and how they reach the monitor, the approver's and reviewer's answers, what the CodeBuild
 * actions that cannot run here report, an operator's command) and what must have happened when
 * everything has settled. The scenarios themselves are data in `scenarios.ts`.
 */
import type { DeploymentStatus, EnvironmentName, HealthStatus } from '../pipeline/domain/history-model.js';
import type { CommitChange } from './release-repository.js';
import type { NoticeKind } from '../pipeline/domain/notice.js';

/** The names `npm start -- --scenario <name>` accepts, in the order they run. */
export const SCENARIO_NAMES = [
  'first-release-fails-escalates',
  'clean-release',
  'critical-alarm-stage-rollback',
  'failed-stage-rollback-full-rollback',
  'warning-alarm-review-approved',
  'warning-alarm-review-rejected',
  'warning-alarm-review-unanswered',
  'alarm-event-wakes-monitor',
  'alarm-firing-while-rolling-back',
  'rollback-across-pipeline-change',
  'two-commits-race',
  'application-only-commit',
  'production-approval-rejected',
  'operator-rollback',
  // Last: its configuration change (a production window) stays in every later commit.
  'closed-deployment-window',
] as const;
/** One scenario name. */
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/**
 * An alarm set to ALARM (`SetAlarmState`) when the release's health check starts in the environment.
 * `path`: `poll` leaves it to the monitor's next DescribeAlarms; `event` also delivers CloudWatch's
 * "Alarm State Change" event through the templates' EventBridge rules (the alarm-event function).
 * `until`: the alarm returns to OK when the rollback starts (the bad release is gone), or only once
 * the rollback's own deployment has run (it keeps firing while rolling back).
 */
export interface AlarmStimulus {
  readonly environment: EnvironmentName;
  /** Which configured severity the alarm must have: the first alarm of that severity is set off. */
  readonly severity: 'critical' | 'warning';
  readonly path?: 'poll' | 'event';
  readonly until?: 'rollback-starts' | 'rollback-deployed';
}

/** Newer commits that race the release. */
export interface RacingCommits {
  /** The stage whose start (the release's execution entering it) triggers the pushes. */
  readonly at: string;
  /** How many commits are pushed there. */
  readonly commits: number;
}

/** Where the release under rehearsal must end in one environment. */
export interface ExpectedDeployment {
  readonly status: DeploymentStatus;
  readonly health: HealthStatus;
}

/** A rollback the history must show (started and finished with this phase). */
export interface ExpectedRollback {
  readonly scope: 'stage' | 'full';
  readonly environment: EnvironmentName;
  readonly phase: 'succeeded' | 'failed';
}

/**
 * The release every environment must run when the scenario ends: `release` is the commit under
 * rehearsal; `last-known-good` the release that had passed production's health check before it;
 * `previous` the release the environment ran before the scenario (where a stage rollback returns it);
 * `newer-commit` the newest commit pushed while the release ran (a race).
 */
export type ExpectedRunningRelease = 'release' | 'last-known-good' | 'previous' | 'newer-commit';

/** A stage's result in one execution, read with ListActionExecutions: its actions ran and all succeeded, one failed, or none ran. */
export type ExpectedStageResult = 'Succeeded' | 'Failed' | 'not-run';

/** The full rollback's restart (StartPipelineExecution with KIRO_ROLLBACK=true), when the scenario has one. */
export interface ExpectedRestart {
  /** Each listed stage's result in the restart. */
  readonly stages: Readonly<Record<string, ExpectedStageResult>>;
  /** How the restart ends (GetPipelineExecution). */
  readonly status: 'Succeeded' | 'Failed';
}

/** What the pipeline must have done when the scenario ends. */
export interface ExpectedOutcome {
  /** The release's deployment per environment; an environment left out must not have been deployed at all. */
  readonly deployments: Partial<Record<EnvironmentName, ExpectedDeployment>>;
  /** Environments whose infrastructure stage actually deployed (the others were skipped). */
  readonly infrastructureDeployed: readonly EnvironmentName[];
  /** Every rollback the history must hold for this release; no other rollback may appear. */
  readonly rollbacks: readonly ExpectedRollback[];
  /** Notifications that must have reached the subscribed queue (each kind at least once). */
  readonly notices: readonly NoticeKind[];
  /** Notifications that must not have been sent. */
  readonly absentNotices: readonly NoticeKind[];
  /** The release each listed environment runs at the end (history, and the CodeDeploy deploy records). */
  readonly running: Partial<Record<EnvironmentName, ExpectedRunningRelease>>;
  /** Each listed stage's result in the release's execution (the newest standard execution of the commit). */
  readonly stages?: Readonly<Record<string, ExpectedStageResult>>;
  /** How the release's execution ends (GetPipelineExecution). */
  readonly releaseStatus?: 'Succeeded' | 'Failed' | 'Superseded' | 'Stopped';
  /** How each racing commit's execution ends (GetPipelineExecution), in the order they were pushed. */
  readonly racingStatuses?: readonly ('Succeeded' | 'Failed' | 'Superseded' | 'Stopped')[];
  /** The full rollback's restart; absent means there must be none. */
  readonly restart?: ExpectedRestart;
  /** Stage-rollback executions (RollbackStage, manual or automated) started during the scenario, by stage. */
  readonly stageRollbacks?: readonly string[];
  /** The stage rollbacks CodePipeline must have started by itself (a stage's OnFailure ROLLBACK: trigger AutomatedRollback). */
  readonly automatedStageRollbacks?: readonly string[];
  /** True when no execution of the scenario may end Cancelled (nothing undid a rollback by self-mutation). */
  readonly noCancelledExecution?: boolean;
  /** Commit statuses GitHub must have received for the release, as `<context>=<state>`. */
  readonly commitStatuses?: readonly string[];
}

/** One rehearsal scenario: what people do, and the expected end. */
export interface ScenarioDefinition {
  readonly name: ScenarioName;
  readonly title: string;
  /** One or two sentences for the report: what is rehearsed and why it matters. */
  readonly description: string;
  /** Runs before the baseline release, on a pipeline that has never deployed anything. */
  readonly beforeBaseline?: boolean;
  readonly commit: CommitChange;
  /**
   * True when the commit also changes the pipeline's own definition: its UpdatePipeline stage
   * (self-mutation) updates the pipeline to a new structure version, which cancels the running
   * execution and restarts the pipeline; executions before it are no stage-rollback targets.
   */
  readonly pipelineChange?: boolean;
  /**
   * The commit also changes the deployment configuration. `production-window-closed`: production
   * gets a deployment window that stays closed for the whole rehearsal (rehearsal-config.ts); the
   * commit's self-mutation updates the pipeline to the declaration the CDK app synthesizes from that
   * configuration. Every later commit keeps it, so such a scenario runs last.
   */
  readonly configurationChange?: 'production-window-closed';
  /** Alarms set off while an environment bakes the release. */
  readonly alarms: readonly AlarmStimulus[];
  /** How the reviewer answers a health review (`kiro-cd approve|reject --token`), or nobody answers. */
  readonly reviewAnswer: 'approve' | 'reject' | 'none';
  /** How the approver answers production's manual approval for the release (PutApprovalResult). */
  readonly productionApproval: 'approve' | 'reject';
  /** CodeBuild actions that fail for the release's commit, as `<stage>.<action>` (all others succeed). */
  readonly failingBuilds?: readonly string[];
  /**
   * Newer commits pushed, one right after the other, when the release's execution starts a stage
   * (SUPERSEDED mode decides what becomes of each).
   */
  readonly race?: RacingCommits;
  /** After the release has settled, an operator runs `kiro-cd rollback <environment> --endpoint-url <endpoint>`. */
  readonly operatorRollback?: EnvironmentName;
  readonly expected: ExpectedOutcome;
}
