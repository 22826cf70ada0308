/**
 * The order-tolerant fold of history events into deployment records.
 *
 * EventBridge delivers CodePipeline events at least once and in no particular order, so the fold
 * works on the events in their canonical order (event-order.ts: duplicates dropped, then by time,
 * state precedence and event id) before anything is derived. Feeding the same events
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
  HealthCheckEvent,
  HealthStatus,
  HistoryEvent,
  RollbackEvent,
  SbomLocation,
  StageEvent,
} from '../history-model.js';
import { SBOM_FOLDER_IN_BUILD_ARTIFACT } from '../history-model.js';
import { stageRole } from '../stage-names.js';
import { canonicalEvents, compareEvents } from './event-order.js';
import { ROLLBACK_TRIGGER_TYPES } from './rollback-restart-marker.js';

/** Commit id used when no event of the execution has named its commit yet. */
export const UNKNOWN_COMMIT_ID = 'unknown';

/** The health a deployment reports after its latest health-check verdict. */
const HEALTH_BY_VERDICT: Readonly<Record<HealthCheckEvent['verdict'], HealthStatus>> = {
  check: 'pending',
  'pause-for-review': 'paused',
  'review-approved': 'passed',
  'review-rejected': 'failed',
  pass: 'passed',
  fail: 'failed',
};

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
  const verdicts = envEvents.filter((event): event is HealthCheckEvent => event.kind === 'health-check');
  // A `check` is one observation (a poll, an alarm's state change); it never replaces a decision, so an
  // alarm returning to OK after a failed check (events arrive unordered and late) cannot reopen it.
  const decision = latest(verdicts.filter((event) => event.verdict !== 'check'));
  if (decision !== undefined) return HEALTH_BY_VERDICT[decision.verdict];
  if (verdicts.length > 0) return HEALTH_BY_VERDICT.check;
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

/**
 * The environments whose record a fact can change: none when `mayChangeRecords` says so; every
 * environment for an execution fact and for an action naming the commit or the build's artifacts
 * (a record's commit, SBOM, rollback flag and end come from those); otherwise only the
 * environment the fact is about, because a record is folded from its own environment's facts plus
 * those execution-wide ones. So the recorder rewrites only that environment's record.
 */
export function recordEnvironmentsChangedBy(event: HistoryEvent): readonly EnvironmentName[] {
  if (!mayChangeRecords(event)) return [];
  if (event.kind === 'execution') return ENVIRONMENT_NAMES;
  if (event.kind === 'action' && (event.commit !== undefined || event.outputArtifacts !== undefined)) return ENVIRONMENT_NAMES;
  const environment = deploymentEnvironment(event);
  return environment === undefined ? ENVIRONMENT_NAMES : [environment];
}

/** True for the release a full rollback may return to: a healthy, successful, forward deployment. */
export function isKnownGood(record: DeploymentRecord): boolean {
  return record.status === 'succeeded' && record.health === 'passed' && !record.isRollback;
}
