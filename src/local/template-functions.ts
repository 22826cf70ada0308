/**
 * Finds a deployed Lambda function in the synthesized templates by its construct path inside its
 * stack (the names of `FUNCTION_CALLERS`, from which CDK derives the logical id), with the ARN
 * EventBridge targets and state-machine tasks name it by and its resolved environment variables.
 * So a local stand-in is bound to the function the templates really wire, never to a hand-kept name.
 */
import { resolutionContextFor, resolveIntrinsics, type SynthesizedStack } from './synthesized-templates.js';

/** One deployment of a function. */
export interface TemplateFunction {
  readonly stackName: string;
  readonly logicalId: string;
  /** `arn:aws:lambda:<region>:<account>:function:<name>`, resolved as the templates' references resolve. */
  readonly arn: string;
  /** The `Environment.Variables` the function is deployed with, intrinsics resolved. */
  readonly variables: Readonly<Record<string, string>>;
}

/** CDK's logical id of a construct path's default child: the path's parts joined, then an 8-character hash. */
function matchesConstructPath(logicalId: string, constructPath: string): boolean {
  const prefix = constructPath.split('/').join('');
  return logicalId.startsWith(prefix) && /^[0-9A-F]{8}$/.test(logicalId.slice(prefix.length));
}

/** Every deployment of the function at `constructPath`, in every stack that holds one. */
export function templateFunctions(stacks: readonly SynthesizedStack[], where: { readonly region: string; readonly account: string }, constructPath: string): TemplateFunction[] {
  return stacks.flatMap((stack) => {
    const context = resolutionContextFor(stack, where);
    return Object.entries(stack.resources)
      .filter(([id, resource]) => resource.Type === 'AWS::Lambda::Function' && matchesConstructPath(id, constructPath))
      .map(([logicalId, resource]) => {
        const raw = (resource.Properties?.Environment as { Variables?: unknown } | undefined)?.Variables ?? {};
        const resolved = resolveIntrinsics(raw, context) as Record<string, unknown>;
        return {
          stackName: stack.stackName,
          logicalId,
          arn: String(resolveIntrinsics({ 'Fn::GetAtt': [logicalId, 'Arn'] }, context)),
          variables: Object.fromEntries(Object.entries(resolved).filter((entry): entry is [string, string] => typeof entry[1] === 'string')),
        };
      });
  });
}
