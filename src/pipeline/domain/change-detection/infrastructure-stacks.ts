import type { EnvironmentName } from '../history-model.js';
import { infrastructureStageName } from '../stage-names.js';

/**
 * Which stacks of a cloud assembly are an environment's infrastructure stacks, the ones change
 * detection compares with `cdk diff`. A stack is one when either
 * - it sits directly in the environment's infrastructure stage (`Test-Infrastructure/Core`: the
 *   stage names of `stage-names.ts` are the contract the stacks and the pipeline already share), or
 * - it carries the stack tag `kiro-cd:layer=infrastructure` and its CloudFormation name starts with
 *   the environment's `stackPrefix` followed by `-` (for a stack outside that stage).
 * Application stacks are never compared here: they deploy on every run.
 */

/** The stack tag that marks the layer a stack belongs to. */
export const LAYER_TAG = 'kiro-cd:layer';
/** The value of {@link LAYER_TAG} on infrastructure stacks. */
export const INFRASTRUCTURE_LAYER = 'infrastructure';

/** What the cloud assembly manifest says about one stack. */
export interface AssemblyStack {
  /** The selector `cdk diff` accepts: the hierarchical id, such as `Test-Infrastructure/Core` inside a stage. */
  readonly selector: string;
  /** The CloudFormation stack name. */
  readonly stackName: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The environment whose infrastructure stacks are wanted. */
export interface StackSelection {
  readonly environment: EnvironmentName;
  readonly stackPrefix: string;
}

function inInfrastructureStage(stack: AssemblyStack, environment: EnvironmentName): boolean {
  const segments = stack.selector.split('/');
  return segments.length >= 2 && segments.at(-2) === infrastructureStageName(environment);
}

function taggedForEnvironment(stack: AssemblyStack, stackPrefix: string): boolean {
  return stack.tags[LAYER_TAG] === INFRASTRUCTURE_LAYER && stack.stackName.startsWith(`${stackPrefix}-`);
}

/** The environment's infrastructure stacks, sorted by selector. */
export function selectInfrastructureStacks(stacks: readonly AssemblyStack[], selection: StackSelection): AssemblyStack[] {
  return stacks
    .filter((stack) => inInfrastructureStage(stack, selection.environment) || taggedForEnvironment(stack, selection.stackPrefix))
    .sort((a, b) => (a.selector < b.selector ? -1 : a.selector > b.selector ? 1 : 0));
}
