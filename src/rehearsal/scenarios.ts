/**
 * The rehearsal's scenarios as data: what the driver does to the pipeline (the commit it pushes,
 * the alarms it sets, the answers it gives) and what the pipeline must do in return. The expected
 * outcome is checked against the history and notifications read back from the emulator, so a
 * scenario that ends differently makes `npm start` fail.
 */
import type { DeploymentStatus, EnvironmentName, HealthStatus } from '../pipeline/domain/history-model.js';
import type { NoticeKind } from '../pipeline/domain/notice.js';

/** The names `npm start -- --scenario <name>` accepts, in the order they run. */
export const SCENARIO_NAMES = [
  'clean-release',
  'critical-alarm-stage-rollback',
  'failed-stage-rollback-full-rollback',
  'warning-alarm-review-approved',
  'application-only-commit',
  'production-approval-rejected',
] as const;
/** One scenario name. */
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** What the commit under rehearsal changes in the temporary repository. */
export type CommitChange = 'infrastructure-and-application' | 'application-only';

/** An alarm the driver sets to ALARM (with `SetAlarmState`) while the environment bakes. */
export interface AlarmStimulus {
  readonly environment: EnvironmentName;
  /** Which configured severity the alarm must have: the driver picks the first alarm of that severity. */
  readonly severity: 'critical' | 'warning';
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
 * rehearsal; `last-known-good` the release that had passed production's health check before it.
 */
export type ExpectedRunningRelease = 'release' | 'last-known-good';

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
  /** The release each listed environment runs at the end. */
  readonly running: Partial<Record<EnvironmentName, ExpectedRunningRelease>>;
}

/** One rehearsal scenario: stimuli and expected outcome. */
export interface ScenarioDefinition {
  readonly name: ScenarioName;
  readonly title: string;
  /** One or two sentences for the report: what is rehearsed and why it matters. */
  readonly description: string;
  readonly commit: CommitChange;
  /** Alarms set to ALARM during an environment's bake period. */
  readonly alarms: readonly AlarmStimulus[];
  /**
   * True when the push also changes the pipeline (self-mutation): no earlier execution is then a
   * stage-rollback target, so the CodePipeline double refuses the stage rollback.
   */
  readonly pipelineChangedBeforeRelease?: boolean;
  /** How the driver answers a health review (warning alarm). */
  readonly reviewAnswer: 'approve' | 'reject';
  /** How the driver answers production's manual approval. */
  readonly productionApproval: 'approve' | 'reject';
  readonly expected: ExpectedOutcome;
}

const passed: ExpectedDeployment = { status: 'succeeded', health: 'passed' };
const ALL: readonly EnvironmentName[] = ['test', 'staging', 'production'];

/** The five scenarios of issue 6 and the rejected approval of issue 3, in the order they run. */
export const SCENARIOS: readonly ScenarioDefinition[] = [
  {
    name: 'clean-release',
    title: 'Clean release',
    description:
      'A commit that changes infrastructure and application goes through test, staging, the production approval and production; every health check passes.',
    commit: 'infrastructure-and-application',
    alarms: [],
    reviewAnswer: 'approve',
    productionApproval: 'approve',
    expected: {
      deployments: { test: passed, staging: passed, production: passed },
      infrastructureDeployed: ALL,
      rollbacks: [],
      notices: ['execution-started', 'stage-succeeded', 'approval-needed', 'deployment-succeeded'],
      absentNotices: ['rollback-started', 'health-check-failed', 'deployment-failed'],
      running: { test: 'release', staging: 'release', production: 'release' },
    },
  },
  {
    name: 'critical-alarm-stage-rollback',
    title: 'Critical alarm in staging: the stage rolls back',
    description:
      "A critical alarm fires during staging's bake period: the health monitor fails the release and staging is rolled back to its previous release; production is never reached.",
    commit: 'infrastructure-and-application',
    alarms: [{ environment: 'staging', severity: 'critical' }],
    reviewAnswer: 'approve',
    productionApproval: 'approve',
    expected: {
      deployments: { test: passed, staging: { status: 'rolled-back', health: 'failed' } },
      infrastructureDeployed: ['test', 'staging'],
      rollbacks: [{ scope: 'stage', environment: 'staging', phase: 'succeeded' }],
      notices: ['execution-started', 'health-check-failed', 'stage-failed', 'rollback-started', 'rollback-succeeded'],
      // The release never reaches production's approval. (The stage-rollback execution's own success is announced.)
      absentNotices: ['approval-needed'],
      running: { staging: 'last-known-good', production: 'last-known-good' },
    },
  },
  {
    name: 'failed-stage-rollback-full-rollback',
    title: 'Stage rollback fails: full rollback to the last known good release',
    description:
      "A critical alarm fails staging, but staging's own rollback cannot run: every environment that runs a newer release than the last known good one is returned to it.",
    commit: 'infrastructure-and-application',
    alarms: [{ environment: 'staging', severity: 'critical' }],
    pipelineChangedBeforeRelease: true,
    reviewAnswer: 'approve',
    productionApproval: 'approve',
    expected: {
      deployments: { test: passed, staging: { status: 'rolled-back', health: 'failed' } },
      infrastructureDeployed: ['test', 'staging'],
      rollbacks: [
        { scope: 'stage', environment: 'staging', phase: 'failed' },
        { scope: 'full', environment: 'staging', phase: 'succeeded' },
      ],
      notices: ['health-check-failed', 'rollback-started', 'rollback-failed', 'rollback-succeeded'],
      // The full rollback redeploys the last known good release through the whole pipeline, production approval included.
      absentNotices: [],
      running: { test: 'last-known-good', staging: 'last-known-good', production: 'last-known-good' },
    },
  },
  {
    name: 'warning-alarm-review-approved',
    title: 'Warning alarm: pause for review, approved, continues',
    description:
      "A warning alarm fires during test's bake period: the release pauses for a person's review, who approves it, and the release continues to production.",
    commit: 'infrastructure-and-application',
    alarms: [{ environment: 'test', severity: 'warning' }],
    reviewAnswer: 'approve',
    productionApproval: 'approve',
    expected: {
      deployments: { test: passed, staging: passed, production: passed },
      infrastructureDeployed: ALL,
      rollbacks: [],
      notices: ['review-needed', 'approval-needed', 'deployment-succeeded'],
      absentNotices: ['rollback-started', 'health-check-failed'],
      running: { test: 'release', staging: 'release', production: 'release' },
    },
  },
  {
    name: 'application-only-commit',
    title: 'Application-only commit: every infrastructure deployment is skipped',
    description:
      'A commit that changes only application code: change detection (on a real git repository) finds nothing for the infrastructure stacks, so every infrastructure stage is skipped while the application still deploys everywhere.',
    commit: 'application-only',
    alarms: [],
    reviewAnswer: 'approve',
    productionApproval: 'approve',
    expected: {
      deployments: { test: passed, staging: passed, production: passed },
      infrastructureDeployed: [],
      rollbacks: [],
      notices: ['execution-started', 'deployment-succeeded'],
      absentNotices: ['rollback-started'],
      running: { test: 'release', staging: 'release', production: 'release' },
    },
  },
  {
    name: 'production-approval-rejected',
    title: 'Production approval rejected: the release stops, nothing is rolled back',
    description:
      'The release passes test and staging, then the approver rejects it (a timeout counts the same): the pipeline stops before production, which keeps its release, and nothing is rolled back.',
    commit: 'application-only',
    alarms: [],
    reviewAnswer: 'approve',
    productionApproval: 'reject',
    expected: {
      deployments: { test: passed, staging: passed },
      infrastructureDeployed: [],
      rollbacks: [],
      notices: ['execution-started', 'approval-needed'],
      absentNotices: ['rollback-started', 'health-check-failed'],
      running: { test: 'release', staging: 'release', production: 'last-known-good' },
    },
  },
];

/**
 * Picks scenarios by name, in the canonical order; no names means all. Returns the unknown names
 * instead of throwing, so the caller can print the valid ones.
 */
export function selectScenarios(
  names: readonly string[],
): { readonly kind: 'selected'; readonly scenarios: readonly ScenarioDefinition[] } | { readonly kind: 'unknown'; readonly unknown: readonly string[] } {
  if (names.length === 0) return { kind: 'selected', scenarios: SCENARIOS };
  const unknown = names.filter((name) => !SCENARIOS.some((scenario) => scenario.name === name));
  if (unknown.length > 0) return { kind: 'unknown', unknown };
  return { kind: 'selected', scenarios: SCENARIOS.filter((scenario) => names.includes(scenario.name)) };
}
