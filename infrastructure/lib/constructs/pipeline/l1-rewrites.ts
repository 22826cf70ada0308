/**
 * What the pipeline stack writes into the L1 CodePipeline and IAM resources after CDK Pipelines has
 * built them: the plan's stage conditions in CloudFormation's shape, deploy-action role ARNs as
 * Fn::Sub, and KMS statements narrowed from `*`. Each rewrite happens when the template is resolved,
 * so it covers everything CDK adds until synthesis and changes nothing else.
 */
import { Lazy, type aws_codepipeline as codepipeline, type aws_iam as iam } from 'aws-cdk-lib';
import type { PlannedCondition, PlannedRule, StageConditions } from '../../../../src/pipeline/domain/plan/plan-types.js';

/** Resolves a `producer.name` variable to the reference CodePipeline resolves at run time. */
export type VariableResolver = (producer: string, name: string) => string;

/** A stage's conditions as the CloudFormation properties `BeforeEntry`, `OnSuccess`, `OnFailure`. */
export function renderStageConditions(conditions: StageConditions, resolveVariable: VariableResolver): Record<string, unknown> {
  const render = (condition: PlannedCondition) => ({
    Conditions: [{ Result: condition.result, Rules: condition.rules.map((rule) => renderRule(rule, resolveVariable)) }],
  });
  return {
    ...(conditions.beforeEntry === undefined ? {} : { BeforeEntry: render(conditions.beforeEntry) }),
    ...(conditions.onSuccess === undefined ? {} : { OnSuccess: render(conditions.onSuccess) }),
    ...(conditions.onFailure === undefined
      ? {}
      : {
          OnFailure:
            conditions.onFailure.rules.length === 0 ? { Result: conditions.onFailure.result } : { Result: conditions.onFailure.result, ...render(conditions.onFailure) },
        }),
  };
}

/**
 * CDK Pipelines writes the CloudFormation execution role of each deploy action as an Fn::Join of
 * literals and pseudo parameters; CodePipeline's action schema (cfn-lint E3703) wants Fn::Sub.
 */
export function writeActionRoleArnsAsSub(pipeline: codepipeline.CfnPipeline): void {
  const original: unknown = pipeline.stages;
  pipeline.stages = Lazy.uncachedAny({ produce: (context) => rewriteStageRoleArns(context.resolve(original)) });
}

/**
 * Gives every statement of `policy` whose resource is `*` and whose actions are all KMS ones the
 * given resources and condition instead.
 */
export function narrowKmsWildcardStatements(policy: iam.CfnPolicy, resources: readonly string[], condition: Record<string, unknown>): void {
  const original: unknown = policy.policyDocument;
  policy.policyDocument = Lazy.uncachedAny({
    produce: (context) => {
      const document: unknown = context.resolve(original);
      if (!isRecord(document) || !Array.isArray(document.Statement)) return document;
      return {
        ...document,
        Statement: (document.Statement as unknown[]).map((statement) => {
          if (!isRecord(statement) || statement.Resource !== '*') return statement;
          const actions = [statement.Action].flat();
          if (!actions.every((action) => typeof action === 'string' && action.startsWith('kms:'))) return statement;
          return { ...statement, Resource: [...resources], Condition: condition };
        }),
      };
    },
  });
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `{ Fn::Join: ['', [literals and { Ref: pseudo }]] }` as the equivalent Fn::Sub; anything else unchanged. */
function joinAsSub(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const join = value['Fn::Join'];
  if (!Array.isArray(join) || join[0] !== '' || !Array.isArray(join[1])) return value;
  let text = '';
  for (const part of join[1] as unknown[]) {
    if (typeof part === 'string' && !part.includes('${')) text += part;
    else if (isRecord(part) && typeof part.Ref === 'string' && part.Ref.startsWith('AWS::')) text += `\${${part.Ref}}`;
    else return value;
  }
  return { 'Fn::Sub': text };
}

/** Resolved L1 stages with every action's `configuration.RoleArn` written by {@link joinAsSub}. */
function rewriteStageRoleArns(stages: unknown): unknown {
  if (!Array.isArray(stages)) return stages;
  return stages.map((stage: unknown) => {
    if (!isRecord(stage) || !Array.isArray(stage.actions)) return stage;
    return {
      ...stage,
      actions: (stage.actions as unknown[]).map((action) => {
        if (!isRecord(action) || !isRecord(action.configuration) || action.configuration.RoleArn === undefined) return action;
        return { ...action, configuration: { ...action.configuration, RoleArn: joinAsSub(action.configuration.RoleArn) } };
      }),
    };
  });
}

/** Renders one planned rule as a CloudFormation RuleDeclaration. */
function renderRule(rule: PlannedRule, resolveVariable: (producer: string, name: string) => string): Record<string, unknown> {
  const ruleTypeId = (provider: string) => ({ Category: 'Rule', Owner: 'AWS', Provider: provider, Version: '1' });
  switch (rule.kind) {
    case 'variable-check':
      return {
        Name: rule.name,
        RuleTypeId: ruleTypeId('VariableCheck'),
        Configuration: { Variable: resolveVariable(rule.variable.producer, rule.variable.name), Operator: rule.operator, Value: rule.value },
      };
    case 'deployment-window':
      return { Name: rule.name, RuleTypeId: ruleTypeId('DeploymentWindow'), Configuration: { Cron: rule.cron, TimeZone: rule.timeZone } };
    case 'cloudwatch-alarm':
      return {
        Name: rule.name,
        RuleTypeId: ruleTypeId('CloudWatchAlarm'),
        Configuration: { AlarmName: rule.alarmName, AlarmStates: rule.alarmStates.join(','), WaitTime: String(rule.waitTimeMinutes) },
        Region: rule.region,
      };
  }
}
