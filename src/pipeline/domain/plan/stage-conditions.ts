/**
 * The rules and conditions the plan puts on its stages: deployment windows, critical alarms, the
 * rollback skip and the rollback on failure, and the `#{producer.name}` placeholder that conditions
 * and action texts use for exported variables.
 *
 * Pure: no CDK, no AWS SDK, no I/O (lint-enforced boundary).
 */
import { ConfigurationError } from '../../../shared/errors.js';
import type { DeploymentConfig, EnvironmentConfig } from '../../../shared/config/schema.js';
import { PIPELINE_CHANGED_VARIABLE } from '../change-detection/pipeline-definition-change.js';
import { BUILD_VARIABLES_NAMESPACE, PIPELINE_VARIABLES, PIPELINE_VARIABLES_NAMESPACE } from '../pipeline-vocabulary.js';
import type { ExportedVariableRef, PlanOptions, PlannedCondition, PlannedRule } from './plan-types.js';

/** CodePipeline allows at most five rules in one condition (API reference, Condition.rules). */
export const MAX_RULES_PER_CONDITION = 5;

/** Once the health monitor has watched the whole bake, the native alarm condition only takes a last look. */
export const FINAL_ALARM_CHECK_MINUTES = 1;

/**
 * The `#{producer.name}` placeholder of an exported variable in plan text. The stack replaces it
 * with the real reference, whose namespace CDK Pipelines chooses (see {@link VARIABLE_REFERENCE}).
 */
export function variableReference(ref: ExportedVariableRef): string {
  return `#{${ref.producer}.${ref.name}}`;
}

/**
 * Converts the configuration's EventBridge cron (`cron(min hour dom month dow year)`) into the
 * Quartz-style expression the DeploymentWindow rule takes (`sec min hour dom month dow year`,
 * seconds always `*`).
 */
export function deploymentWindowCron(eventBridgeCron: string): string {
  const match = /^cron\((.+)\)$/.exec(eventBridgeCron.trim());
  const fields = match?.[1]?.trim().split(/\s+/) ?? [];
  if (fields.length !== 6) {
    throw new ConfigurationError(
      `deploymentWindow.cron "${eventBridgeCron}" is not an EventBridge cron expression with six fields; write it as "cron(* 9-16 ? * MON-THU *)"`,
      { key: 'deploymentWindow.cron', value: eventBridgeCron },
    );
  }
  return ['*', ...fields].join(' ');
}

/** The deployment window of an environment as a DeploymentWindow rule; none when it has no window. */
export function windowRule(environment: EnvironmentConfig): PlannedRule | undefined {
  const window = environment.deploymentWindow;
  if (window === undefined) return undefined;
  return { kind: 'deployment-window', name: 'DeploymentWindow', cron: deploymentWindowCron(window.cron), timeZone: window.timeZone };
}

/** On failure, roll the stage back to its last successful execution (no rules: always applies). */
export const ROLLBACK_ON_FAILURE: PlannedCondition = { result: 'ROLLBACK', rules: [] };

/** Entry condition that passes for a normal release and SKIPs the stage for a rollback execution. */
export const SKIP_ON_ROLLBACK: PlannedCondition = {
  result: 'SKIP',
  rules: [
    {
      kind: 'variable-check',
      name: 'NotARollback',
      variable: { producer: PIPELINE_VARIABLES_NAMESPACE, name: PIPELINE_VARIABLES.rollback.name },
      operator: 'EQ',
      value: 'false',
    },
  ],
};

/**
 * UpdatePipeline's entry condition: self-mutation runs only for a normal release (not a rollback
 * execution, see {@link SKIP_ON_ROLLBACK}) whose Build found the pipeline's own definition changed
 * (`kiro-cd pipeline-changed`). All rules of a condition must pass for the stage to run; when one
 * fails, SKIP applies ("Configure conditions for a stage", CodePipeline user guide).
 */
export const SKIP_UNLESS_PIPELINE_CHANGED: PlannedCondition = {
  result: 'SKIP',
  rules: [
    ...SKIP_ON_ROLLBACK.rules,
    {
      kind: 'variable-check',
      name: 'PipelineChanged',
      variable: { producer: BUILD_VARIABLES_NAMESPACE, name: PIPELINE_CHANGED_VARIABLE },
      operator: 'EQ',
      value: 'true',
    },
  ],
};

/**
 * The CloudWatchAlarm rules of an environment's critical alarms, for its application stage's
 * on-success condition; refuses more than one condition can hold.
 */
export function alarmRules(environment: EnvironmentConfig, options: PlanOptions): PlannedRule[] {
  // Without a health monitor the condition itself is the bake; with one, it is a final check.
  const waitTimeMinutes = options.healthMonitor === true ? FINAL_ALARM_CHECK_MINUTES : Math.ceil(environment.healthCheck.durationSeconds / 60);
  const rules = environment.alarms.critical.map(
    (id): PlannedRule => ({
      kind: 'cloudwatch-alarm',
      name: `Alarm-${id}`,
      alarmName: `${environment.stackPrefix}-${id}`,
      alarmStates: ['ALARM'],
      waitTimeMinutes,
      region: environment.region,
    }),
  );
  if (rules.length > MAX_RULES_PER_CONDITION) {
    throw new ConfigurationError(
      `environment "${environment.name}", key "alarms.critical": ${rules.length} critical alarms, but a CodePipeline condition holds at most ${MAX_RULES_PER_CONDITION} rules; mark the others as warnings (the health monitor still watches them)`,
      { environment: environment.name, key: 'alarms.critical' },
    );
  }
  return rules;
}

/**
 * True when CodePipeline's CloudWatchAlarm rule can watch the environment's alarms. The rule names
 * an alarm and a region, never an account, and runs with the pipeline's role (rule reference,
 * "CloudWatchAlarm"); CloudWatch alarms have no resource policy to share them across accounts. So
 * the rule sees only alarms in the pipeline's account: an environment elsewhere is watched by the
 * health monitor alone, which reads its alarms through the observer role of that account.
 */
export function nativeAlarmConditionApplies(environment: Pick<EnvironmentConfig, 'account'>, pipeline: Pick<DeploymentConfig['pipeline'], 'account'>): boolean {
  return environment.account === pipeline.account;
}
