/**
 * Places the rehearsal's recorded calls in the real account layout of the assembly before they are
 * simulated. The rehearsal plays every account of `environments.ts` inside the emulator's one
 * account and region, so a recorded call names that account in its ARNs and reads every
 * environment's alarms with one client. On AWS each function runs in the account and region of the
 * stack that deploys it, names the resources its deployed environment gives it, and reads an
 * environment's alarms in that environment's region through the observer role its
 * `OBSERVER_ROLE_ARNS` names (`alarmReaders`, src/pipeline/handlers/deployment-runtime.ts). This
 * module rewrites each call accordingly, from the synthesized templates only, and refuses what it
 * cannot place: a call no deployed function makes (the rehearsal's own doing), an ARN no resource of
 * the assembly resolves to, alarms no environment of the function watches.
 */
import { DEPLOYMENT_RUNTIME_ENV, environmentsFromEnv, observerRolesFromEnv } from '../../pipeline/handlers/deployment-runtime.js';
import { watchedAlarms } from '../../pipeline/handlers/health-monitor.js';
import type { RecordedCall } from '../../shared/aws/call-recorder.js';
import { MalformedInputError } from '../../shared/errors.js';
import { resolutionContextFor, resolveIntrinsics } from '../synthesized-templates.js';
import type { AttributedCall } from './simulate-calls.js';
import type { StackInScope } from './synthesized-iam.js';
import { functionDeployments } from './template-callers.js';
import { EMULATOR_ACCOUNT } from '../emulator-account.js';


const SET_BY = 'the deployed function\'s template (the rehearsal\'s call placement)';

/** Where a resource the rehearsal named lives on AWS. */
interface RealResource {
  readonly arn: string;
  readonly stackName: string;
}

/**
 * Every resource ARN of the assembly as the rehearsal resolves it (its one account, `region`) →
 * the ARN(s) it has in its own stack's account and region. The rehearsal creates its resources
 * with the same resolver (`resolutionContextFor`), so the two differ only by account and region.
 */
function arnsByRehearsalArn(stacks: readonly StackInScope[], region: string): Map<string, RealResource[]> {
  const index = new Map<string, RealResource[]>();
  for (const { stack, context } of stacks) {
    const rehearsal = resolutionContextFor(stack, { account: EMULATOR_ACCOUNT, region });
    for (const logicalId of Object.keys(stack.resources)) {
      const real = resolveIntrinsics({ 'Fn::GetAtt': [logicalId, 'Arn'] }, context);
      const played = resolveIntrinsics({ 'Fn::GetAtt': [logicalId, 'Arn'] }, rehearsal);
      if (typeof real !== 'string' || typeof played !== 'string' || !played.startsWith('arn:') || !played.includes(`:${EMULATOR_ACCOUNT}:`)) continue;
      const known = index.get(played) ?? [];
      if (!known.some((entry) => entry.arn === real)) index.set(played, [...known, { arn: real, stackName: stack.stackName }]);
    }
  }
  return index;
}

/** A string of an input naming the rehearsal's account is an ARN the rehearsal resolved; it becomes the template's own. */
function placedValue(value: unknown, index: ReadonlyMap<string, readonly RealResource[]>, caller: string): unknown {
  if (Array.isArray(value)) return value.map((item) => placedValue(item, index, caller));
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, placedValue(item, index, caller)]));
  if (typeof value !== 'string' || !value.startsWith('arn:') || value.split(':')[4] !== EMULATOR_ACCOUNT) return value;
  const real = index.get(value) ?? [];
  if (real.length === 1) return real[0]?.arn;
  const why = real.length === 0 ? 'no resource of the assembly resolves to it' : `it is ambiguous (${real.map((entry) => `${entry.stackName}: ${entry.arn}`).join(', ')})`;
  throw new MalformedInputError(`The rehearsal's ${caller} named ${value}, but ${why}; the rehearsal must name only resources of the synthesized templates.`, { caller, arn: value });
}

/**
 * A `DescribeAlarms` as the deployed function makes it: `alarmReaders` builds one client per
 * environment, in that environment's region, through its observer role when `OBSERVER_ROLE_ARNS`
 * names one; the health monitor reads an environment's `watchedAlarms` with that environment's client.
 * The environment is the one of the function's `DEPLOYMENT_ENVIRONMENTS` that watches every alarm named.
 */
function throughObserverRole(call: RecordedCall, variables: Readonly<Record<string, string>>): Pick<AttributedCall, 'region' | 'assumedRoleArn'> | undefined {
  if (call.service !== 'CloudWatch' || call.operation !== 'DescribeAlarms' || variables[DEPLOYMENT_RUNTIME_ENV.environments] === undefined) return undefined;
  const names = (call.input as { AlarmNames?: unknown } | undefined)?.AlarmNames;
  const wanted = Array.isArray(names) ? names.map(String) : [];
  const environments = environmentsFromEnv(variables, SET_BY);
  const owner = environments.find((environment) => {
    const watched = new Set(watchedAlarms(environment).map((alarm) => alarm.name));
    return wanted.length > 0 && wanted.every((name) => watched.has(name));
  });
  if (owner === undefined) throw new MalformedInputError(`The rehearsal's ${call.caller} read the alarms ${JSON.stringify(wanted)}, which no one environment of its ${DEPLOYMENT_RUNTIME_ENV.environments} watches; the deployed function reads one environment's alarms per call.`, { caller: call.caller });
  const role = observerRolesFromEnv(variables, SET_BY)[owner.name];
  return { region: owner.region, ...(role === undefined ? {} : { assumedRoleArn: role }) };
}

/**
 * Each rehearsal call as the deployed function makes it on AWS: attributed to the stack that
 * deploys its caller (so it is evaluated as that stack's role, in its account), sent to that
 * stack's region, naming the templates' ARNs, and with alarm reads through the observer role.
 */
export function placeRehearsalCalls(calls: readonly RecordedCall[], stacks: readonly StackInScope[]): AttributedCall[] {
  const indexes = new Map<string, Map<string, RealResource[]>>();
  const indexFor = (region: string): Map<string, RealResource[]> => {
    const known = indexes.get(region);
    if (known !== undefined) return known;
    const built = arnsByRehearsalArn(stacks, region);
    indexes.set(region, built);
    return built;
  };
  return calls.map((call) => {
    const deployments = functionDeployments(stacks, call.caller);
    const deployment = deployments[0];
    if (deployment === undefined || deployments.length > 1) {
      const why = deployment === undefined ? 'no stack of the assembly deploys it as a function' : `${deployments.length} stacks deploy it (${deployments.map((entry) => entry.stackName).join(', ')})`;
      throw new MalformedInputError(`The rehearsal recorded ${call.service}:${call.operation} for ${call.caller}, but ${why}; only a deployed function's calls are proven, the rehearsal's own are not recorded.`, { caller: call.caller });
    }
    const input = placedValue(call.input, indexFor(call.region ?? deployment.region), call.caller);
    const observed = call.assumedRoleArn === undefined ? throughObserverRole(call, deployment.variables) : undefined;
    return { ...call, stackName: deployment.stackName, region: deployment.region, input, ...observed };
  });
}
