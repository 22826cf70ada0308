/**
 * The pipeline as the synthesized CloudFormation template declares it: what `npm start` shows, so a
 * reader sees what will really be deployed rather than what the plan meant to build. Pure: it takes
 * the parsed template and returns data; reading cdk.out is the caller's business, the conditions'
 * text is stage-condition-text.ts's and the console lines are format-pipeline-layout.ts's.
 */
import type * as z from 'zod';
import { ENVIRONMENT_NAMES } from '../../shared/config/environment-names.js';
import { MalformedInputError } from '../../shared/errors.js';
import { pipelineProperties, type ParsedAction, type gitFilters } from './declared-pipeline.js';
import type { EnvironmentName } from './history-model.js';
import { stageConditions, type LayoutCondition } from './stage-condition-text.js';
import { stageRole, type StageRole } from './stage-names.js';
import { isRecord, renderValue } from './template-value.js';

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
  /** Source, Build, UpdatePipeline, Assets (with change detection): stages that belong to no environment. */
  readonly pipelineWide: readonly LayoutStage[];
  /** Environments in the order the pipeline reaches them. */
  readonly environments: readonly EnvironmentLayout[];
}

/** The logical ids of the template's CodePipeline pipelines of type V2. */
export function v2PipelineIds(template: unknown): readonly string[] {
  const resources = isRecord(template) && isRecord(template.Resources) ? template.Resources : {};
  return Object.entries(resources)
    .filter(([, resource]) => isRecord(resource) && resource.Type === PIPELINE_RESOURCE_TYPE && isRecord(resource.Properties) && resource.Properties.PipelineType === 'V2')
    .map(([logicalId]) => logicalId);
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

