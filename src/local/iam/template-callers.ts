/**
 * Finds a caller of `FUNCTION_CALLERS` (a construct path) in the synthesized templates: the logical
 * ids CDK derived from its path, the environment each deployment of it has, and the roles it runs as.
 */
import type { StackInScope, SynthesizedIam, TemplateRole } from './synthesized-iam.js';

/**
 * The logical-id prefix CDK derives from a construct path inside a stack (`PipelineEvents/Recorder`
 * → `PipelineEventsRecorder`, followed by an 8-character hash).
 */
export function logicalIdPrefix(constructPath: string): string {
  return constructPath.split('/').join('');
}

/**
 * The resolved environment variables of each deployment of a function (a construct path of
 * `FUNCTION_CALLERS`), with the account and region of its stack.
 */
export function functionDeployments(stacks: readonly StackInScope[], constructPath: string): { readonly stackName: string; readonly account: string; readonly region: string; readonly variables: Readonly<Record<string, string>> }[] {
  // eslint-disable-next-line security/detect-non-literal-regexp -- logicalIdPrefix yields only [A-Za-z0-9] (CDK logical ids), from our own construct paths
  const pattern = new RegExp(`^${logicalIdPrefix(constructPath)}[0-9A-F]{8}$`);
  return stacks.flatMap(({ stack, context, resolve }) =>
    Object.entries(stack.resources)
      .filter(([id, resource]) => pattern.test(id) && (resource.Type === 'AWS::Lambda::Function' || resource.Type === 'AWS::CodeBuild::Project'))
      .map(([, resource]) => {
        const raw = resource.Type === 'AWS::Lambda::Function' ? (resource.Properties?.Environment as { Variables?: unknown } | undefined)?.Variables : (resource.Properties?.Environment as { EnvironmentVariables?: { Name: unknown; Value: unknown }[] } | undefined)?.EnvironmentVariables?.reduce<Record<string, unknown>>((all, entry) => ({ ...all, [String(entry.Name)]: entry.Value }), {});
        const resolved = (resolve(raw ?? {}) ?? {}) as Record<string, unknown>;
        const variables = Object.fromEntries(Object.entries(resolved).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
        return { stackName: stack.stackName, account: context.account, region: context.region, variables };
      }),
  );
}

/** The roles a caller (a construct path of `FUNCTION_CALLERS`) runs as: one per stack that deploys it. */
export function rolesOfCaller(iam: SynthesizedIam, constructPath: string): TemplateRole[] {
  // eslint-disable-next-line security/detect-non-literal-regexp -- logicalIdPrefix yields only [A-Za-z0-9] (CDK logical ids), from our own construct paths
  const pattern = new RegExp(`^${logicalIdPrefix(constructPath)}[0-9A-F]{8}$`);
  return iam.roles.filter((role) => role.usedBy.some((id) => pattern.test(id)));
}
