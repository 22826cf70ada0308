import type { Environment } from './environment.js';

/**
 * One Lambda's environment contract, written once and used by both sides: the construct renders
 * the variables from it (a forgotten variable is a compile error), and the handler parses them with
 * it at cold start (a missing or malformed one is a `ConfigurationError` naming the variable).
 */
export interface EnvironmentContract<Key extends string, Settings> {
  /** The variable name of each setting. */
  readonly names: Readonly<Record<Key, string>>;
  /** Reserved variables the Lambda runtime sets (e.g. `AWS_REGION`) that the handler reads as well. */
  readonly runtimeVariables: readonly string[];
  /** The construct side: the function's `environment`, from one value per setting. */
  render(values: Readonly<Record<Key, string>>): Record<string, string>;
  /** The handler side: the validated settings. */
  parse(environment: Environment): Settings;
}

/** Builds a contract from its variable names and its parser; `render` follows from the names. */
export function environmentContract<Key extends string, Settings>(
  names: Readonly<Record<Key, string>>,
  parse: (environment: Environment) => Settings,
  runtimeVariables: readonly string[] = [],
): EnvironmentContract<Key, Settings> {
  return {
    names,
    runtimeVariables,
    render: (values) => Object.fromEntries((Object.keys(names) as Key[]).map((key) => [names[key], values[key]])),
    parse,
  };
}
