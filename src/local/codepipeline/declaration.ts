/**
 * The pipeline declaration the local CodePipeline executes, read from the synthesized
 * `AWS::CodePipeline::Pipeline` resource (the declaration `cdk deploy` sends), never from the plan.
 * Intrinsic functions are resolved the way the rest of the rehearsal resolves them.
 */
import { MalformedInputError } from '../../shared/errors.js';
import { pipelineProperties, type ParsedCondition } from '../../pipeline/domain/declared-pipeline.js';
import { resolutionContextFor, resolveIntrinsics, type SynthesizedStack } from '../synthesized-templates.js';

/** One rule of a stage condition (`RuleDeclaration`). */
export interface RuleDeclaration {
  readonly name: string;
  /** `VariableCheck`, `DeploymentWindow`, `CloudWatchAlarm`, ... */
  readonly provider: string;
  readonly configuration: Readonly<Record<string, string>>;
}

/** One condition: its result and the rules that decide whether it engages. */
export interface ConditionDeclaration {
  /** `ROLLBACK`, `FAIL`, `RETRY` or `SKIP`. */
  readonly result: string;
  readonly rules: readonly RuleDeclaration[];
}

/** One action (`ActionDeclaration`). */
export interface ActionDeclaration {
  readonly name: string;
  readonly category: string;
  readonly provider: string;
  readonly runOrder: number;
  readonly namespace?: string;
  readonly configuration: Readonly<Record<string, string>>;
  /** Only the manual approval takes one (ActionDeclaration.timeoutInMinutes). */
  readonly timeoutInMinutes?: number;
}

/** One stage with its conditions. */
export interface StageDeclaration {
  readonly name: string;
  readonly actions: readonly ActionDeclaration[];
  readonly beforeEntry: readonly ConditionDeclaration[];
  readonly onSuccess: readonly ConditionDeclaration[];
  /** The OnFailure result (`ROLLBACK`), when the stage declares one. */
  readonly onFailure?: ConditionDeclaration;
}

/** A pipeline-level variable and its default. */
export interface PipelineVariableDeclaration {
  readonly name: string;
  readonly defaultValue: string;
}

/** The whole pipeline declaration. */
export interface PipelineDeclaration {
  readonly name: string;
  readonly pipelineType: string;
  readonly executionMode: 'SUPERSEDED' | 'QUEUED' | 'PARALLEL';
  /** CloudFormation's `RestartExecutionOnUpdate`: rerun the pipeline after CloudFormation updates it. */
  readonly restartExecutionOnUpdate: boolean;
  readonly variables: readonly PipelineVariableDeclaration[];
  readonly stages: readonly StageDeclaration[];
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function stringMap(value: Readonly<Record<string, unknown>>): Record<string, string> {
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, text(item)]));
}

function conditions(declared: readonly ParsedCondition[]): ConditionDeclaration[] {
  return declared.map((condition) => ({
    result: text(condition.Result),
    rules: condition.Rules.map((rule) => ({ name: text(rule.Name), provider: text(rule.RuleTypeId.Provider), configuration: stringMap(rule.Configuration) })),
  }));
}

/**
 * Reads a declaration from the (intrinsics-resolved) properties of an `AWS::CodePipeline::Pipeline`,
 * through the project's one reader of that resource (`pipelineProperties`).
 */
export function parsePipelineDeclaration(properties: Readonly<Record<string, unknown>>): PipelineDeclaration {
  if (typeof properties.Name !== 'string' || !Array.isArray(properties.Stages)) {
    throw new MalformedInputError('The AWS::CodePipeline::Pipeline has no Name or Stages; is this the synthesized pipeline template?', {});
  }
  const parsed = pipelineProperties.safeParse(properties);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new MalformedInputError(`The AWS::CodePipeline::Pipeline ${properties.Name} is not a pipeline declaration: ${problems}.`, {});
  }
  const declared = parsed.data;
  const mode = declared.ExecutionMode ?? 'SUPERSEDED';
  if (mode !== 'SUPERSEDED' && mode !== 'QUEUED' && mode !== 'PARALLEL') throw new MalformedInputError(`Unknown ExecutionMode ${text(mode)}.`, { mode });
  return {
    name: properties.Name,
    pipelineType: text(declared.PipelineType ?? 'V1'),
    executionMode: mode,
    restartExecutionOnUpdate: declared.RestartExecutionOnUpdate === true || declared.RestartExecutionOnUpdate === 'true',
    variables: declared.Variables.map((variable) => ({ name: text(variable.Name), defaultValue: variable.DefaultValue === undefined ? '' : text(variable.DefaultValue) })),
    stages: declared.Stages.map((stage) => ({
      name: text(stage.Name),
      actions: stage.Actions.map((action) => ({
        name: text(action.Name),
        category: text(action.ActionTypeId.Category),
        provider: text(action.ActionTypeId.Provider),
        runOrder: typeof action.RunOrder === 'number' ? action.RunOrder : 1,
        ...(typeof action.Namespace === 'string' ? { namespace: action.Namespace } : {}),
        configuration: stringMap(action.Configuration),
        ...(typeof action.TimeoutInMinutes === 'number' ? { timeoutInMinutes: action.TimeoutInMinutes } : {}),
      })),
      beforeEntry: conditions(stage.BeforeEntry?.Conditions ?? []),
      onSuccess: conditions(stage.OnSuccess?.Conditions ?? []),
      // OnFailure is a FailureConditions: a Result and optional Conditions (rules that must hold for it to engage).
      ...(typeof stage.OnFailure?.Result === 'string' ? { onFailure: { result: stage.OnFailure.Result, rules: conditions(stage.OnFailure.Conditions).flatMap((condition) => condition.rules) } } : {}),
    })),
  };
}

/**
 * The pipeline of the synthesized stacks: the one `AWS::CodePipeline::Pipeline` whose stack is
 * `pipelineStackName` (or the only one there is). Intrinsics are resolved in `where`.
 */
export function findPipelineDeclaration(
  stacks: readonly SynthesizedStack[],
  where: { readonly region: string; readonly account: string },
  pipelineStackName?: string,
): PipelineDeclaration {
  const found = stacks.flatMap((stack) =>
    Object.values(stack.resources)
      .filter((resource) => resource.Type === 'AWS::CodePipeline::Pipeline' && (pipelineStackName === undefined || stack.stackName === pipelineStackName))
      .map((resource) => ({ stack, resource })),
  );
  const [first] = found;
  if (first === undefined || found.length > 1) {
    throw new MalformedInputError(
      `Expected exactly one AWS::CodePipeline::Pipeline in the synthesized templates${pipelineStackName === undefined ? '' : ` of ${pipelineStackName}`}, found ${found.length}; run \`npm run synth\`.`,
      { found: found.length },
    );
  }
  const resolved = resolveIntrinsics(first.resource.Properties ?? {}, resolutionContextFor(first.stack, where));
  return parsePipelineDeclaration(record(resolved));
}

/** The structure a definition change is judged on: everything but the name (an update that changes nothing keeps the version). */
export function structureOf(declaration: PipelineDeclaration): string {
  return JSON.stringify({ ...declaration, name: undefined });
}
