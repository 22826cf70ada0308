/**
 * A pipeline scenario as data: how an execution is started, what the actions that cannot run here
 * report (CodeBuild builds and suites, the health check's verdict), what people answer (approvals),
 * and how every stage must end. Adding a scenario is adding one of these objects; nothing here
 * decides which stage runs or how a condition evaluates — the local CodePipeline does, from the
 * synthesized declaration.
 */
import type { StageStatus } from '../../local/codepipeline/execution-records.js';

/** One scenario. */
export interface PipelineScenario {
  readonly name: string;
  readonly description: string;
  /** Run one clean execution first, so stages have a rollback target. */
  readonly baseline: boolean;
  /** How the scenario's execution starts (StartPipelineExecution `variables`, source revision). */
  readonly start: { readonly variables?: Readonly<Record<string, string>>; readonly revision: string };
  /** Output variables the change-detection actions report, by action name. */
  readonly outputs: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Actions that fail, as `<stage>.<action>` (all others succeed). */
  readonly failingActions: readonly string[];
  /** The approver's answer per approval stage; absent means nobody answers (the approval times out). */
  readonly approvals: Readonly<Record<string, 'Approved' | 'Rejected'>>;
  readonly expected: {
    /** The final status of each listed stage in the scenario's execution; `not-run` when it never started. */
    readonly stages: Readonly<Record<string, StageStatus | 'not-run'>>;
    /** Stages rolled back (ROLLBACK executions) after the scenario's execution. */
    readonly rolledBack: readonly string[];
    /** Approval stages that asked a person (an approval action ran). */
    readonly approvalsAsked: readonly string[];
  };
}

const DEPLOY_EVERYWHERE = {
  // The Build's verdict on the pipeline's own stacks (kiro-cd pipeline-changed): these releases change them.
  Synth: { PIPELINE_CHANGED: 'true' },
  'Detect-test': { INFRA_TEST: 'deploy' },
  'Detect-staging': { INFRA_STAGING: 'deploy' },
  'Detect-production': { INFRA_PRODUCTION: 'deploy' },
};

/** The scenarios the drift test and the engine rehearsal run. */
export const PIPELINE_SCENARIOS: readonly PipelineScenario[] = [
  {
    name: 'full-rollback-restart-skips-production-approval',
    description:
      'A full rollback restarts the pipeline on the last known good commit with KIRO_ROLLBACK=true: Approve-Production is skipped by its entry condition, so nobody is asked to approve a rollback.',
    baseline: false,
    start: { variables: { KIRO_ROLLBACK: 'true', KIRO_ROLLBACK_ID: 'rollback-1' }, revision: 'last-known-good' },
    outputs: DEPLOY_EVERYWHERE,
    failingActions: [],
    approvals: {},
    expected: { stages: { 'Approve-Production': 'Skipped', 'Production-Application': 'Succeeded' }, rolledBack: [], approvalsAsked: [] },
  },
  {
    name: 'staging-health-check-fails-stage-rolls-back',
    description: "Staging's health check fails: the stage fails and its OnFailure ROLLBACK returns it to the baseline; production is never reached.",
    baseline: true,
    start: { revision: 'release' },
    outputs: DEPLOY_EVERYWHERE,
    failingActions: ['Staging-Application.HealthCheck'],
    approvals: { 'Approve-Production': 'Approved' },
    expected: { stages: { 'Test-Application': 'Succeeded', 'Staging-Application': 'Failed', 'Approve-Production': 'not-run' }, rolledBack: ['Staging-Application'], approvalsAsked: [] },
  },
  {
    name: 'application-only-commit-skips-infrastructure',
    description: 'Change detection finds no infrastructure change anywhere and the pipeline unchanged: UpdatePipeline and every infrastructure stage are skipped by their entry conditions, every application stage runs.',
    baseline: false,
    start: { revision: 'application-only' },
    outputs: { Synth: { PIPELINE_CHANGED: 'false' }, 'Detect-test': { INFRA_TEST: 'skip' }, 'Detect-staging': { INFRA_STAGING: 'skip' }, 'Detect-production': { INFRA_PRODUCTION: 'skip' } },
    failingActions: [],
    approvals: { 'Approve-Production': 'Approved' },
    expected: {
      stages: { UpdatePipeline: 'Skipped', 'Test-Infrastructure': 'Skipped', 'Staging-Infrastructure': 'Skipped', 'Production-Infrastructure': 'Skipped', 'Production-Application': 'Succeeded' },
      rolledBack: [],
      approvalsAsked: ['Approve-Production'],
    },
  },
  {
    name: 'production-approval-unanswered-times-out',
    description: 'Nobody answers the production approval: it fails when its TimeoutInMinutes passes and production keeps its release.',
    baseline: false,
    start: { revision: 'release' },
    outputs: DEPLOY_EVERYWHERE,
    failingActions: [],
    approvals: {},
    expected: { stages: { 'Staging-Application': 'Succeeded', 'Approve-Production': 'Failed', 'Production-Application': 'not-run' }, rolledBack: [], approvalsAsked: ['Approve-Production'] },
  },
];
