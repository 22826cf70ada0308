/**
 * Which stacks of a cloud assembly are an environment's infrastructure stacks, the ones change
 * detection compares with `cdk diff`. Contract with the stacks: an infrastructure stack carries the
 * stack tag `kiro-cd:layer=infrastructure` and its CloudFormation name starts with the environment's
 * `stackPrefix` followed by `-`. Application stacks carry `kiro-cd:layer=application` (or no tag) and
 * are never compared here: they deploy on every run.
 */

/** The stack tag that marks the layer a stack belongs to. */
export const LAYER_TAG = 'kiro-cd:layer';
/** The value of {@link LAYER_TAG} on infrastructure stacks. */
export const INFRASTRUCTURE_LAYER = 'infrastructure';

/** What the cloud assembly manifest says about one stack. */
export interface AssemblyStack {
  /** The selector `cdk diff` accepts: the hierarchical id, such as `Test/Core` inside a stage. */
  readonly selector: string;
  /** The CloudFormation stack name. */
  readonly stackName: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The environment's infrastructure stacks, sorted by selector. */
export function selectInfrastructureStacks(stacks: readonly AssemblyStack[], stackPrefix: string): AssemblyStack[] {
  return stacks
    .filter((stack) => stack.tags[LAYER_TAG] === INFRASTRUCTURE_LAYER && stack.stackName.startsWith(`${stackPrefix}-`))
    .sort((a, b) => (a.selector < b.selector ? -1 : a.selector > b.selector ? 1 : 0));
}
