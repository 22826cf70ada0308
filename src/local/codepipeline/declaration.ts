/**
 * The pipeline declaration the local CodePipeline executes, read from the synthesized
 * `AWS::CodePipeline::Pipeline` resource (the declaration `cdk deploy` sends), never from the plan.
 * Intrinsic functions are resolved the way the rest of the rehearsal resolves them.
 */
import { MalformedInputError } from '../../shared/errors.js';
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

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function stringMap(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(record(value)).map(([key, item]) => [key, text(item)]));
}

function conditions(value: unknown): ConditionDeclaration[] {
  return list(record(value).Conditions).map((condition) => {
    const declared = record(condition);
    return {
      result: text(declared.Result),
      rules: list(declared.Rules).map((rule) => {
        const r = record(rule);
        return { name: text(r.Name), provider: text(record(r.RuleTypeId).Provider), configuration: stringMap(r.Configuration) };
      }),
    };
  });
}

/** Reads a declaration from the (intrinsics-resolved) properties of an `AWS::CodePipeline::Pipeline`. */
export function parsePipelineDeclaration(properties: Readonly<Record<string, unknown>>): PipelineDeclaration {
  const name = properties.Name;
  if (typeof name !== 'string' || !Array.isArray(properties.Stages)) {
    throw new MalformedInputError('The AWS::CodePipeline::Pipeline has no Name or Stages; is this the synthesized pipeline template?', {});
  }
  const mode = properties.ExecutionMode ?? 'SUPERSEDED';
  if (mode !== 'SUPERSEDED' && mode !== 'QUEUED' && mode !== 'PARALLEL') throw new MalformedInputError(`Unknown ExecutionMode ${text(mode)}.`, { mode });
  return {
    name,
    pipelineType: text(properties.PipelineType ?? 'V1'),
    executionMode: mode,
    restartExecutionOnUpdate: properties.RestartExecutionOnUpdate === true || properties.RestartExecutionOnUpdate === 'true',
    variables: list(properties.Variables).map((variable) => {
      const v = record(variable);
      return { name: text(v.Name), defaultValue: v.DefaultValue === undefined ? '' : text(v.DefaultValue) };
    }),
    stages: list(properties.Stages).map((stage) => {
      const s = record(stage);
      const onFailure = record(s.OnFailure);
      return {
        name: text(s.Name),
        actions: list(s.Actions).map((action) => {
          const a = record(action);
          const type = record(a.ActionTypeId);
          return {
            name: text(a.Name),
            category: text(type.Category),
            provider: text(type.Provider),
            runOrder: typeof a.RunOrder === 'number' ? a.RunOrder : 1,
            ...(typeof a.Namespace === 'string' ? { namespace: a.Namespace } : {}),
            configuration: stringMap(a.Configuration),
            ...(typeof a.TimeoutInMinutes === 'number' ? { timeoutInMinutes: a.TimeoutInMinutes } : {}),
          };
        }),
        beforeEntry: conditions(s.BeforeEntry),
        onSuccess: conditions(s.OnSuccess),
        // OnFailure is a FailureConditions: a Result and optional Conditions (rules that must hold for it to engage).
        ...(typeof onFailure.Result === 'string' ? { onFailure: { result: onFailure.Result, rules: conditions(onFailure).flatMap((condition) => condition.rules) } } : {}),
      };
    }),
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
