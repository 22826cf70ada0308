/**
 * The pipeline plan: the whole stage layout of the CodePipeline V2 pipeline, computed from the
 * validated configuration as plain data. {@link planPipeline} decides which stages a configuration
 * gets and in what order; the stage builders (stage-builders.ts) make each stage, the plan's shape is
 * in plan-types.ts, and what is read back from a plan in plan-queries.ts. Every layout decision is
 * tested without synthesising CloudFormation; the pipeline stack only renders the plan.
 *
 * Pure: no CDK, no AWS SDK, no I/O, no clock (lint-enforced boundary).
 */
import type { DeploymentConfig } from '../../../shared/config/schema.js';
import { PIPELINE_STAGES } from '../stage-names.js';
import { PIPELINE_VARIABLES, SOURCE_ACTION_NAME } from '../pipeline-vocabulary.js';
import { EXECUTION_MODE, STACK_DEPLOYMENT, type PipelinePlan, type PlanOptions, type PlannedStage } from './plan-types.js';
import { SKIP_UNLESS_PIPELINE_CHANGED, windowRule } from './stage-conditions.js';
import { applicationStage, approvalStage, buildStage, changeDetectionStage, infrastructureStage, needsWindowStage, windowStage } from './stage-builders.js';
import { checkTestBudget } from './time-budgets.js';

/**
 * Computes the pipeline from the validated configuration: Build, change detection, then per
 * environment (in configuration order, which validation pins to test → staging → production) an
 * optional approval or window stage, the infrastructure stage and the application stage.
 */
export function planPipeline(config: Pick<DeploymentConfig, 'pipeline' | 'environments'>, options: PlanOptions = {}): PipelinePlan {
  const { pipeline, environments } = config;
  const stages: PlannedStage[] = [buildStage(pipeline.name, options)];
  // Every environment's change detection runs side by side after the build, in the stage CDK
  // Pipelines publishes the assets in (CHANGE_DETECTION_STAGE), except where a window stage runs it
  // (needsWindowStage).
  const detectedUpFront = environments.filter((environment) => !needsWindowStage(environment));
  if (detectedUpFront.length > 0) stages.push(changeDetectionStage(detectedUpFront, options));
  const detected = [...detectedUpFront];
  for (const environment of environments) {
    const window = windowRule(environment);
    if (environment.approval.required) {
      // The summary names only verdicts that exist when the approval is asked for.
      stages.push(approvalStage(environment, pipeline.name, environments.filter((candidate) => detected.includes(candidate))));
    } else if (window !== undefined) {
      stages.push(windowStage(environment, window, options));
      detected.push(environment);
    }
    stages.push(infrastructureStage(environment), applicationStage(environment, pipeline, options));
  }
  checkTestBudget(environments);
  return {
    pipelineName: pipeline.name,
    executionMode: EXECUTION_MODE,
    stackDeployment: STACK_DEPLOYMENT,
    source: {
      repository: `${pipeline.source.owner}/${pipeline.source.repository}`,
      branch: pipeline.source.branch,
      connectionArn: pipeline.source.connectionArn,
      actionName: SOURCE_ACTION_NAME,
    },
    variables: Object.values(PIPELINE_VARIABLES).map((variable) => ({ ...variable })),
    triggerBranches: [pipeline.source.branch],
    stages,
    managedStages: [
      // A restart rollback runs the CURRENT pipeline structure on the last known good commit. Self-
      // mutating to that commit's pipeline would cancel the execution and restart it on the bad HEAD
      // with KIRO_ROLLBACK=false (RestartExecutionOnUpdate), and would redeploy the runtime stack
      // (health monitor, orchestrator) in the middle of the rollback: skip it (docs/rollback.md).
      // A release whose pipeline definition did not change has nothing to self-mutate: skip it too
      // (docs/pipeline.md, "Skipping self-mutation").
      { name: PIPELINE_STAGES.updatePipeline, conditions: { beforeEntry: SKIP_UNLESS_PIPELINE_CHANGED } },
      // No condition on the Assets stage: it holds the change detection, which a restart rollback
      // must run. Its asset action reads its buildspec from the execution's own cloud assembly, so
      // a restart publishes the last known good commit's assets (already there, content-addressed),
      // never the current definition's (docs/rollback.md, "Restart without self-mutation").
    ],
  };
}
