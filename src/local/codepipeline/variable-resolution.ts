/**
 * Resolves CodePipeline variable references (`#{namespace.variable}`, `#{variables.NAME}`,
 * `#{codepipeline.PipelineExecutionId}`) in action configuration and rule configuration, as the
 * [variables reference](https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-variables.html)
 * describes: pipeline-level variables under `variables`, action output variables under the action's
 * namespace, and the execution id under the reserved `codepipeline` namespace.
 */
import { MalformedInputError } from '../../shared/errors.js';

/** The values one execution can see: namespace → variable → value. */
export type VariableScope = Readonly<Record<string, Readonly<Record<string, string>>>>;

const REFERENCE = /#\{([^.}]+)\.([^}]+)\}/g;

/** A reference that names no variable the execution produced (CodePipeline fails the action or rule). */
export class UnresolvedVariableError extends MalformedInputError {
  constructor(readonly reference: string) {
    super(`The variable reference ${reference} names nothing this execution produced.`, { reference });
    this.name = 'UnresolvedVariableError';
  }
}

/** Replaces every reference in `value`; an unknown reference throws {@link UnresolvedVariableError}. */
export function resolveVariables(value: string, scope: VariableScope): string {
  return value.replace(REFERENCE, (whole, namespace: string, name: string) => {
    const resolved = scope[namespace]?.[name];
    if (resolved === undefined) throw new UnresolvedVariableError(whole);
    return resolved;
  });
}

/** Resolves every value of a configuration map. */
export function resolveConfiguration(configuration: Readonly<Record<string, string>>, scope: VariableScope): Record<string, string> {
  return Object.fromEntries(Object.entries(configuration).map(([key, value]) => [key, resolveVariables(value, scope)]));
}

/**
 * The pipeline-level variables of an execution: each declared default, overlaid by the values the
 * execution was started with ([StartPipelineExecution](https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_StartPipelineExecution.html)
 * `variables`). A start value for an undeclared variable is a ValidationException on AWS.
 */
export function pipelineVariables(
  declared: readonly { readonly name: string; readonly defaultValue: string }[],
  started: Readonly<Record<string, string>>,
): Record<string, string> {
  const unknown = Object.keys(started).filter((name) => !declared.some((variable) => variable.name === name));
  if (unknown.length > 0) throw new MalformedInputError(`Pipeline variable(s) not declared: ${unknown.join(', ')}.`, { unknown });
  return Object.fromEntries(declared.map((variable) => [variable.name, started[variable.name] ?? variable.defaultValue]));
}
