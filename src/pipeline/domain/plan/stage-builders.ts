/**
 * The stage builders: one function per kind of stage the plan holds (build, change detection,
 * window, approval, infrastructure, application), each turning an environment's configuration into
 * that stage as data. {@link planPipeline} decides which stages a configuration gets and in what order.
 *
 * Pure: no CDK, no AWS SDK, no I/O (lint-enforced boundary).
 */
import type { DeploymentConfig, EnvironmentConfig } from '../../../shared/config/schema.js';
import { CHANGE_DETECTION_STAGE, SOURCE_VARIABLES_NAMESPACE, detectionActionName, infraVariableName } from '../pipeline-vocabulary.js';
import { PIPELINE_STAGES, applicationStageName, approvalStageName, infrastructureStageName, windowStageName } from '../stage-names.js';
import { buildAction, detectionAction, staticChecksAction, testsAction, unitTestsAction } from './codebuild-actions.js';
import type { BuildStagePlan, HealthCheckPlan, PlanOptions, PlannedRule, PlannedStage } from './plan-types.js';
import { ROLLBACK_ON_FAILURE, SKIP_ON_ROLLBACK, alarmRules, nativeAlarmConditionApplies, variableReference, windowRule } from './stage-conditions.js';
import { TIME_BUDGETS } from './time-budgets.js';

/**
 * The Build stage: the synthesis with the supply-chain and policy gates, and beside it, on machines
 * of their own, the unit tests and the static checks. The stage takes as long as the slowest of the
 * three and fails when any of them fails (docs/pipeline.md, "The Build split into side-by-side actions").
 */
export function buildStage(pipelineName: string, options: PlanOptions = {}): BuildStagePlan {
  return { kind: 'build', name: PIPELINE_STAGES.build, action: buildAction(pipelineName, options), besideSynth: [unitTestsAction(pipelineName), staticChecksAction(pipelineName)] };
}

/**
 * The pipeline-wide change-detection stage: the detection of each given environment, side by side,
 * in the stage CDK Pipelines also publishes the assets in ({@link CHANGE_DETECTION_STAGE}), so the
 * detection no longer waits for the publishing. The stage has no entry condition: a restart rollback
 * runs it (docs/rollback.md).
 */
export function changeDetectionStage(environments: readonly EnvironmentConfig[], options: PlanOptions): PlannedStage {
  return {
    kind: 'change-detection',
    name: CHANGE_DETECTION_STAGE,
    actions: environments.map((environment) => detectionAction(environment, options)),
    conditions: {},
  };
}

/** An environment's infrastructure stage, skipped when change detection found nothing to deploy. */
export function infrastructureStage(environment: EnvironmentConfig): PlannedStage {
  return {
    kind: 'infrastructure',
    name: infrastructureStageName(environment.name),
    environment: environment.name,
    conditions: {
      // The one entry condition this stage may have (CodePipeline allows exactly one per slot):
      // the VariableCheck passes when change detection said "deploy"; when it fails, SKIP applies.
      beforeEntry: {
        result: 'SKIP',
        rules: [
          {
            kind: 'variable-check',
            name: 'InfrastructureChanged',
            variable: { producer: detectionActionName(environment.name), name: infraVariableName(environment.name) },
            operator: 'EQ',
            value: 'deploy',
          },
        ],
      },
      onFailure: ROLLBACK_ON_FAILURE,
    },
    budgetMinutes: TIME_BUDGETS.infrastructureDeployMinutes,
  };
}

/** An environment's application stage: the deployment, then its health check and suite side by side. */
export function applicationStage(environment: EnvironmentConfig, pipeline: DeploymentConfig['pipeline'], options: PlanOptions): PlannedStage {
  const pipelineName = pipeline.name;
  const name = applicationStageName(environment.name);
  const window = windowRule(environment);
  const healthCheck: HealthCheckPlan | undefined = options.healthMonitor
    ? {
        name: 'HealthCheck',
        input: {
          environment: environment.name,
          pipelineName,
          executionId: '#{codepipeline.PipelineExecutionId}',
          commitId: `#{${SOURCE_VARIABLES_NAMESPACE}.CommitId}`,
          stage: name,
        },
        expectedMinutes: Math.ceil(environment.healthCheck.durationSeconds / 60),
      }
    : undefined;
  return {
    kind: 'application',
    name,
    environment: environment.name,
    conditions: {
      ...(window === undefined ? {} : { beforeEntry: { result: 'FAIL', rules: [window] } }),
      ...(nativeAlarmConditionApplies(environment, pipeline) ? { onSuccess: { result: 'ROLLBACK', rules: alarmRules(environment, options) } } : {}),
      onFailure: ROLLBACK_ON_FAILURE,
    },
    budgetMinutes: TIME_BUDGETS.applicationDeployMinutes,
    ...(healthCheck === undefined ? {} : { healthCheck }),
    tests: testsAction(environment),
  };
}

function approvalSummary(pipelineName: string, environments: readonly EnvironmentConfig[]): string {
  const changes = environments.map(
    (environment) =>
      `${environment.name}=${variableReference({ producer: detectionActionName(environment.name), name: infraVariableName(environment.name) })}`,
  );
  return [
    `Release of ${pipelineName}: commit #{${SOURCE_VARIABLES_NAMESPACE}.CommitId} by #{${SOURCE_VARIABLES_NAMESPACE}.AuthorDisplayName}: #{${SOURCE_VARIABLES_NAMESPACE}.CommitMessage}.`,
    `Infrastructure deploy per environment: ${changes.join(', ')}.`,
    'Build gates (tests, coverage >= 80 %, ESLint, npm audit, cfn-lint, cfn-guard, cdk-nag) passed; earlier environments passed their health checks and tests.',
    'Details: CodeBuild reports of this execution and the KiroCD/Build dashboard. A rejection, or no answer within the timeout, stops the release without a rollback.',
  ].join(' ');
}

/**
 * The stage that carries an environment's deployment window when it has no approval stage to carry
 * it: the infrastructure stage's one entry slot holds its skip condition, and SKIP cannot be
 * combined with a DeploymentWindow rule (SKIP takes only VariableCheck and LambdaInvoke rules), so
 * the window gets a stage of its own in front of the environment. Its action is the environment's
 * change detection, which then runs just before the environment deploys.
 */
export function windowStage(environment: EnvironmentConfig, window: PlannedRule, options: PlanOptions): PlannedStage {
  return {
    kind: 'change-detection',
    name: windowStageName(environment.name),
    actions: [detectionAction(environment, options)],
    conditions: { beforeEntry: { result: 'FAIL', rules: [window] } },
  };
}

/** True when the environment's window needs a stage of its own ({@link windowStage}). */
export function needsWindowStage(environment: EnvironmentConfig): boolean {
  return environment.deploymentWindow !== undefined && !environment.approval.required;
}

/** An environment's approval stage; its summary names the change-detection verdicts known by then. */
export function approvalStage(environment: EnvironmentConfig, pipelineName: string, detected: readonly EnvironmentConfig[]): PlannedStage {
  const window = windowRule(environment);
  return {
    kind: 'approval',
    name: approvalStageName(environment.name),
    environment: environment.name,
    timeoutMinutes: environment.approval.timeoutMinutes,
    summary: approvalSummary(pipelineName, detected),
    // The infrastructure stage's only entry slot is taken by the skip condition, so an environment's
    // deployment window is checked before its approval too: nobody is asked to approve a release
    // that could not deploy. Without a window, the slot skips the approval for a rollback execution
    // (KIRO_ROLLBACK=true): restoring the last known good release must not wait for a person. With a
    // window the slot is taken, and a restart-based rollback waits for the approver (docs/rollback.md).
    conditions: { beforeEntry: window === undefined ? SKIP_ON_ROLLBACK : { result: 'FAIL', rules: [window] } },
  };
}
