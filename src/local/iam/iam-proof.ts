/**
 * The least-privilege proof over one synthesized assembly, as the test and `npm run validate` both
 * run it: every recorded call simulated against the role (or, for `kiro-cd`, the operator policy)
 * that makes it; every grant of the proven roles used by a call, needed by a documented service
 * use, or explained (explained-grants.ts); and no `*` resource where the action could name one.
 */
import { GENERATED_ROLE_GRANTS, STAR_RESOURCE_EXCEPTIONS, UNEXERCISED_GRANTS, type UnexercisedGrant } from './explained-grants.js';
import { grantUsage, type GrantUse } from './grant-usage.js';
import { formatRoleTable } from './iam-proof-table.js';
import { operatorRole } from './operator-identity.js';
import { describeDenials, identitiesFromTemplates, roleIdentity, simulateCalls, type AttributedCall, type CallVerdict, type IdentityResolver } from './simulate-calls.js';
import { starResourceGrants } from './star-resources.js';
import { serviceCallerIdentities, withBootstrapRoles, type PipelineServiceCalls } from './service-calls.js';
import type { SynthesizedIam, TemplateRole } from './synthesized-iam.js';
import { rolesOfCaller } from './template-callers.js';
import { FUNCTION_CALLERS } from '../../shared/aws/callers.js';

/** What the proof found. It passes when the three lists of findings are empty. */
export interface IamProofResult {
  readonly verdicts: readonly CallVerdict[];
  readonly uses: readonly GrantUse[];
  /** One line per denied call: caller, operation, action, ARN and role. */
  readonly denials: readonly string[];
  /** The verdicts on the calls AWS services make with the pipeline's roles (service-calls.ts). */
  readonly serviceVerdicts: readonly CallVerdict[];
  /** One line per unused grant no row of `UNEXERCISED_GRANTS` explains. */
  readonly unexplainedUnused: readonly string[];
  /** One line per grant on `*` of an action with a required resource type, not in `STAR_RESOURCE_EXCEPTIONS`. */
  readonly starResources: readonly string[];
  /** The grants of the pipeline's service roles (CDK Pipelines' generated roles and the CodeBuild projects' roles), checked against the documented service calls and the recorded calls. */
  readonly generatedUses: readonly GrantUse[];
  /** One line per unused grant of those roles that no row of `GENERATED_ROLE_GRANTS` explains. */
  readonly unexplainedGenerated: readonly string[];
  /** The per-role table: calls allowed / denied, grants used / service need / unused. */
  readonly table: string;
}

/** Who makes each call: a deployed function's role, or for `kiro-cd` a role holding only the operator policy. */
export function proofIdentities(iam: SynthesizedIam, operatorPolicy: string): IdentityResolver {
  return identitiesFromTemplates(iam, roleIdentity(operatorRole(iam, operatorPolicy)));
}

/** The roles whose every caller the exercise runs: the runtime functions, the poller, the observer roles, the health monitor's state machine, the post-deployment test roles and the operator. */
export function provenRoles(iam: SynthesizedIam, operatorPolicy: string): TemplateRole[] {
  const callers = Object.values(FUNCTION_CALLERS);
  const ofCallers = callers.flatMap((caller) => rolesOfCaller(iam, caller));
  const others = iam.roles.filter((role) => ['PipelineObserverAccessRole', 'DeploymentSafetyHealthMonitorStateMachineRole', 'PostDeploymentTestAccessRole'].some((prefix) => role.logicalId.startsWith(prefix)));
  return [...ofCallers, ...others, operatorRole(iam, operatorPolicy)];
}

/**
 * The service roles of the pipeline the proof checks apart: every role a documented service call
 * runs as or assumes (CodePipeline's role and action roles, every CodeBuild project's role), and
 * every other role of the pipeline's stacks, minus the proven roles and the CDK bootstrap roles
 * (defined by `cdk bootstrap`, not by this project).
 */
export function serviceRoles(iam: SynthesizedIam, operatorPolicy: string, service: PipelineServiceCalls): TemplateRole[] {
  const proven = new Set(provenRoles(iam, operatorPolicy).map((role) => role.arn));
  const callers = new Set([...Object.values(service.callerRoles), ...service.calls.flatMap((call) => (call.assumedRoleArn === undefined ? [] : [call.assumedRoleArn]))]);
  const pipelineStacks = new Set(service.calls.filter((call) => call.caller.startsWith('CodePipeline ')).map((call) => call.stackName));
  return iam.roles.filter((role) => !proven.has(role.arn) && (callers.has(role.arn) || pipelineStacks.has(role.stackName)));
}

function explains(rows: readonly UnexercisedGrant[], use: GrantUse): boolean {
  return rows.some((row) => use.role.split('/')[1]?.startsWith(row.role) === true && row.action === use.action && row.resource.test(use.resource));
}

function explainsGenerated(use: GrantUse): boolean {
  return GENERATED_ROLE_GRANTS.some((row) => row.role.test(use.role.split('/')[1] ?? '') && row.action.test(use.action) && row.resource.test(use.resource));
}

/** A role's name without the 8-character hash CDK appends to logical ids. */
function logicalPrefix(holder: string): string {
  return (holder.split('/')[1] ?? '').replace(/[0-9A-F]{8}$/, '');
}

/** Runs the whole proof of `calls` (and of the documented service calls, when given) over `iam`. */
export async function proveLeastPrivilege(iam: SynthesizedIam, calls: readonly AttributedCall[], operatorPolicy: string, service?: PipelineServiceCalls): Promise<IamProofResult> {
  const verdicts = await simulateCalls(calls, iam, proofIdentities(iam, operatorPolicy));
  const serviceIam = service === undefined ? iam : withBootstrapRoles(iam, service);
  const serviceVerdicts = service === undefined ? [] : await simulateCalls(service.calls, serviceIam, serviceCallerIdentities(serviceIam, service.callerRoles));
  const uses = grantUsage(iam, provenRoles(iam, operatorPolicy), verdicts);
  const unexplainedUnused = uses.filter((use) => use.status === 'unused' && !explains(UNEXERCISED_GRANTS, use)).map((use) => `${use.role} ${use.action} ${use.resource}`);
  const generatedUses = service === undefined ? [] : grantUsage(serviceIam, serviceRoles(iam, operatorPolicy, service), [...serviceVerdicts, ...verdicts]);
  const unexplainedGenerated = generatedUses.filter((use) => use.status === 'unused' && !explainsGenerated(use)).map((use) => `${use.role} ${use.action} ${use.resource}`);
  const starResources = [...new Set((await starResourceGrants(iam)).map((grant) => `${logicalPrefix(grant.holder)} ${grant.action}`))].filter((key) => STAR_RESOURCE_EXCEPTIONS[key] === undefined).sort();
  return { verdicts, uses, denials: describeDenials([...verdicts, ...serviceVerdicts]), serviceVerdicts, unexplainedUnused, generatedUses, unexplainedGenerated, starResources, table: formatRoleTable([...verdicts, ...serviceVerdicts], [...uses, ...generatedUses]) };
}
