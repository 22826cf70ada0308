/**
 * Evaluates every recorded call with AWS's policy logic (`@cloud-copilot/iam-simulate`, a local
 * evaluator: a devDependency, AGPL, never bundled) against the synthesized policies: the identity
 * policies of the role the calling function runs as, the resource policy of the target (KMS key,
 * bucket, topic, queue) and, for a call in another account, both the caller's grant and the
 * target's trust or resource policy (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
 */
import { runSimulation, runUnsafeSimulation } from '@cloud-copilot/iam-simulate';
import type { RecordedCall } from '../../shared/aws/call-recorder.js';
import { requestsOf, type AuthorizationRequest } from './call-requests.js';
import { SimulationMemo } from './simulation-memo.js';
import type { NamedPolicy, PolicyDocument, ResourcePolicy, SynthesizedIam, TemplateRole } from './synthesized-iam.js';
import { rolesOfCaller } from './template-callers.js';

/** The identity a caller acts as: a role of the templates, or a policy given for CLI operators. */
export interface Identity {
  readonly name: string;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  readonly policies: readonly NamedPolicy[];
  /** Trust policy, when another identity assumes this one. */
  readonly trust?: PolicyDocument;
}

/** The verdict on one authorization request of one call. */
export interface CallVerdict {
  readonly caller: string;
  readonly operation: string;
  readonly role: string;
  readonly roleArn: string;
  readonly action: string;
  readonly resource: string;
  readonly allowed: boolean;
  /** Why not: the simulator's result or error. */
  readonly detail: string;
}

/** A recorded call, with the stack of the function deployment that made it when known. */
export type AttributedCall = RecordedCall & { readonly stackName?: string };

/** Finds the identities a caller acts as: its role in `stackName`, or every role of a function deployed to several stacks. */
export type IdentityResolver = (caller: string, stackName?: string) => readonly Identity[];

/** Identities of deployed functions, from their roles in the templates; CLI callers map to `operator`. */
export function identitiesFromTemplates(iam: SynthesizedIam, operator?: Identity): IdentityResolver {
  return (caller, stackName) => {
    if (caller.startsWith('kiro-cd ')) return operator === undefined ? [] : [operator];
    return rolesOfCaller(iam, caller)
      .filter((role) => stackName === undefined || role.stackName === stackName)
      .map(roleIdentity);
  };
}

/** A template role as an identity. */
export function roleIdentity(role: TemplateRole): Identity {
  return { name: `${role.stackName}/${role.logicalId}`, arn: role.arn, account: role.account, region: role.region, policies: role.policies, trust: role.trust };
}

function resourcePolicyFor(iam: SynthesizedIam, resource: string): ResourcePolicy | undefined {
  return iam.resourcePolicies.find((policy) => policy.arns.some((arn) => arn === resource || (arn.endsWith('/*') && resource.startsWith(arn.slice(0, -1)))));
}

/** The simulator's verdicts in this process: the same request under the same policies is evaluated once (simulation-memo.ts). */
const simulations = new SimulationMemo<{ allowed: boolean; detail: string }>();

function evaluate(identity: Identity, request: AuthorizationRequest, resourcePolicy: PolicyDocument | undefined): Promise<{ allowed: boolean; detail: string }> {
  return simulations.remember({ principal: identity.arn, identityPolicies: identity.policies, request, resourcePolicy }, () => simulate(identity, request, resourcePolicy));
}

async function simulate(identity: Identity, request: AuthorizationRequest, resourcePolicy: PolicyDocument | undefined): Promise<{ allowed: boolean; detail: string }> {
  const simulation = {
    request: { principal: identity.arn, action: request.action, resource: { resource: request.resource, accountId: request.resourceAccount }, contextVariables: { ...request.context } },
    identityPolicies: identity.policies.map((policy) => ({ name: policy.name, policy: policy.document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy === undefined ? {} : { resourcePolicy }),
  };
  if (request.beyondReference === true) {
    // The safe engine refuses a resource for an action the reference lists without one (EVALUATED_ON_TOKEN_ISSUER).
    const unsafe = runUnsafeSimulation(simulation, {});
    return { allowed: unsafe === 'Allowed', detail: unsafe };
  }
  const result = await runSimulation(simulation, {});
  if (result.resultType === 'error') return { allowed: false, detail: `simulation error: ${result.errors.message}` };
  if (result.resultType !== 'single') return { allowed: false, detail: `unexpected ${result.resultType} result for ${request.resource}` };
  return { allowed: result.overallResult === 'Allowed', detail: result.overallResult };
}

/**
 * Simulates each call under every identity its caller has. A call through an assumed role is two
 * requests: `sts:AssumeRole` by the caller against the role's trust policy, then the call as that role.
 */
export async function simulateCalls(calls: readonly AttributedCall[], iam: SynthesizedIam, identities: IdentityResolver): Promise<CallVerdict[]> {
  const verdicts: CallVerdict[] = [];
  const seen = new Set<string>();
  const assumable = (arn: string): Identity | undefined => {
    const role = iam.roles.find((candidate) => candidate.arn === arn);
    return role === undefined ? undefined : roleIdentity(role);
  };
  for (const call of calls) {
    const callers = identities(call.caller, call.stackName);
    if (callers.length === 0) {
      verdicts.push({ caller: call.caller, operation: call.operation, role: '(none)', roleArn: '', action: '', resource: '', allowed: false, detail: 'no role of the templates runs this caller' });
      continue;
    }
    for (const identity of callers) {
      const requests: { who: Identity; request: AuthorizationRequest; policy: PolicyDocument | undefined }[] = [];
      let actor = identity;
      if (call.assumedRoleArn !== undefined) {
        const target = assumable(call.assumedRoleArn);
        requests.push({ who: identity, request: { action: 'sts:AssumeRole', resource: call.assumedRoleArn, resourceAccount: call.assumedRoleArn.split(':')[4] ?? '' }, policy: target?.trust });
        if (target !== undefined) actor = target;
      }
      try {
        for (const request of requestsOf(call, { account: actor.account, region: call.region ?? actor.region, stateMachines: iam.stateMachines })) {
          requests.push({ who: actor, request, policy: resourcePolicyFor(iam, request.resource)?.document });
        }
      } catch (error) {
        verdicts.push({ caller: call.caller, operation: call.operation, role: identity.name, roleArn: identity.arn, action: '', resource: '', allowed: false, detail: error instanceof Error ? error.message : String(error) });
        continue;
      }
      for (const { who, request, policy } of requests) {
        const key = `${call.caller}|${who.arn}|${request.action}|${request.resource}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const { allowed, detail } = await evaluate(who, request, policy);
        verdicts.push({ caller: call.caller, operation: call.operation, role: who.name, roleArn: who.arn, action: request.action, resource: request.resource, allowed, detail });
      }
    }
  }
  return verdicts;
}

/** One line per denied request, naming caller, operation, action, ARN and role. */
export function describeDenials(verdicts: readonly CallVerdict[]): string[] {
  return verdicts.filter((verdict) => !verdict.allowed).map((verdict) => `${verdict.caller}: ${verdict.operation} needs ${verdict.action} on ${verdict.resource}; role ${verdict.role} (${verdict.roleArn}) is not allowed (${verdict.detail})`);
}
