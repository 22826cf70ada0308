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
 *   of the source artifact (https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodestarConnectionSource.html);
 *   with `OutputArtifactFormat: CODEBUILD_CLONE_REF` each CodeBuild project that takes the artifact
 *   clones the repository itself: codeconnections:UseConnection as the project's role (same page,
 *   "CodeBuild GitClone permissions").
 * - Manual approval: sns:Publish to the notification topic
 *   (https://docs.aws.amazon.com/codepipeline/latest/userguide/approvals-service-role-permissions.html).
 * - CloudFormation action (CREATE_UPDATE, the pipeline's mode; CHANGE_SET_REPLACE, CHANGE_SET_EXECUTE): as the action role, the CDK
 *   bootstrap deploy role of the target account (bootstrap-roles.ts), which the pipeline role assumes
 *   across accounts: cloudformation:DescribeStacks, DescribeChangeSet, DeleteChangeSet and
 *   CreateChangeSet on the stack, iam:PassRole of the CloudFormation execution role (`RoleArn`),
 *   s3:GetObject of the template in the pipeline's artifact bucket (another account's bucket: the
 *   deploy role's grant and the bucket policy both); to execute, DescribeChangeSet, ExecuteChangeSet,
 *   DescribeStacks; CREATE_UPDATE: DescribeStacks, CreateStack or UpdateStack, iam:PassRole and the
 *   template read as for a change set (https://docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CloudFormation.html,
 *   "Service role permissions: CloudFormation action").
 * - Every CodeBuild project of the assembly writes its build log to its CloudWatch Logs group
 *   (logs:CreateLogStream, logs:PutLogEvents on a stream of the group the project's `LogsConfig`
 *   names, else `/aws/codebuild/<project>`) and, for each `reports` entry of its buildspec, its
 *   test report to the report group `<project>-<report>` (codebuild:CreateReportGroup,
 *   CreateReport, UpdateReport, BatchPutTestCases; BatchPutCodeCoverages for a coverage report), as
 *   the project's service role (https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html,
 *   https://docs.aws.amazon.com/codebuild/latest/userguide/report-group-permissions.html).
 */
import { parse } from 'yaml';
import { STACK_UUID_STAND_IN } from '../synthesized-templates.js';
import { bootstrapDeployRole, deployRoleEnvironment } from './bootstrap-roles.js';
import type { AttributedCall, IdentityResolver } from './simulate-calls.js';
import { roleIdentity } from './simulate-calls.js';
import type { StackInScope, SynthesizedIam, TemplateRole } from './synthesized-iam.js';

/** The documented calls, and the actions whose role the assembly does not define. */
export interface PipelineServiceCalls {
  readonly calls: readonly AttributedCall[];
  /** `<stage>/<action> (<provider>): <role ARN>` per action whose role is outside the assembly. */
  readonly outsideAssembly: readonly string[];
  /** Caller name → the ARN of the role that makes the call (the pipeline role, or a project's service role). */
  readonly callerRoles: Readonly<Record<string, string>>;
  /** The CDK bootstrap deploy roles the CloudFormation actions run as (outside the assembly), built from the bootstrap template. */
  readonly bootstrapRoles: readonly TemplateRole[];
}

interface PipelineAction {
  readonly Name: string;
  readonly ActionTypeId: { readonly Category: string; readonly Provider: string };
  readonly Configuration?: Record<string, unknown>;
  readonly RoleArn?: string;
  readonly OutputArtifacts?: readonly { readonly Name: string }[];
  readonly InputArtifacts?: readonly { readonly Name: string }[];
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
  const bootstrapRoles = new Map<string, TemplateRole>();
  for (const { stack, context, resolve } of stacks) {
    for (const [id, resource] of Object.entries(stack.resources)) {
      if (resource.Type !== 'AWS::CodePipeline::Pipeline') continue;
      const properties = resolve(resource.Properties ?? {}) as { Name?: string; RoleArn: string; ArtifactStore?: { Location: string }; Stages: { Name: string; Actions: PipelineAction[] }[] };
      const pipelineName = properties.Name ?? `${stack.stackName}-${id}`;
      const bucket = properties.ArtifactStore?.Location;
      const region = context.region;
      const cloneConnections = new Map<string, string>();
      for (const action of properties.Stages.flatMap((stage) => stage.Actions)) {
        if (action.ActionTypeId.Provider === 'CodeStarSourceConnection' && action.Configuration?.OutputArtifactFormat === 'CODEBUILD_CLONE_REF') {
          for (const output of action.OutputArtifacts ?? []) cloneConnections.set(output.Name, String(action.Configuration.ConnectionArn));
        }
      }
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
                // A source artifact in CODEBUILD_CLONE_REF format is a reference: the build clones the repository through the connection with the project's role.
                for (const input of action.InputArtifacts ?? []) {
                  const connection = cloneConnections.get(input.Name);
                  if (connection !== undefined) calls.push({ caller: build, stackName: stack.stackName, service: 'CodeConnections', operation: 'UseConnection', region, input: { ConnectionArn: connection } });
                }
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
            case 'CloudFormation': {
              const environment = action.RoleArn === undefined ? undefined : deployRoleEnvironment(action.RoleArn);
              if (environment === undefined || action.RoleArn === undefined) {
                outsideAssembly.push(`${stage.Name}/${action.Name} (${action.ActionTypeId.Provider}): ${action.RoleArn ?? properties.RoleArn}`);
                break;
              }
              if (!bootstrapRoles.has(action.RoleArn)) bootstrapRoles.set(action.RoleArn, bootstrapDeployRole({ ...environment, trustedAccounts: [context.account] }));
              const target = { region: environment.region };
              const stackName = String(configuration.StackName);
              const stackInput = { StackName: `arn:aws:cloudformation:${environment.region}:${environment.account}:stack/${stackName}/${STACK_UUID_STAND_IN}` };
              const at = (service: string, operation: string, input: Record<string, unknown>): void => {
                calls.push({ caller, stackName: stack.stackName, service, operation, ...target, ...as, input });
              };
              at('CloudFormation', 'DescribeStacks', stackInput);
              const readsTemplate = (): void => {
                if (typeof configuration.RoleArn === 'string') at('IAM', 'PassRole', { RoleArn: configuration.RoleArn });
                for (const input of action.InputArtifacts ?? []) {
                  if (bucket !== undefined) at('S3', 'GetObject', { Bucket: bucket, Key: artifactKey(pipelineName, input.Name), ExpectedBucketOwner: context.account });
                }
              };
              switch (configuration.ActionMode) {
                case 'CHANGE_SET_REPLACE':
                  at('CloudFormation', 'DescribeChangeSet', stackInput);
                  at('CloudFormation', 'DeleteChangeSet', stackInput);
                  at('CloudFormation', 'CreateChangeSet', stackInput);
                  readsTemplate();
                  break;
                case 'CHANGE_SET_EXECUTE':
                  at('CloudFormation', 'DescribeChangeSet', stackInput);
                  at('CloudFormation', 'ExecuteChangeSet', stackInput);
                  break;
                case 'CREATE_UPDATE':
                  // The stack exists after the first release (CreateStack on the first one).
                  at('CloudFormation', 'CreateStack', stackInput);
                  at('CloudFormation', 'UpdateStack', stackInput);
                  readsTemplate();
                  break;
                default:
                  outsideAssembly.push(`${stage.Name}/${action.Name} (CloudFormation ${String(configuration.ActionMode)}): mode not modelled`);
              }
              break;
            }
            default:
              outsideAssembly.push(`${stage.Name}/${action.Name} (${action.ActionTypeId.Provider}): ${action.RoleArn ?? properties.RoleArn}`);
          }
        }
      }
    }
  }
  calls.push(...projectLogAndReportCalls(stacks, callerRoles));
  return { calls, outsideAssembly, callerRoles, bootstrapRoles: [...bootstrapRoles.values()] };
}

/** A build's log stream or report stands for all: CodeBuild names them after the build id. */
const BUILD_ID_STAND_IN = STACK_UUID_STAND_IN;

/** The report names a buildspec declares (`reports:` keys) and whether each is a coverage report. */
export function buildspecReports(buildspec: unknown): { readonly name: string; readonly coverage: boolean }[] {
  let parsed: unknown = buildspec;
  if (typeof buildspec === 'string') {
    try {
      parsed = parse(buildspec);
    } catch {
      // A buildspec file name (read from the source at build time) is not inline YAML: no reports known here.
      return [];
    }
  }
  const reports = (parsed as { reports?: unknown } | null)?.reports;
  if (typeof reports !== 'object' || reports === null) return [];
  return Object.entries(reports as Record<string, { 'file-format'?: unknown }>).map(([name, report]) => {
    const format = report['file-format'];
    return { name, coverage: typeof format === 'string' && /^(CLOVERXML|COBERTURAXML|JACOCOXML|SIMPLECOV)$/.test(format) };
  });
}

/** For every CodeBuild project of the assembly: the log writes and report-group calls CodeBuild makes as its service role. */
function projectLogAndReportCalls(stacks: readonly StackInScope[], callerRoles: Record<string, string>): AttributedCall[] {
  const calls: AttributedCall[] = [];
  for (const { stack, context, resolve } of stacks) {
    for (const [id, resource] of Object.entries(stack.resources)) {
      if (resource.Type !== 'AWS::CodeBuild::Project') continue;
      const properties = resource.Properties ?? {};
      const project = String(resolve({ Ref: id }));
      const caller = `CodeBuild ${project}`;
      callerRoles[caller] = String(resolve(properties.ServiceRole));
      const call = (service: string, operation: string, input: Record<string, unknown>): void => {
        calls.push({ caller, stackName: stack.stackName, service, operation, region: context.region, input });
      };
      const logs = resolve(properties.LogsConfig) as { CloudWatchLogs?: { Status?: string; GroupName?: string; StreamName?: string } } | undefined;
      if (logs?.CloudWatchLogs?.Status !== 'DISABLED') {
        const group = logs?.CloudWatchLogs?.GroupName ?? `/aws/codebuild/${project}`;
        const prefix = logs?.CloudWatchLogs?.StreamName;
        const logStream = prefix === undefined ? BUILD_ID_STAND_IN : `${prefix}/${BUILD_ID_STAND_IN}`;
        call('CloudWatchLogs', 'CreateLogStream', { logGroupName: group, logStreamName: logStream });
        call('CloudWatchLogs', 'PutLogEvents', { logGroupName: group, logStreamName: logStream });
      }
      for (const report of buildspecReports(resolve((properties.Source as { BuildSpec?: unknown } | undefined)?.BuildSpec))) {
        const reportGroupArn = `arn:aws:codebuild:${context.region}:${context.account}:report-group/${project}-${report.name}`;
        for (const operation of ['CreateReportGroup', 'CreateReport', 'UpdateReport', report.coverage ? 'BatchPutCodeCoverages' : 'BatchPutTestCases']) call('CodeBuild', operation, { reportGroupArn });
      }
    }
  }
  return calls;
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

/** The assembly's roles together with the bootstrap deploy roles the CloudFormation actions assume: what the service calls are simulated against. */
export function withBootstrapRoles(iam: SynthesizedIam, service: Pick<PipelineServiceCalls, 'bootstrapRoles'>): SynthesizedIam {
  return { ...iam, roles: [...iam.roles, ...service.bootstrapRoles] };
}
