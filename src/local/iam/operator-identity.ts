/**
 * The on-call engineer as the least-privilege proof sees them: a role in the pipeline account with
 * only the synthesized `<pipeline>-operator` policy attached (docs/cli.md, "Who may run it"), so
 * every recorded `kiro-cd` call is simulated against that policy and its grants are checked for use
 * like any role's.
 */
import type { StandalonePolicy, SynthesizedIam, TemplateRole } from './synthesized-iam.js';

/** The operator policy's name for a pipeline (the construct names it the same way). */
export function operatorPolicyName(pipelineName: string): string {
  return `${pipelineName}-operator`;
}

/** The operator policy of the templates, or an error naming what is missing. */
export function findOperatorPolicy(iam: SynthesizedIam, policyName: string): StandalonePolicy {
  const found = iam.standalonePolicies.filter((policy) => policy.name === policyName);
  if (found.length !== 1) throw new Error(`Expected one managed policy ${policyName} in the templates, found ${found.length}; the pipeline runtime stack creates it (OperatorPolicy).`);
  return found[0] as StandalonePolicy;
}

/**
 * A role holding only the operator policy, in the policy's account: what an administrator attaches
 * it to. It has no trust policy of the templates and no service uses; the logical id is the policy's.
 */
export function operatorRole(iam: SynthesizedIam, policyName: string): TemplateRole {
  const policy = findOperatorPolicy(iam, policyName);
  return {
    stackName: policy.stackName,
    logicalId: policy.logicalId,
    arn: `arn:aws:iam::${policy.account}:role/${policyName}`,
    account: policy.account,
    region: policy.region,
    trust: { Statement: [] },
    policies: [{ name: `${policy.stackName}/${policy.logicalId}`, document: policy.document }],
    usedBy: [],
    serviceUses: { deadLetterQueues: [], environmentKeys: [] },
  };
}
