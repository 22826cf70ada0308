/**
 * The calls AWS services make with the pipeline's roles, as AWS documents them per action
 * provider, built from the synthesized pipeline: for every CodePipeline action, the calls
 * CodePipeline makes as that action's role (which the pipeline role assumes), and for every CodeBuild
 * project the pipeline runs, the artifact reads and writes CodeBuild makes as the project's role.
 * The least-privilege proof simulates them like recorded calls. Sources (the "service role
 * permissions" of each action reference):
 * - CodeBuild action: codebuild:StartBuild, codebuild:BatchGetBuilds on the project
 *   (https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodeBuild.html);
 *   the project's service role reads the input and writes the output artifacts in the artifact
 *   bucket (https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html).
 * - Step Functions action: states:StartExecution on the state machine, states:DescribeExecution on
 *   its executions (https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-StepFunctions.html).
 * - CodeStarSourceConnection action: codeconnections:UseConnection on the connection, s3:PutObject
 *   of the source artifact (https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodestarConnectionSource.html).
 * - Manual approval: sns:Publish to the notification topic
 *   (https://docs.aws.amazon.com/codepipeline/latest/userguide/approvals-service-role-permissions.html).
 * - CloudFormation actions run as the CDK bootstrap deploy roles of the target accounts, which the
 *   assembly does not define: they are listed, not simulated.
 */
import type { AttributedCall, IdentityResolver } from './simulate-calls.js';
import { roleIdentity } from './simulate-calls.js';
import type { StackInScope, SynthesizedIam } from './synthesized-iam.js';

/** The documented calls, and the actions whose role the assembly does not define. */
export interface PipelineServiceCalls {
  readonly calls: readonly AttributedCall[];
  /** `<stage>/<action> (<provider>): <role ARN>` per action whose role is outside the assembly. */
  readonly outsideAssembly: readonly string[];
  /** Caller name → the ARN of the role that makes the call (the pipeline role, or a project's service role). */
  readonly callerRoles: Readonly<Record<string, string>>;
}

interface PipelineAction {
  readonly Name: string;
  readonly ActionTypeId: { readonly Category: string; readonly Provider: string };
  readonly Configuration?: Record<string, unknown>;
  readonly RoleArn?: string;
  readonly OutputArtifacts?: readonly { readonly Name: string }[];
}

/** The artifact object CodePipeline writes for an output (`<pipeline prefix>/<artifact>/<key>`); its key is random, one stands for all. */
function artifactKey(pipelineName: string, artifact: string): string {
  return `${pipelineName.slice(0, 20)}/${artifact.slice(0, 20)}/AbCdEfG`;
}

/** Every documented service call of every pipeline in `stacks`. */
export function pipelineServiceCalls(stacks: readonly StackInScope[]): PipelineServiceCalls {
  const calls: AttributedCall[] = [];
  const outsideAssembly: string[] = [];
  const callerRoles: Record<string, string> = {};
  for (const { stack, context, resolve } of stacks) {
    for (const [id, resource] of Object.entries(stack.resources)) {
      if (resource.Type !== 'AWS::CodePipeline::Pipeline') continue;
      const properties = resolve(resource.Properties ?? {}) as { Name?: string; RoleArn: string; ArtifactStore?: { Location: string }; Stages: { Name: string; Actions: PipelineAction[] }[] };
      const pipelineName = properties.Name ?? `${stack.stackName}-${id}`;
      const bucket = properties.ArtifactStore?.Location;
      const region = context.region;
      for (const stage of properties.Stages) {
        for (const action of stage.Actions) {
          const caller = `CodePipeline ${stage.Name}/${action.Name}`;
          callerRoles[caller] = properties.RoleArn;
          const as = action.RoleArn === undefined || action.RoleArn === properties.RoleArn ? {} : { assumedRoleArn: action.RoleArn };
          const call = (service: string, operation: string, input: Record<string, unknown>): void => {
            calls.push({ caller, stackName: stack.stackName, service, operation, region, ...as, input });
          };
          const configuration = action.Configuration ?? {};
          switch (action.ActionTypeId.Provider) {
            case 'CodeBuild': {
              const project = String(configuration.ProjectName);
              call('CodeBuild', 'StartBuild', { projectName: project });
              call('CodeBuild', 'BatchGetBuilds', { ids: [`${project}:00000000-0000-4000-8000-000000000000`] });
              const serviceRole = projectRole(stacks, project);
              if (serviceRole !== undefined && bucket !== undefined) {
                const build = `CodeBuild ${project}`;
                callerRoles[build] = serviceRole;
                calls.push({ caller: build, stackName: stack.stackName, service: 'S3', operation: 'GetObject', region, input: { Bucket: bucket, Key: artifactKey(pipelineName, 'input') } });
                for (const output of action.OutputArtifacts ?? []) calls.push({ caller: build, stackName: stack.stackName, service: 'S3', operation: 'PutObject', region, input: { Bucket: bucket, Key: artifactKey(pipelineName, output.Name) } });
              }
              break;
            }
            case 'StepFunctions': {
              const machine = String(configuration.StateMachineArn);
              call('SFN', 'StartExecution', { stateMachineArn: machine });
              call('SFN', 'DescribeExecution', { executionArn: `${machine.replace(':stateMachine:', ':execution:')}:${typeof configuration.ExecutionNamePrefix === 'string' ? configuration.ExecutionNamePrefix : action.Name}-00000000-0000-4000-8000-000000000000` });
              break;
            }
            case 'CodeStarSourceConnection':
              call('CodeConnections', 'UseConnection', { ConnectionArn: configuration.ConnectionArn });
              for (const output of action.OutputArtifacts ?? []) if (bucket !== undefined) call('S3', 'PutObject', { Bucket: bucket, Key: artifactKey(pipelineName, output.Name) });
              break;
            case 'Manual':
              if (configuration.NotificationArn !== undefined) call('SNS', 'Publish', { TopicArn: configuration.NotificationArn });
              break;
            default:
              outsideAssembly.push(`${stage.Name}/${action.Name} (${action.ActionTypeId.Provider}): ${action.RoleArn ?? properties.RoleArn}`);
          }
        }
      }
    }
  }
  return { calls, outsideAssembly, callerRoles };
}

/** The service role of the CodeBuild project named `projectName` (its physical name), when the assembly defines it. */
function projectRole(stacks: readonly StackInScope[], projectName: string): string | undefined {
  for (const { stack, resolve } of stacks) {
    for (const [id, resource] of Object.entries(stack.resources)) {
      if (resource.Type === 'AWS::CodeBuild::Project' && resolve({ Ref: id }) === projectName) return String(resolve(resource.Properties?.ServiceRole));
    }
  }
  return undefined;
}

/** Resolves the callers of {@link pipelineServiceCalls} to the roles of the templates. */
export function serviceCallerIdentities(iam: SynthesizedIam, callerRoles: Readonly<Record<string, string>>): IdentityResolver {
  return (caller) => {
    const arn = callerRoles[caller];
    const role = iam.roles.find((candidate) => candidate.arn === arn);
    return role === undefined ? [] : [roleIdentity(role)];
  };
}
