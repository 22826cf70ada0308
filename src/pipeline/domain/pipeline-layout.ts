import * as z from 'zod';
import { ENVIRONMENT_NAMES } from '../../shared/config/environment-names.js';
import { MalformedInputError } from '../../shared/errors.js';
import type { EnvironmentName } from './history-model.js';
import { stageRole, type StageRole } from './stage-names.js';

/**
 * The pipeline as the synthesized CloudFormation template declares it: what `npm start` shows, so a
 * reader sees what will really be deployed rather than what the plan meant to build. Pure: it takes
 * the parsed template and returns data; reading cdk.out is the caller's business.
 */

/** The resource type CodePipeline pipelines have in a template. */
export const PIPELINE_RESOURCE_TYPE = 'AWS::CodePipeline::Pipeline';

/** One action of a stage. */
export interface LayoutAction {
  readonly name: string;
  /** `ActionTypeId.Category`: Source, Build, Deploy, Approval, Invoke, Test. */
  readonly category: string;
  /** `ActionTypeId.Provider`: CodeBuild, CloudFormation, Manual, StepFunctions, ... */
  readonly provider: string;
  /** Actions with the same run order run side by side. CodePipeline's default is 1. */
  readonly runOrder: number;
  /** What the action works on, when its provider is known: the stack, project, repository, state machine or timeout. */
  readonly target?: string;
  /** `TimeoutInMinutes` when the template sets it (the manual approval's timeout is carried here). */
  readonly timeoutMinutes?: number;
  /** Every configuration value, intrinsics rendered as text (see {@link renderValue}). */
  readonly configuration: Readonly<Record<string, string>>;
}

/** One condition of a stage, in a line a person reads. */
export interface LayoutCondition {
  /** When CodePipeline evaluates it. */
  readonly when: 'entry' | 'on success' | 'on failure';
  /** Such as `VariableCheck INFRA_TEST EQ deploy else SKIP`. */
  readonly text: string;
}

/** One stage, with the environment its name places it in. */
export interface LayoutStage {
  readonly name: string;
  /** From the stage's name (stage-names.ts): its environment and role, or `pipeline` for the pipeline-wide stages. */
  readonly role: StageRole;
  /** In the template's order. */
  readonly actions: readonly LayoutAction[];
  /** Entry conditions first, then on success, then on failure. */
  readonly conditions: readonly LayoutCondition[];
}

/** What starts the pipeline. */
export interface LayoutTrigger {
  readonly event: 'push' | 'pull request';
  /** Included branches; excluded ones carry a leading `!`. Empty when the trigger does not filter on branches (tags or file paths only). */
  readonly branches: readonly string[];
}

/** The stages of one environment, in pipeline order. */
export interface EnvironmentLayout {
  readonly environment: EnvironmentName;
  readonly stages: readonly LayoutStage[];
}

/** The pipeline as its template declares it. */
export interface PipelineLayout {
  /** The pipeline's `Name`, or its logical id when CloudFormation generates the name. */
  readonly name: string;
  readonly logicalId: string;
  /** `PipelineType`; CloudFormation's default is V1. */
  readonly pipelineType: string;
  /** `ExecutionMode`; CloudFormation's default is SUPERSEDED. */
  readonly executionMode: string;
  readonly triggers: readonly LayoutTrigger[];
  /** Every stage in pipeline order. */
  readonly stages: readonly LayoutStage[];
  /** Source, Build, UpdatePipeline, Assets, Detect-Changes: stages that belong to no environment. */
  readonly pipelineWide: readonly LayoutStage[];
  /** Environments in the order the pipeline reaches them. */
  readonly environments: readonly EnvironmentLayout[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * A template value as text. Intrinsic functions do not resolve before deployment, so they are shown
 * for what they are: `{ Ref: X }` as `${Ref:X}`, `Fn::GetAtt` as `${GetAtt:X.Arn}`, `Fn::Join` joined
 * with its parts rendered, `Fn::Sub` as its template string (already `${...}`), any other function
 * as `${Name:argument}`. Never throws.
 */
export function renderValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(renderValue).join(',');
  if (!isRecord(value)) return '';
  const keys = Object.keys(value);
  const [key] = keys;
  if (keys.length === 1 && key !== undefined) {
    const argument = value[key];
    if (key === 'Ref') return `\${Ref:${renderValue(argument)}}`;
    if (key === 'Fn::GetAtt') return `\${GetAtt:${Array.isArray(argument) ? argument.map(renderValue).join('.') : renderValue(argument)}}`;
    if (key === 'Fn::Join' && Array.isArray(argument) && Array.isArray(argument[1])) return argument[1].map(renderValue).join(renderValue(argument[0]));
    if (key === 'Fn::Sub') return renderValue(Array.isArray(argument) ? argument[0] : argument);
    if (key.startsWith('Fn::')) return `\${${key.slice('Fn::'.length)}:${renderValue(argument)}}`;
  }
  return JSON.stringify(value);
}

// The shape the layout reads. Scalars stay `unknown` because any of them may be an intrinsic.
const optional = z.unknown().optional();
const required = z.unknown().refine((value) => value !== undefined && value !== null && value !== '', 'is required');
const configuration = optional.transform((value) => (isRecord(value) ? value : {}));
const rule = z.object({ RuleTypeId: z.object({ Provider: required }), Configuration: configuration });
const condition = z.object({ Result: optional, Rules: z.array(rule).default([]) });
const conditions = z.object({ Conditions: z.array(condition).default([]) });
const action = z.object({
  Name: required,
  ActionTypeId: z.object({ Category: optional, Provider: required }),
  RunOrder: optional,
  TimeoutInMinutes: optional,
  Configuration: configuration,
});
const stage = z.object({
  Name: required,
  Actions: z.array(action).min(1, 'a stage needs at least one action'),
  BeforeEntry: conditions.optional(),
  OnSuccess: conditions.optional(),
  OnFailure: z.object({ Result: optional, Conditions: z.array(condition).default([]), RetryConfiguration: z.object({ RetryMode: optional }).optional() }).optional(),
});
const branchFilter = z.object({ Includes: z.array(z.unknown()).default([]), Excludes: z.array(z.unknown()).default([]) });
const gitFilters = z.array(z.object({ Branches: branchFilter.optional() })).default([]);
const trigger = z.object({ GitConfiguration: z.object({ Push: gitFilters, PullRequest: gitFilters }).optional() });
const pipelineProperties = z.object({
  Name: optional,
  PipelineType: optional,
  ExecutionMode: optional,
  Triggers: z.array(trigger).default([]),
  Stages: z.array(stage).min(1, 'a pipeline needs at least one stage'),
});

type ParsedStage = z.infer<typeof stage>;
type ParsedAction = z.infer<typeof action>;
type ParsedCondition = z.infer<typeof condition>;
type ParsedRule = z.infer<typeof rule>;

/** The logical ids of the template's CodePipeline pipelines of type V2. */
export function v2PipelineIds(template: unknown): readonly string[] {
  const resources = isRecord(template) && isRecord(template.Resources) ? template.Resources : {};
  return Object.entries(resources)
    .filter(([, resource]) => isRecord(resource) && resource.Type === PIPELINE_RESOURCE_TYPE && isRecord(resource.Properties) && resource.Properties.PipelineType === 'V2')
    .map(([logicalId]) => logicalId);
}

/** `#{Detect-Changes@Detect-test.INFRA_TEST}` reads as `INFRA_TEST`: the variable's name says enough. */
function variableName(reference: string): string {
  // The name after the last dot, found with lastIndexOf: a pattern such as `(?:[^}]*\.)?([^.}]+)`
  // backtracks over every dot (security/detect-unsafe-regex).
  const inner = /^#\{([^}]*)\}$/.exec(reference)?.[1];
  const name = inner?.slice(inner.lastIndexOf('.') + 1) ?? '';
  return name === '' ? reference : name;
}

/** How an alarm rule watches, after the alarm's name: ` in ALARM,INSUFFICIENT_DATA (1 min)`. */
function alarmWatch(parsed: ParsedRule): string {
  // ALARM is the state every rule of this pipeline watches; show the states only when they differ.
  const states = renderValue(parsed.Configuration.AlarmStates);
  const wait = renderValue(parsed.Configuration.WaitTime);
  return `${states === '' || states === 'ALARM' ? '' : ` in ${states}`}${wait === '' ? '' : ` (${wait} min)`}`;
}

function ruleText(parsed: ParsedRule): string {
  const provider = renderValue(parsed.RuleTypeId.Provider);
  const config = (key: string): string => renderValue(parsed.Configuration[key]);
  switch (provider) {
    case 'VariableCheck':
      return `VariableCheck ${variableName(config('Variable'))} ${config('Operator')} ${config('Value')}`;
    case 'CloudWatchAlarm':
      return `CloudWatchAlarm ${config('AlarmName')}${alarmWatch(parsed)}`;
    case 'DeploymentWindow':
      return `DeploymentWindow ${config('Cron')}${config('TimeZone') === '' ? '' : ` ${config('TimeZone')}`}`;
    case 'LambdaInvoke':
      return `LambdaInvoke ${config('FunctionName')}`;
    default: {
      const settings = Object.keys(parsed.Configuration).map((key) => `${key}=${config(key)}`);
      return [provider, ...settings].join(' ');
    }
  }
}

/**
 * The rules of one condition, all of which must pass. Alarm rules that differ only in the alarm
 * read as one (`CloudWatchAlarm a, b (1 min)`): an application stage watches several alarms.
 */
function rulesText(parsed: ParsedCondition): string {
  if (parsed.Rules.length === 0) return '(no rules)';
  const isAlarm = (declared: ParsedRule): boolean => renderValue(declared.RuleTypeId.Provider) === 'CloudWatchAlarm';
  const [first, ...rest] = parsed.Rules;
  if (first !== undefined && rest.length > 0 && isAlarm(first) && rest.every((declared) => isAlarm(declared) && alarmWatch(declared) === alarmWatch(first))) {
    return `CloudWatchAlarm ${parsed.Rules.map((declared) => renderValue(declared.Configuration.AlarmName)).join(', ')}${alarmWatch(first)}`;
  }
  return parsed.Rules.map(ruleText).join(' and ');
}

/** A condition's result; CloudFormation leaves it optional, so its absence is shown, not hidden. */
function resultText(result: unknown): string {
  const text = renderValue(result);
  return text === '' ? '(no result)' : text;
}

function stageConditions(parsed: ParsedStage): LayoutCondition[] {
  const lines: LayoutCondition[] = [];
  // Entry and success conditions apply their result when a rule does not pass, hence "else".
  for (const entry of parsed.BeforeEntry?.Conditions ?? []) lines.push({ when: 'entry', text: `${rulesText(entry)} else ${resultText(entry.Result)}` });
  for (const success of parsed.OnSuccess?.Conditions ?? []) lines.push({ when: 'on success', text: `${rulesText(success)} else ${resultText(success.Result)}` });
  const failure = parsed.OnFailure;
  if (failure !== undefined) {
    const retry = failure.RetryConfiguration === undefined ? '' : ` (${renderValue(failure.RetryConfiguration.RetryMode)})`;
    if (failure.Result !== undefined || failure.Conditions.length === 0) lines.push({ when: 'on failure', text: `${resultText(failure.Result)}${retry}` });
    for (const rules of failure.Conditions) lines.push({ when: 'on failure', text: `${rulesText(rules)} → ${resultText(rules.Result)}` });
  }
  return lines;
}

/** The last segment of an ARN (`...:stateMachine:name` → `name`); anything else unchanged. */
function arnName(value: string): string {
  return value.startsWith('arn:') ? (value.split(':').at(-1) ?? value) : value;
}

function actionTarget(provider: string, settings: Readonly<Record<string, string>>, timeoutMinutes: number | undefined): string | undefined {
  switch (provider) {
    case 'CodeStarSourceConnection':
    case 'CodeCommit': {
      const repository = settings.FullRepositoryId ?? settings.RepositoryName;
      return repository === undefined ? undefined : `${repository}@${settings.BranchName ?? '(default branch)'}`;
    }
    case 'CodeBuild':
      return settings.ProjectName;
    case 'CloudFormation':
      return settings.StackName === undefined ? undefined : `${settings.StackName}${settings.ActionMode === undefined ? '' : ` (${settings.ActionMode})`}`;
    case 'StepFunctions':
      return settings.StateMachineArn === undefined ? undefined : arnName(settings.StateMachineArn);
    case 'Lambda':
      return settings.FunctionName;
    case 'Manual':
      // CodePipeline waits 7 days for an approval whose action sets no timeout.
      return timeoutMinutes === undefined ? 'timeout 7 days (default)' : `timeout ${timeoutMinutes} min`;
    default:
      return undefined;
  }
}

function integerOf(value: unknown, fallback: number | undefined, what: string): number | undefined {
  if (value === undefined || value === null) return fallback;
  const parsed = typeof value === 'number' ? value : Number(renderValue(value));
  if (!Number.isInteger(parsed)) throw new MalformedInputError(`${what} must be an integer, not ${renderValue(value)}.`, { value: renderValue(value) });
  return parsed;
}

function layoutAction(parsed: ParsedAction, stageName: string): LayoutAction {
  const name = renderValue(parsed.Name);
  const provider = renderValue(parsed.ActionTypeId.Provider);
  const settings: Record<string, string> = {};
  for (const [key, value] of Object.entries(parsed.Configuration)) settings[key] = renderValue(value);
  const timeoutMinutes = integerOf(parsed.TimeoutInMinutes, undefined, `TimeoutInMinutes of action ${name} in stage ${stageName}`);
  const target = actionTarget(provider, settings, timeoutMinutes);
  return {
    name,
    category: renderValue(parsed.ActionTypeId.Category),
    provider,
    runOrder: integerOf(parsed.RunOrder, 1, `RunOrder of action ${name} in stage ${stageName}`) ?? 1,
    ...(target === undefined ? {} : { target }),
    ...(timeoutMinutes === undefined ? {} : { timeoutMinutes }),
    configuration: settings,
  };
}

function layoutTriggers(parsed: z.infer<typeof pipelineProperties>['Triggers']): LayoutTrigger[] {
  const triggers: LayoutTrigger[] = [];
  for (const { GitConfiguration: git } of parsed) {
    const of = (event: LayoutTrigger['event'], filters: z.infer<typeof gitFilters>): void => {
      for (const filter of filters) {
        const branches = filter.Branches;
        triggers.push({ event, branches: branches === undefined ? [] : [...branches.Includes.map(renderValue), ...branches.Excludes.map((excluded) => `!${renderValue(excluded)}`)] });
      }
    };
    if (git === undefined) continue;
    of('push', git.Push);
    of('pull request', git.PullRequest);
  }
  return triggers;
}

/**
 * Reads the pipeline out of a synthesized template: the one CodePipeline pipeline of type V2, its
 * stages in order with their actions and conditions, and the stages grouped by the environment their
 * names (stage-names.ts) give them. Throws MalformedInputError when the template has no such
 * pipeline, more than one, or one without stages.
 *
 * @param environments the environments whose stage names to recognise; @default every environment of the schema
 */
export function pipelineLayout(template: unknown, environments: readonly EnvironmentName[] = ENVIRONMENT_NAMES): PipelineLayout {
  const ids = v2PipelineIds(template);
  if (ids.length !== 1) {
    throw new MalformedInputError(
      ids.length === 0
        ? `The template has no ${PIPELINE_RESOURCE_TYPE} resource with PipelineType V2: is it the pipeline stack's template?`
        : `The template has ${ids.length} ${PIPELINE_RESOURCE_TYPE} resources of type V2 (${ids.join(', ')}); expected one.`,
      { pipelines: ids },
    );
  }
  const logicalId = ids[0] ?? '';
  const resource = (template as { Resources: Record<string, { Properties: unknown }> }).Resources[logicalId];
  const parsed = pipelineProperties.safeParse(resource?.Properties);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${['Properties', ...issue.path.map(String)].join('.')}: ${issue.message}`);
    throw new MalformedInputError(`Pipeline ${logicalId} does not have the shape of a CodePipeline pipeline: ${problems.join('; ')}.`, { logicalId, problems });
  }
  const properties = parsed.data;
  const stages: LayoutStage[] = properties.Stages.map((declared) => {
    const name = renderValue(declared.Name);
    return { name, role: stageRole(name, environments), actions: declared.Actions.map((declaredAction) => layoutAction(declaredAction, name)), conditions: stageConditions(declared) };
  });
  const byEnvironment = new Map<EnvironmentName, LayoutStage[]>();
  for (const layoutStage of stages) {
    if (!('environment' in layoutStage.role)) continue;
    const list = byEnvironment.get(layoutStage.role.environment) ?? [];
    list.push(layoutStage);
    byEnvironment.set(layoutStage.role.environment, list);
  }
  const name = renderValue(properties.Name);
  const pipelineType = renderValue(properties.PipelineType);
  const executionMode = renderValue(properties.ExecutionMode);
  return {
    name: name === '' ? logicalId : name,
    logicalId,
    pipelineType: pipelineType === '' ? 'V1' : pipelineType,
    executionMode: executionMode === '' ? 'SUPERSEDED' : executionMode,
    triggers: layoutTriggers(properties.Triggers),
    stages,
    pipelineWide: stages.filter((layoutStage) => !('environment' in layoutStage.role)),
    environments: [...byEnvironment].map(([environment, environmentStages]) => ({ environment, stages: environmentStages })),
  };
}

/** `push to main`, `pull request to main, release/*`, `push (no branch filter)`. */
function triggerText(trigger: LayoutTrigger): string {
  return trigger.branches.length === 0 ? `${trigger.event} (no branch filter)` : `${trigger.event} to ${trigger.branches.join(', ')}`;
}

function stageLines(layoutStage: LayoutStage, indent: string): string[] {
  const nameWidth = Math.max(...layoutStage.actions.map((layoutAction) => layoutAction.name.length));
  const providerWidth = Math.max(...layoutStage.actions.map((layoutAction) => layoutAction.provider.length));
  const conditionLine = (condition: LayoutCondition): string => `${indent}  ${condition.when}: ${condition.text}`;
  return [
    `${indent}${layoutStage.name}`,
    ...layoutStage.conditions.filter((condition) => condition.when === 'entry').map(conditionLine),
    ...layoutStage.actions.map((layoutAction) =>
      `${indent}  ${String(layoutAction.runOrder).padStart(2)}. ${layoutAction.name.padEnd(nameWidth)}  ${layoutAction.provider.padEnd(providerWidth)}  ${layoutAction.target ?? ''}`.trimEnd(),
    ),
    ...layoutStage.conditions.filter((condition) => condition.when !== 'entry').map(conditionLine),
  ];
}

/**
 * The layout as console lines: a heading with name, type, execution mode and triggers, then the
 * pipeline-wide stages, then each environment's stages. Each stage lists its entry conditions, its
 * actions (run order, name, provider, target) and its success and failure conditions, in the order
 * CodePipeline applies them.
 */
export function formatPipelineLayout(layout: PipelineLayout): string[] {
  const triggers = layout.triggers.length === 0 ? 'no triggers' : layout.triggers.map(triggerText).join('; ');
  return [
    `Pipeline ${layout.name} (${layout.pipelineType}, ${layout.executionMode}, ${triggers}):`,
    ...(layout.pipelineWide.length === 0 ? [] : ['  pipeline-wide:', ...layout.pipelineWide.flatMap((layoutStage) => stageLines(layoutStage, '    '))]),
    ...layout.environments.flatMap((environment) => [`  ${environment.environment}:`, ...environment.stages.flatMap((layoutStage) => stageLines(layoutStage, '    '))]),
  ];
}
