/**
 * The rehearsal's scenarios as data (their shape is `scenario-definition.ts`): each stage's result in
 * the release's execution (CodePipeline API), the history and notices (DynamoDB, SQS), the commit each
 * environment runs (deploy records). Nothing here decides which stage runs or how a condition
 * evaluates: the local CodePipeline does, from the synthesized declaration. A scenario that ends
 * differently makes `npm start` fail. Longer than 300 lines on purpose: it is data, one entry per
 * scenario, read best in one place.
 */
import type { EnvironmentName } from '../pipeline/domain/history-model.js';
import type { ExpectedDeployment, ScenarioDefinition } from './scenario-definition.js';


const passed: ExpectedDeployment = { status: 'succeeded', health: 'passed' };
const ALL: readonly EnvironmentName[] = ['test', 'staging', 'production'];


/** The scenarios, in the order they run (the first one before the baseline release). */
export const SCENARIOS: readonly ScenarioDefinition[] = [
  {
    name: 'first-release-fails-escalates',
    title: 'First-ever release fails: nothing to roll back to, escalation',
    description:
      "The very first release fails staging's health check. Staging never ran a release before, so there is no stage-rollback target and no last known good release: the rollback fails and says so (the manual procedure in docs/rollback.md), instead of inventing a target.",
    beforeBaseline: true,
    commit: 'infrastructure-and-application',
    alarms: [{ environment: 'staging', severity: 'critical' }],
    reviewAnswer: 'approve',
    productionApproval: 'approve',
    expected: {
      // Nothing to roll back to: the release stays failed in staging, and the rollback says it gave up.
      deployments: { test: passed, staging: { status: 'failed', health: 'failed' } },
      infrastructureDeployed: ['test', 'staging'],
      rollbacks: [{ scope: 'full', environment: 'staging', phase: 'failed' }],
      notices: ['health-check-failed', 'rollback-failed'],
      absentNotices: ['approval-needed', 'rollback-succeeded'],
      running: { test: 'release' },
      stages: { 'Test-Application': 'Succeeded', 'Staging-Application': 'Failed', 'Approve-Production': 'not-run' },
      releaseStatus: 'Failed',
      stageRollbacks: [],
    },
  },
  {
    name: 'clean-release',
    title: 'Clean release',
    description:
      'A commit that changes infrastructure and application goes through test, staging, the production approval and production; every health check passes and GitHub shows each environment green.',
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
      stages: { 'Test-Infrastructure': 'Succeeded', 'Staging-Application': 'Succeeded', 'Approve-Production': 'Succeeded', 'Production-Application': 'Succeeded' },
      releaseStatus: 'Succeeded',
      stageRollbacks: [],
      commitStatuses: ['kiro-cd/production=success'],
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
      running: { staging: 'previous', production: 'previous' },
      stages: { 'Staging-Application': 'Failed', 'Approve-Production': 'not-run' },
      releaseStatus: 'Failed',
      stageRollbacks: ['Staging-Application'],
      // Staging-Application's own OnFailure ROLLBACK does it; the orchestrator adopts that rollback.
      automatedStageRollbacks: ['Staging-Application'],
    },
  },
  {
    name: 'failed-stage-rollback-full-rollback',
    title: 'Stage rollback fails: full rollback to the last known good release',
    description:
      "The release also changes the pipeline (self-mutation: a new structure version), then a critical alarm fails staging. Staging's own rollback is refused (its last good execution is from the old structure), so every environment newer than the last known good release is returned to it by a pipeline restart with KIRO_ROLLBACK=true: the restart skips the production approval, so nobody is asked to approve a rollback.",
    commit: 'infrastructure-and-application',
    pipelineChange: true,
    alarms: [{ environment: 'staging', severity: 'critical' }],
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
      // The restart skips Approve-Production (KIRO_ROLLBACK): a rollback asks no approver.
      absentNotices: ['approval-needed'],
      running: { test: 'last-known-good', staging: 'last-known-good', production: 'last-known-good' },
      stages: { 'Staging-Application': 'Failed' },
      releaseStatus: 'Failed',
      restart: { stages: { 'Approve-Production': 'not-run', 'Production-Application': 'Succeeded' }, status: 'Succeeded' },
      stageRollbacks: [],
    },
  },
  {
    name: 'warning-alarm-review-approved',
    title: 'Warning alarm: pause for review, approved, continues',
    description:
      "A warning alarm fires during test's bake period: the release pauses for a person's review, who approves it with `kiro-cd approve --token`, and the release continues to production.",
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
      stages: { 'Test-Application': 'Succeeded', 'Production-Application': 'Succeeded' },
      releaseStatus: 'Succeeded',
      stageRollbacks: [],
    },
  },
  {
    name: 'warning-alarm-review-rejected',
    title: 'Warning alarm: the reviewer rejects, test rolls back',
    description:
      "A warning alarm pauses test's bake for review and the reviewer rejects the release (`kiro-cd reject --token`): the health check fails and test is rolled back to its previous release.",
    commit: 'application-only',
    alarms: [{ environment: 'test', severity: 'warning' }],
    reviewAnswer: 'reject',
    productionApproval: 'approve',
    expected: {
      deployments: { test: { status: 'rolled-back', health: 'failed' } },
      infrastructureDeployed: [],
      rollbacks: [{ scope: 'stage', environment: 'test', phase: 'succeeded' }],
      notices: ['review-needed', 'health-check-failed', 'rollback-started', 'rollback-succeeded'],
      absentNotices: ['approval-needed'],
      running: { test: 'previous' },
      stages: { 'Test-Application': 'Failed', 'Staging-Application': 'not-run' },
      releaseStatus: 'Failed',
      stageRollbacks: ['Test-Application'],
    },
  },
  {
    name: 'warning-alarm-review-unanswered',
    title: 'Warning alarm: nobody answers the review, it times out, test rolls back',
    description:
      "A warning alarm pauses test's bake for review and nobody answers: when the review timeout passes the health check fails (no answer counts as a rejection) and test is rolled back.",
    commit: 'application-only',
    alarms: [{ environment: 'test', severity: 'warning' }],
    reviewAnswer: 'none',
    productionApproval: 'approve',
    expected: {
      deployments: { test: { status: 'rolled-back', health: 'failed' } },
      infrastructureDeployed: [],
      rollbacks: [{ scope: 'stage', environment: 'test', phase: 'succeeded' }],
      notices: ['review-needed', 'health-check-failed', 'rollback-started', 'rollback-succeeded'],
      absentNotices: ['approval-needed'],
      running: { test: 'previous' },
      stages: { 'Test-Application': 'Failed', 'Staging-Application': 'not-run' },
      releaseStatus: 'Failed',
      stageRollbacks: ['Test-Application'],
    },
  },
  {
    name: 'alarm-event-wakes-monitor',
    title: "Critical alarm through EventBridge: the alarm event wakes the monitor, production rolls back",
    description:
      "A critical alarm fires in production and CloudWatch's alarm-state event reaches the alarm-event function through the templates' EventBridge rule, which marks it and wakes the sleeping health monitor: production is rolled back to its previous release.",
    commit: 'application-only',
    // It clears once the rollback has redeployed the previous release (CloudWatch sends that change as an event too).
    alarms: [{ environment: 'production', severity: 'critical', path: 'event', until: 'rollback-deployed' }],
    reviewAnswer: 'approve',
    productionApproval: 'approve',
    expected: {
      deployments: { test: passed, staging: passed, production: { status: 'rolled-back', health: 'failed' } },
      infrastructureDeployed: [],
      rollbacks: [{ scope: 'stage', environment: 'production', phase: 'succeeded' }],
      notices: ['approval-needed', 'health-check-failed', 'rollback-started', 'rollback-succeeded'],
      absentNotices: [],
      running: { test: 'release', staging: 'release', production: 'previous' },
      stages: { 'Production-Application': 'Failed' },
      releaseStatus: 'Failed',
      stageRollbacks: ['Production-Application'],
    },
  },
  {
    name: 'alarm-firing-while-rolling-back',
    title: 'Alarm still firing while rolling back: the rollback deploy is not stopped',
    description:
      "A critical alarm fails staging and keeps firing until staging's rollback has redeployed the previous release. The deployment group has no CodeDeploy alarm configuration (issue 11), so the rollback's deployment is not stopped by the very alarm that caused it, and the rollback succeeds.",
    commit: 'application-only',
    alarms: [{ environment: 'staging', severity: 'critical', until: 'rollback-deployed' }],
    reviewAnswer: 'approve',
    productionApproval: 'approve',
    expected: {
      deployments: { test: passed, staging: { status: 'rolled-back', health: 'failed' } },
      infrastructureDeployed: [],
      rollbacks: [{ scope: 'stage', environment: 'staging', phase: 'succeeded' }],
      notices: ['health-check-failed', 'rollback-started', 'rollback-succeeded'],
      absentNotices: ['rollback-failed', 'approval-needed'],
      running: { staging: 'previous' },
      stages: { 'Staging-Application': 'Failed' },
      releaseStatus: 'Failed',
      stageRollbacks: ['Staging-Application'],
    },
  },
  {
    name: 'rollback-across-pipeline-change',
    title: 'Rollback across a pipeline change: the restart does not undo itself',
    description:
      "The last known good release runs on pipeline structure N; the release self-mutates the pipeline to N+1 and fails staging. RollbackStage is refused (the target is from N), so the orchestrator restarts the pipeline on the last known good commit with KIRO_ROLLBACK=true: UpdatePipeline and Approve-Production are skipped, so the old commit's pipeline is not deployed back, nothing cancels the restart, and nobody is asked to approve it (issue 11, item 1). The Assets stage runs: its change detection decides what the restart redeploys, and its asset action publishes from the restart's own assembly, the old commit's.",
    commit: 'application-only',
    pipelineChange: true,
    alarms: [{ environment: 'staging', severity: 'critical' }],
    reviewAnswer: 'approve',
    productionApproval: 'approve',
    expected: {
      deployments: { test: passed, staging: { status: 'rolled-back', health: 'failed' } },
      infrastructureDeployed: [],
      rollbacks: [
        { scope: 'stage', environment: 'staging', phase: 'failed' },
        { scope: 'full', environment: 'staging', phase: 'succeeded' },
      ],
      notices: ['rollback-started', 'rollback-succeeded'],
      absentNotices: ['approval-needed'],
      running: { test: 'last-known-good', staging: 'last-known-good', production: 'last-known-good' },
      // The release's self-mutation cancels its first execution; the execution CloudFormation's update
      // starts finds the pipeline already deployed (PIPELINE_CHANGED=false) and skips UpdatePipeline.
      stages: { UpdatePipeline: 'not-run', 'Staging-Application': 'Failed' },
      releaseStatus: 'Failed',
      restart: { stages: { UpdatePipeline: 'not-run', Assets: 'Succeeded', 'Approve-Production': 'not-run', 'Production-Application': 'Succeeded' }, status: 'Succeeded' },
      stageRollbacks: [],
      noCancelledExecution: true,
    },
  },
  {
    name: 'two-commits-race',
    title: 'Commits race: a waiting execution is superseded by a newer one',
    description:
      "Two newer commits are pushed, one right after the other, while the release deploys to test. In SUPERSEDED mode a stage holds one execution at a time: the first newer commit's execution waits at Test-Application, which the release still holds; when the second arrives to wait there too, the waiting one is superseded. The release, always ahead and never waiting, is not superseded; production ends on the newest commit; nothing is rolled back.",
    commit: 'application-only',
    race: { at: 'Test-Application', commits: 2 },
    alarms: [],
    reviewAnswer: 'approve',
    productionApproval: 'approve',
    expected: {
      deployments: { test: passed, staging: passed, production: passed },
      infrastructureDeployed: [],
      rollbacks: [],
      notices: ['execution-started', 'deployment-succeeded'],
      absentNotices: ['rollback-started', 'health-check-failed'],
      running: { test: 'newer-commit', staging: 'newer-commit', production: 'newer-commit' },
      stages: { 'Test-Application': 'Succeeded', 'Production-Application': 'Succeeded' },
      releaseStatus: 'Succeeded',
      racingStatuses: ['Superseded', 'Succeeded'],
      stageRollbacks: [],
    },
  },
  {
    name: 'application-only-commit',
    title: 'Application-only commit: every infrastructure deployment is skipped',
    description:
      'A commit that changes only application code: change detection (`kiro-cd detect-changes` on a real git repository, as the buildspec runs it) finds nothing for the infrastructure stacks, so every infrastructure stage is skipped by its entry condition while the application still deploys everywhere.',
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
      stages: { 'Test-Infrastructure': 'not-run', 'Staging-Infrastructure': 'not-run', 'Production-Infrastructure': 'not-run', 'Production-Application': 'Succeeded' },
      releaseStatus: 'Succeeded',
      stageRollbacks: [],
    },
  },
  {
    name: 'production-approval-rejected',
    title: 'Production approval rejected: the release stops, nothing is rolled back',
    description:
      'The release passes test and staging, then the approver rejects it (PutApprovalResult): the pipeline stops before production, which keeps its release, and nothing is rolled back.',
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
      running: { test: 'release', staging: 'release', production: 'previous' },
      stages: { 'Approve-Production': 'Failed', 'Production-Application': 'not-run' },
      releaseStatus: 'Failed',
      stageRollbacks: [],
    },
  },
  {
    name: 'operator-rollback',
    title: 'Operator rollback: `kiro-cd rollback staging` against the running rehearsal',
    description:
      "A clean release reaches every environment; then an operator rolls staging back by hand with `kiro-cd rollback staging --endpoint-url <the rehearsal's endpoint>`: the CLI's own RollbackStage goes to the local CodePipeline, which re-runs staging with the previous release.",
    commit: 'application-only',
    alarms: [],
    reviewAnswer: 'approve',
    productionApproval: 'approve',
    operatorRollback: 'staging',
    expected: {
      deployments: { test: passed, staging: { status: 'rolled-back', health: 'passed' }, production: passed },
      infrastructureDeployed: [],
      rollbacks: [{ scope: 'stage', environment: 'staging', phase: 'succeeded' }],
      notices: ['deployment-succeeded', 'rollback-started', 'rollback-succeeded'],
      absentNotices: ['health-check-failed'],
      running: { test: 'release', staging: 'previous', production: 'release' },
      stages: { 'Production-Application': 'Succeeded' },
      releaseStatus: 'Succeeded',
      stageRollbacks: ['Staging-Application'],
    },
  },
  {
    name: 'closed-deployment-window',
    title: "Closed deployment window: production's entry condition fails, nobody is asked to approve",
    description:
      "The commit gives production a deployment window (a cron and a time zone in its configuration) that is closed at the rehearsal's time. Its self-mutation updates the pipeline to what the CDK code synthesizes from that configuration: Approve-Production and Production-Application get a DeploymentWindow entry condition with result FAIL. The restarted execution deploys test and staging, then fails on entry to Approve-Production: no approval is asked, production keeps its release, and nothing rolls back (a failure before any deployment leaves nothing to undo). The next push inside the window carries the release on.",
    commit: 'application-only',
    configurationChange: 'production-window-closed',
    alarms: [],
    reviewAnswer: 'approve',
    productionApproval: 'approve',
    expected: {
      deployments: { test: passed, staging: passed },
      infrastructureDeployed: [],
      rollbacks: [],
      // The team learns that production's stage failed (the window), and no one is asked for anything.
      notices: ['execution-started', 'stage-failed', 'deployment-failed'],
      absentNotices: ['approval-needed', 'rollback-started', 'deployment-succeeded'],
      running: { test: 'release', staging: 'release', production: 'previous' },
      // Entry conditions run before any action: neither production stage runs an action.
      stages: { 'Staging-Application': 'Succeeded', 'Approve-Production': 'not-run', 'Production-Application': 'not-run' },
      releaseStatus: 'Failed',
      stageRollbacks: [],
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
