/**
 * The order-tolerant fold of history events into deployment records.
 *
 * EventBridge delivers CodePipeline events at least once and in no particular order, so the fold
 * is a function of the *set* of events: duplicates (same `eventId`) are dropped, then the events
 * are put into one canonical order — the time the fact happened, then the precedence of its state
 * (defined as data below), then the event id — before anything is derived. Feeding the same events
 * in any order, any number of times, therefore yields the same records, and a late `STARTED` can
 * never overwrite a `SUCCEEDED` of the same moment.
 */
import { ENVIRONMENT_NAMES } from '../../../shared/config/environment-names.js';
import type {
  ActionEvent,
  CommitInfo,
  DeploymentRecord,
  DeploymentStatus,
  EnvironmentName,
  ExecutionEvent,
  ExecutionState,
  HealthCheckEvent,
  HealthStatus,
  HistoryEvent,
  RollbackEvent,
  SbomLocation,
  StageEvent,
  StageState,
} from '../history-model.js';
import { SBOM_FOLDER_IN_BUILD_ARTIFACT } from '../history-model.js';
import { stageRole } from '../stage-names.js';

/** Commit id used when no event of the execution has named its commit yet. */
export const UNKNOWN_COMMIT_ID = 'unknown';

/**
 * Precedence of a stage state among events of the same second (EventBridge `time` has one-second
 * resolution): a terminal state outranks the states that precede it, so STARTED and SUCCEEDED
 * stamped with the same time resolve to SUCCEEDED whatever order they arrived in.
 */
export const STAGE_STATE_PRECEDENCE: Readonly<Record<StageState, number>> = {
  STARTED: 0,
  RESUMED: 1,
  STOPPING: 2,
  STOPPED: 3,
  CANCELED: 3,
  FAILED: 4,
  SUCCEEDED: 5,
};

/** Same idea for pipeline-execution states. */
export const EXECUTION_STATE_PRECEDENCE: Readonly<Record<ExecutionState, number>> = {
  STARTED: 0,
  RESUMED: 1,
  STOPPING: 2,
  STOPPED: 3,
  CANCELED: 3,
  SUPERSEDED: 3,
  FAILED: 4,
  SUCCEEDED: 5,
};

/** Same idea for health verdicts: a final verdict outranks a poll of the same moment. */
export const HEALTH_VERDICT_PRECEDENCE: Readonly<Record<HealthCheckEvent['verdict'], number>> = {
  check: 0,
  'pause-for-review': 1,
  'review-approved': 2,
  'review-rejected': 2,
  pass: 3,
  fail: 3,
};

/** Same idea for rollback phases: the outcome outranks the start. */
export const ROLLBACK_PHASE_PRECEDENCE: Readonly<Record<RollbackEvent['phase'], number>> = {
  started: 0,
  failed: 1,
  succeeded: 2,
};

/**
 * Trigger type of the marker the rollback orchestrator records under a full rollback's restart
 * execution. CodePipeline reports that restart as an ordinary `StartPipelineExecution` (its
 * execution event carries neither the pipeline variables nor anything else that says "rollback"),
 * so without the marker the restart would count as a release.
 */
export const FULL_ROLLBACK_RESTART_TRIGGER = 'KiroFullRollbackRestart';

/**
 * Execution trigger types that mean "this execution restores an earlier release": CodePipeline's own
 * stage rollbacks (`ManualRollback`, `AutomatedRollback`) and the orchestrator's restart marker.
 */
export const ROLLBACK_TRIGGER_TYPES: readonly string[] = ['ManualRollback', 'AutomatedRollback', FULL_ROLLBACK_RESTART_TRIGGER];

/** The marker that records `executionId` as the restart of full rollback `rollbackId` (see {@link FULL_ROLLBACK_RESTART_TRIGGER}). */
export function fullRollbackRestartMarker(input: { readonly pipelineName: string; readonly executionId: string; readonly rollbackId: string; readonly commitId: string; readonly at: string }): ExecutionEvent {
  return {
    kind: 'execution',
    // Derived from the rollback id: recording it twice (a retried orchestrator) stores one fact.
    eventId: `rollback:${input.rollbackId}:restart`,
    pipelineName: input.pipelineName,
    executionId: input.executionId,
    at: input.at,
    state: 'STARTED',
    commit: { id: input.commitId },
    triggerType: FULL_ROLLBACK_RESTART_TRIGGER,
    triggerDetail: `rollback ${input.rollbackId}`,
  };
}

const HEALTH_BY_VERDICT: Readonly<Record<HealthCheckEvent['verdict'], HealthStatus>> = {
  check: 'pending',
  'pause-for-review': 'paused',
  'review-approved': 'passed',
  'review-rejected': 'failed',
  pass: 'passed',
  fail: 'failed',
};

/** The precedence of one event's state, used only to order events of the same instant. */
export function eventPrecedence(event: HistoryEvent): number {
  switch (event.kind) {
    case 'execution':
      return EXECUTION_STATE_PRECEDENCE[event.state];
    case 'stage':
      return STAGE_STATE_PRECEDENCE[event.state];
    case 'action':
      return event.state === 'STARTED' ? 0 : 4;
    case 'health-check':
      return HEALTH_VERDICT_PRECEDENCE[event.verdict];
    case 'rollback':
      return ROLLBACK_PHASE_PRECEDENCE[event.phase];
    case 'approval':
      return event.decision === 'requested' ? 0 : 4;
  }
}

/** Total order on events: when it happened, then state precedence, then event id. */
export function compareEvents(left: HistoryEvent, right: HistoryEvent): number {
  const byTime = Date.parse(left.at) - Date.parse(right.at);
  if (byTime !== 0) return byTime;
  const byPrecedence = eventPrecedence(left) - eventPrecedence(right);
  if (byPrecedence !== 0) return byPrecedence;
  return left.eventId < right.eventId ? -1 : left.eventId > right.eventId ? 1 : 0;
}

/**
 * Drops duplicates (same `eventId`) and returns the events in canonical order. Two different
 * payloads under one id (which EventBridge never produces) resolve deterministically to the one
 * whose JSON sorts first, so even that case cannot make the result depend on arrival order.
 */
export function canonicalEvents(events: readonly HistoryEvent[]): HistoryEvent[] {
  const byId = new Map<string, { event: HistoryEvent; json: string }>();
  for (const event of events) {
    const json = JSON.stringify(event);
    const existing = byId.get(event.eventId);
    if (existing === undefined || json < existing.json) byId.set(event.eventId, { event, json });
  }
  return [...byId.values()].map((entry) => entry.event).sort(compareEvents);
}

function latest<T extends HistoryEvent>(events: readonly T[]): T | undefined {
  return events.at(-1);
}

/** The execution's commit: fields filled from every event that names it, earliest first; the first value wins. */
export function mergeCommit(events: readonly HistoryEvent[]): CommitInfo {
  let merged: CommitInfo = { id: UNKNOWN_COMMIT_ID };
  for (const event of events) {
    const commit = event.kind === 'execution' || event.kind === 'action' ? event.commit : undefined;
    if (commit === undefined) continue;
    merged = {
      id: merged.id === UNKNOWN_COMMIT_ID ? commit.id : merged.id,
      message: merged.message ?? commit.message,
      author: merged.author ?? commit.author,
      url: merged.url ?? commit.url,
      committedAt: merged.committedAt ?? commit.committedAt,
    };
  }
  return Object.fromEntries(Object.entries(merged).filter(([, value]) => value !== undefined)) as unknown as CommitInfo;
}

/** The release's SBOMs: inside the first output artifact of the execution's latest successful build action. */
export function sbomOf(events: readonly HistoryEvent[]): SbomLocation | undefined {
  const built = latest(events.filter((event): event is ActionEvent => event.kind === 'action' && event.outputArtifacts !== undefined && event.outputArtifacts.length > 0));
  const artifact = built?.outputArtifacts?.[0];
  return artifact === undefined ? undefined : { bucket: artifact.bucket, key: artifact.key, path: SBOM_FOLDER_IN_BUILD_ARTIFACT };
}

/** The environment an event concerns, and whether it counts as part of the deployment itself. */
function deploymentEnvironment(event: HistoryEvent): EnvironmentName | undefined {
  switch (event.kind) {
    case 'stage':
    case 'action': {
      const role = stageRole(event.stage, ENVIRONMENT_NAMES);
      return role.kind === 'infrastructure' || role.kind === 'application' ? role.environment : undefined;
    }
    case 'health-check':
    case 'rollback':
      return event.environment;
    case 'execution':
    case 'approval':
      return undefined;
  }
}

interface Outcome {
  readonly status: DeploymentStatus;
  readonly finishedAt?: string;
  readonly reason?: string;
}

function failureReason(stage: StageEvent, actions: readonly ActionEvent[]): string {
  const failed = actions.filter((action) => action.stage === stage.stage && action.state === 'FAILED');
  const last = latest(failed);
  if (last === undefined) return `Stage ${stage.stage} failed.`;
  const summary = last.summary === undefined ? '' : `: ${last.summary}`;
  return `Action ${last.action} in stage ${stage.stage} failed${summary}`;
}

/**
 * A failed rollback marks the deployment failed only when a failure set it off (an alarm, a failed
 * action, the health check: the release is bad either way) or when it moved something before it
 * failed (the environment may now run neither release). An operator's manual rollback that stopped
 * before doing anything is an event of its own: the release it meant to replace still runs.
 */
export function failedRollbackChangesStatus(event: RollbackEvent): boolean {
  return !event.trigger.startsWith(MANUAL_TRIGGER_PREFIX) || event.movedPipeline !== false;
}

/** Trigger prefix of rollbacks an operator asked for (`manual:<user>`). */
export const MANUAL_TRIGGER_PREFIX = 'manual:';

function outcomeOf(
  environment: EnvironmentName,
  envEvents: readonly HistoryEvent[],
  execution: ExecutionEvent | undefined,
): Outcome {
  const rollbacks = envEvents.filter((event): event is RollbackEvent => event.kind === 'rollback');
  const rolledBack = latest(rollbacks.filter((event) => event.phase === 'succeeded'));
  if (rolledBack !== undefined) return { status: 'rolled-back', finishedAt: rolledBack.at, reason: rolledBack.reason };

  const stages = envEvents.filter((event): event is StageEvent => event.kind === 'stage');
  const actions = envEvents.filter((event): event is ActionEvent => event.kind === 'action');
  const perStage = new Map<string, StageEvent>();
  for (const stage of stages) perStage.set(stage.stage, stage);
  const current = [...perStage.values()].sort(compareEvents);

  const application = current.find((stage) => stageRole(stage.stage, ENVIRONMENT_NAMES).kind === 'application');
  const rollbackFailed = latest(rollbacks.filter((event) => event.phase === 'failed' && failedRollbackChangesStatus(event)));
  if (rollbackFailed !== undefined) return { status: 'failed', finishedAt: rollbackFailed.at, reason: rollbackFailed.reason };
  if (application?.state === 'SUCCEEDED') return { status: 'succeeded', finishedAt: application.at };

  const failed = current.find((stage) => stage.state === 'FAILED');
  if (failed !== undefined) return { status: 'failed', finishedAt: failed.at, reason: failureReason(failed, actions) };
  const stopped = current.find((stage) => stage.state === 'STOPPED' || stage.state === 'CANCELED');
  if (stopped !== undefined) return { status: 'stopped', finishedAt: stopped.at, reason: `Stage ${stopped.stage} was ${stopped.state.toLowerCase()}.` };

  if (execution !== undefined && execution.state === 'FAILED') {
    return { status: 'failed', finishedAt: execution.at, reason: `The execution failed before ${environment} finished deploying.` };
  }
  if (execution !== undefined && ['STOPPED', 'CANCELED', 'SUPERSEDED'].includes(execution.state)) {
    return {
      status: 'stopped',
      finishedAt: execution.at,
      reason: `The execution was ${execution.state.toLowerCase()} before ${environment} finished deploying.`,
    };
  }
  return { status: 'in-progress' };
}

function healthOf(envEvents: readonly HistoryEvent[], status: DeploymentStatus): HealthStatus {
  const verdict = latest(envEvents.filter((event): event is HealthCheckEvent => event.kind === 'health-check'));
  if (verdict !== undefined) return HEALTH_BY_VERDICT[verdict.verdict];
  // The health check runs inside the application stage: that stage cannot succeed with it failing.
  return status === 'succeeded' ? 'passed' : 'pending';
}

/**
 * Derives one record per (execution, environment) from every event known. Pipeline-level stages
 * (Source, Build, ...) and approvals appear in the timeline but do not open a deployment record.
 * Records are returned newest first (by `startedAt`, then execution id, then environment).
 */
export function foldDeployments(events: readonly HistoryEvent[]): DeploymentRecord[] {
  const ordered = canonicalEvents(events);
  const byExecution = new Map<string, HistoryEvent[]>();
  for (const event of ordered) {
    const list = byExecution.get(event.executionId) ?? [];
    list.push(event);
    byExecution.set(event.executionId, list);
  }

  const records: DeploymentRecord[] = [];
  for (const [executionId, executionEvents] of byExecution) {
    const first = executionEvents[0];
    if (first === undefined) continue;
    const executionStates = executionEvents.filter((event): event is ExecutionEvent => event.kind === 'execution');
    const execution = latest(executionStates);
    const isRollback = executionStates.some(
      (event) => event.triggerType !== undefined && ROLLBACK_TRIGGER_TYPES.includes(event.triggerType),
    );
    const commit = mergeCommit(executionEvents);
    const sbom = sbomOf(executionEvents);

    for (const environment of ENVIRONMENT_NAMES) {
      const envEvents = executionEvents.filter((event) => deploymentEnvironment(event) === environment);
      const opening = envEvents[0];
      if (opening === undefined) continue;
      const outcome = outcomeOf(environment, envEvents, execution);
      records.push({
        pipelineName: first.pipelineName,
        executionId,
        environment,
        commit,
        status: outcome.status,
        health: healthOf(envEvents, outcome.status),
        startedAt: opening.at,
        ...(outcome.finishedAt === undefined ? {} : { finishedAt: outcome.finishedAt }),
        isRollback,
        ...(outcome.reason === undefined ? {} : { reason: outcome.reason }),
        ...(sbom === undefined ? {} : { sbom }),
      });
    }
  }
  return records.sort(compareRecordsNewestFirst);
}

/** Newest first: by `startedAt`, then execution id, then environment (all descending). */
export function compareRecordsNewestFirst(left: DeploymentRecord, right: DeploymentRecord): number {
  const byTime = Date.parse(right.startedAt) - Date.parse(left.startedAt);
  if (byTime !== 0) return byTime;
  if (left.executionId !== right.executionId) return left.executionId < right.executionId ? 1 : -1;
  return left.environment < right.environment ? 1 : left.environment > right.environment ? -1 : 0;
}

/**
 * False for facts that cannot change any deployment record: approvals, and stage or action events
 * of pipeline-level stages (Source, Build, ...) that carry no commit. The recorder stores them in
 * the timeline but need not re-derive the records for them.
 */
export function mayChangeRecords(event: HistoryEvent): boolean {
  if (event.kind === 'approval') return false;
  if (event.kind === 'action' && (event.commit !== undefined || event.outputArtifacts !== undefined)) return true;
  if (event.kind === 'stage' || event.kind === 'action') return deploymentEnvironment(event) !== undefined;
  return true;
}

/** True for the release a full rollback may return to: a healthy, successful, forward deployment. */
export function isKnownGood(record: DeploymentRecord): boolean {
  return record.status === 'succeeded' && record.health === 'passed' && !record.isRollback;
}
