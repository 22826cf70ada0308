import { MalformedInputError } from '../../../shared/errors.js';

/**
 * The region CDK writes into the environment of a stack that names none (`aws://unknown-account/unknown-region`,
 * aws-cdk-lib's cx-api `UNKNOWN_REGION`): such a stack deploys to whatever region the deploying CLI is configured for.
 */
export const UNKNOWN_REGION = 'unknown-region';

/** `aws://<account>/<region>`, the form of a stack artifact's `environment` in a cloud assembly manifest. */
const ENVIRONMENT = /^aws:\/\/[^/]+\/([^/]+)$/;

/**
 * The region CloudFormation deploys a stack to, read from its cloud assembly environment, or undefined
 * for an environment-agnostic stack. cfn-lint checks a template against the resource specification of
 * the regions it is given, so the gate must give it this one (docs/policy-gates.md, "cfn-lint and regions").
 * Anything but `aws://account/region` is a malformed assembly, said loudly rather than linted against a guess.
 */
export function deploymentRegionOf(environment: string): string | undefined {
  const region = ENVIRONMENT.exec(environment)?.[1];
  if (region === undefined) {
    throw new MalformedInputError(`A stack's environment is "${environment}", not aws://<account>/<region>: the cloud assembly's manifest.json is malformed; synthesize again.`, { environment });
  }
  return region === UNKNOWN_REGION ? undefined : region;
}

/** Stacks that deploy to one region (undefined: environment-agnostic), linted in one cfn-lint run. */
export interface RegionGroup<T> {
  readonly region: string | undefined;
  readonly members: readonly T[];
}

/**
 * Stacks grouped by the region they deploy to, groups in the order their first stack appears and
 * stacks in their given order: one cfn-lint process a region, not one a template (each start costs
 * about a CPU-second of Python imports and schema loading).
 */
export function groupByDeploymentRegion<T extends { readonly environment: string }>(stacks: readonly T[]): readonly RegionGroup<T>[] {
  const groups = new Map<string | undefined, T[]>();
  for (const stack of stacks) {
    const region = deploymentRegionOf(stack.environment);
    groups.set(region, [...(groups.get(region) ?? []), stack]);
  }
  return [...groups].map(([region, members]) => ({ region, members }));
}
