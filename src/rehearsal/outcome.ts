/**
 * Pure comparison of what a scenario expected with what the emulator recorded. The observed outcome
 * is derived only from what was read back (deployment records and events from DynamoDB,
 * notifications from SQS), never from the people's own notes.
 */
import { ENVIRONMENT_NAMES } from '../shared/config/schema.js';
import type {
  DeploymentRecord,
  DeploymentStatus,
  EnvironmentName,
  HealthStatus,
  HistoryEvent,
} from '../pipeline/domain/history-model.js';
import { infrastructureStageName } from '../pipeline/domain/stage-names.js';
import type { NoticeKind } from '../pipeline/domain/notice.js';
import type { ReceivedNotice } from './received-notice.js';
import type { ExpectedOutcome } from './scenario-definition.js';

/** What the emulator holds about one scenario's release once it has run. */
export interface ObservedOutcome {
  /** The release's own deployment per environment it reached. */
  readonly deployments: Partial<Record<EnvironmentName, { readonly status: DeploymentStatus; readonly health: HealthStatus }>>;
  /** Environments where an action of the infrastructure stage ran for the release. */
  readonly infrastructureDeployed: readonly EnvironmentName[];
  /** Finished rollbacks (succeeded or failed) recorded during the scenario. */
  readonly rollbacks: readonly { readonly scope: 'stage' | 'full'; readonly environment: EnvironmentName; readonly phase: 'succeeded' | 'failed' }[];
  /** Kinds of the notifications read back from the queue, in arrival order. */
  readonly notices: readonly NoticeKind[];
  /** Commit each environment runs at the end: that of its newest succeeded deployment. */
  readonly running: Partial<Record<EnvironmentName, string>>;
}

/** Everything read back from the emulator for one scenario. */
export interface ReadBack {
  /** The execution that carried the scenario's commit. */
  readonly releaseExecutionId: string;
  /** Every deployment record in the history (newest first is fine; order is not relied on). */
  readonly records: readonly DeploymentRecord[];
  /** Every history event recorded during the scenario (all executions it touched). */
  readonly events: readonly HistoryEvent[];
  /** Notifications read back from the queue subscribed to the topics during the scenario. */
  readonly notices: readonly ReceivedNotice[];
}

function finishedAtOf(record: DeploymentRecord): string {
  return record.finishedAt ?? record.startedAt;
}

/** Derives the observed outcome from what was read back. */
export function observeOutcome(readBack: ReadBack): ObservedOutcome {
  const deployments: Partial<Record<EnvironmentName, { status: DeploymentStatus; health: HealthStatus }>> = {};
  const running: Partial<Record<EnvironmentName, string>> = {};
  for (const environment of ENVIRONMENT_NAMES) {
    const forEnvironment = readBack.records.filter((record) => record.environment === environment);
    const release = forEnvironment.find((record) => record.executionId === readBack.releaseExecutionId);
    if (release !== undefined) deployments[environment] = { status: release.status, health: release.health };
    const newestSucceeded = forEnvironment
      .filter((record) => record.status === 'succeeded')
      .sort((a, b) => finishedAtOf(b).localeCompare(finishedAtOf(a)))[0];
    if (newestSucceeded !== undefined) running[environment] = newestSucceeded.commit.id;
  }
  const infrastructureDeployed = ENVIRONMENT_NAMES.filter((environment) =>
    readBack.events.some(
      (event) =>
        event.kind === 'action' &&
        event.executionId === readBack.releaseExecutionId &&
        event.stage === infrastructureStageName(environment) &&
        (event.state === 'STARTED' || event.state === 'SUCCEEDED'),
    ),
  );
  const rollbacks = readBack.events.flatMap((event) =>
    event.kind === 'rollback' && event.phase !== 'started'
      ? [{ scope: event.scope, environment: event.environment, phase: event.phase }]
      : [],
  );
  return { deployments, infrastructureDeployed, rollbacks, notices: readBack.notices.map((notice) => notice.kind), running };
}

/** The verdict on one scenario: tagged, with every difference spelled out. */
export type OutcomeVerdict =
  | { readonly kind: 'as-expected' }
  | { readonly kind: 'unexpected'; readonly differences: readonly string[] };

/** The commits that the symbolic expectations (`release`, `last-known-good`) stand for. */
export interface ScenarioCommits {
  readonly release: string;
  readonly lastKnownGood: string;
  /** The commit pushed while the release ran, when the scenario races two commits. */
  readonly newerCommit?: string;
  /** The commit each environment ran before the scenario. */
  readonly previous?: Partial<Record<EnvironmentName, string>>;
}

/** The commit a symbolic expectation stands for in one environment. */
export function expectedCommit(wanted: 'release' | 'last-known-good' | 'previous' | 'newer-commit', environment: EnvironmentName, commits: ScenarioCommits): string | undefined {
  switch (wanted) {
    case 'release':
      return commits.release;
    case 'newer-commit':
      return commits.newerCommit;
    case 'previous':
      return commits.previous?.[environment];
    default:
      return commits.lastKnownGood;
  }
}

function short(commit: string | undefined): string {
  return commit === undefined ? 'nothing' : commit.slice(0, 8);
}

/** Compares expected and observed outcome; lists every difference in words a reader can act on. */
export function compareOutcome(expected: ExpectedOutcome, observed: ObservedOutcome, commits: ScenarioCommits): OutcomeVerdict {
  const differences: string[] = [];
  for (const environment of ENVIRONMENT_NAMES) {
    const want = expected.deployments[environment];
    const got = observed.deployments[environment];
    if (want === undefined && got !== undefined) {
      differences.push(`${environment}: the release must not be deployed, but it was (${got.status}).`);
    } else if (want !== undefined && got === undefined) {
      differences.push(`${environment}: expected the release ${want.status} with health ${want.health}, but it was never deployed.`);
    } else if (want !== undefined && got !== undefined && (want.status !== got.status || want.health !== got.health)) {
      differences.push(
        `${environment}: expected the release ${want.status} with health ${want.health}, got ${got.status} with health ${got.health}.`,
      );
    }
    const deployedInfrastructure = observed.infrastructureDeployed.includes(environment);
    if (expected.infrastructureDeployed.includes(environment) !== deployedInfrastructure) {
      differences.push(
        `${environment}: expected the infrastructure stage to be ${deployedInfrastructure ? 'skipped' : 'deployed'}, but it was ${deployedInfrastructure ? 'deployed' : 'skipped'}.`,
      );
    }
    const runningWanted = expected.running[environment];
    if (runningWanted !== undefined) {
      const wantedCommit = expectedCommit(runningWanted, environment, commits);
      const runningCommit = observed.running[environment];
      if (runningCommit !== wantedCommit) {
        differences.push(
          `${environment}: expected it to run the ${runningWanted} (${short(wantedCommit)}) at the end, but it runs ${short(runningCommit)}.`,
        );
      }
    }
  }
  const key = (rollback: { scope: string; environment: string; phase: string }): string =>
    `${rollback.scope} rollback of ${rollback.environment} ${rollback.phase}`;
  const observedRollbacks = new Set(observed.rollbacks.map(key));
  const expectedRollbacks = new Set(expected.rollbacks.map(key));
  for (const wanted of expectedRollbacks) {
    if (!observedRollbacks.has(wanted)) differences.push(`expected a ${wanted}, but the history holds none.`);
  }
  for (const found of observedRollbacks) {
    if (!expectedRollbacks.has(found)) differences.push(`the history holds an unexpected ${found}.`);
  }
  for (const kind of expected.notices) {
    if (!observed.notices.includes(kind)) differences.push(`expected a "${kind}" notification, but none reached the queue.`);
  }
  for (const kind of expected.absentNotices) {
    if (observed.notices.includes(kind)) differences.push(`a "${kind}" notification was sent, but must not have been.`);
  }
  return differences.length === 0 ? { kind: 'as-expected' } : { kind: 'unexpected', differences };
}
