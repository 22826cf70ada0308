/**
 * The acknowledged policy-gate findings on the roles that CDK Pipelines and CodePipeline generate
 * for the pipeline: each names the exact resource whose wildcard is inherent to it, with the reason
 * (docs/policy-gates.md). Everything else these roles hold is explicit, or narrowed in
 * pipeline-permissions.ts.
 */
import { Arn, ArnFormat, Stack, Token, aws_codebuild as codebuild, aws_iam as iam, type aws_codepipeline as codepipeline, type aws_s3 as s3, type aws_stepfunctions as sfn, type pipelines } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { PipelinePlan } from '../../../../src/pipeline/domain/plan/plan-types.js';
import { ConfigurationError } from '../../../../src/shared/errors.js';
import { acknowledgeGuardRule, acknowledgeNagFinding } from '../../policy/acknowledge.js';
import { acknowledgeLogStreamWildcard } from '../worker/log-stream-acknowledgement.js';

/**
 * Accepts, role by role, the cdk-nag IAM5 findings on the roles CDK Pipelines generates in `stack`
 * whose wildcard is inherent to the resource: the artifact bucket's object keys, each CodeBuild
 * project's log streams and report groups, the synth action's metrics, self-mutation's bootstrap
 * lookups and the shared asset-publishing role.
 */
export function acknowledgeGeneratedRoleFindings(stack: Stack, artifactBucket: s3.Bucket, cdkPipeline: pipelines.CodePipeline): void {
  const bucketId = stack.getLogicalId(artifactBucket.node.defaultChild as s3.CfnBucket);
  for (const role of stack.node.findAll().filter((construct): construct is iam.Role => construct instanceof iam.Role)) {
    acknowledgeNagFinding(
      role,
      `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
      "Object keys of this pipeline's own artifact bucket: CodePipeline names each artifact per execution, so no fixed key exists; the bucket holds nothing else and is KMS-encrypted with this pipeline's key.",
    );
  }
  for (const project of stack.node.findAll().filter((construct): construct is codebuild.Project => construct instanceof codebuild.Project)) {
    if (project.role === undefined) continue;
    const projectId = stack.getLogicalId(project.node.defaultChild as codebuild.CfnProject);
    acknowledgeLogStreamWildcard(project.role, `/aws/codebuild/<${projectId}>`);
    acknowledgeNagFinding(
      project.role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:${stack.region}:${stack.account}:report-group/<${projectId}>-*]`,
      'CodeBuild creates the report groups of a build itself, named <project>-<report>; the wildcard covers only report groups of this one project.',
    );
  }
  const synthRole = stack.node.findAll().find((construct) => construct.node.path.endsWith('/Build/Synth/CdkBuildProject/Role'));
  if (synthRole !== undefined) {
    acknowledgeNagFinding(
      synthRole,
      'AwsSolutions-IAM5[Resource::*]',
      'cloudwatch:PutMetricData only, which supports no resource-level permission; the cloudwatch:namespace condition limits it to KiroCD/Build.',
    );
  }
  const selfMutationRole = cdkPipeline.selfMutationProject.role;
  if (selfMutationRole !== undefined) {
    acknowledgeNagFinding(
      selfMutationRole,
      'AwsSolutions-IAM5[Resource::*]',
      'cloudformation:DescribeStacks and s3:ListBucket that the CDK CLI runs during self-mutation to find the bootstrap stack and asset buckets, whose names are only known in the target accounts; both are read-only.',
    );
    acknowledgeGuardRule(
      defaultPolicyOf(selfMutationRole),
      'IAM_NO_STAR_RESOURCE',
      'CDK Pipelines grants cloudformation:DescribeStacks and s3:ListBucket on * so the CDK CLI can find the bootstrap stack and asset buckets of the target accounts during self-mutation; both are read-only.',
    );
    acknowledgeNagFinding(
      selfMutationRole,
      `AwsSolutions-IAM5[Resource::arn:*:iam::${stack.account}:role/*]`,
      'sts:AssumeRole for cdk deploy of this stack, restricted by CDK Pipelines to roles tagged aws-cdk:bootstrap-role = deploy, file-publishing or image-publishing: only the CDK bootstrap roles.',
    );
  }
  const fileAssetsRole = stack.node.findAll().find((construct) => construct.node.path.endsWith('/CdkPipeline/Assets/FileRole'));
  if (fileAssetsRole !== undefined) {
    acknowledgeNagFinding(
      fileAssetsRole,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${stack.region}:${stack.account}:log-group:/aws/codebuild/*]`,
      'CDK Pipelines shares this role among the asset-publishing projects it creates; it writes only to CodeBuild log groups, whose streams are named per build.',
    );
    acknowledgeNagFinding(
      fileAssetsRole,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:${stack.region}:${stack.account}:report-group/*]`,
      'CDK Pipelines shares this role among the asset-publishing projects it creates; CodeBuild names their report groups per build.',
    );
    acknowledgeGuardRule(
      defaultPolicyOf(fileAssetsRole),
      'IAM_NO_STAR_RESOURCE',
      'CDK Pipelines grants codebuild:StartBuild/BatchGetBuilds/StopBuild on * to the role CodePipeline uses to run its asset-publishing projects; it can start builds, not change them.',
    );
    acknowledgeNagFinding(
      fileAssetsRole,
      'AwsSolutions-IAM5[Resource::*]',
      'codebuild:StartBuild/BatchGetBuilds/StopBuild that CodePipeline needs to run the asset-publishing projects CDK Pipelines creates with this shared role.',
    );
  }
}

/**
 * The StepFunctions invoke action may describe and stop the executions it starts, named
 * `<action name>-<run id>`: the wildcard stays inside one state machine's executions. Only
 * acknowledged when the state machine's ARN is literal, so the finding names it in plain text.
 */
export function acknowledgeHealthCheckExecutions(pipeline: codepipeline.Pipeline, plan: PipelinePlan, healthMonitor: sfn.IStateMachine): void {
  if (Token.isUnresolved(healthMonitor.stateMachineArn)) return;
  const stack = Stack.of(pipeline);
  const arn = Arn.split(healthMonitor.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME);
  for (const stage of plan.stages) {
    if (stage.kind !== 'application' || stage.healthCheck === undefined) continue;
    const executions = `arn:${arn.partition ?? stack.partition}:states:${arn.region ?? stack.region}:${arn.account ?? stack.account}:execution:${arn.resourceName ?? ''}:${stage.healthCheck.name}*`;
    const role = pipeline.node.tryFindChild(stage.name)?.node.tryFindChild(stage.healthCheck.name)?.node.tryFindChild('CodePipelineActionRole');
    if (role === undefined) throw new ConfigurationError(`The health-check action ${stage.healthCheck.name} of ${stage.name} has no action role to scope.`);
    acknowledgeNagFinding(
      role,
      `AwsSolutions-IAM5[Resource::${executions}]`,
      'DescribeExecution/StopExecution on the executions this action starts of the one health-monitor state machine; CodePipeline names each execution per run, so no fixed ARN exists.',
    );
  }
}

/** The inline default policy CDK gives a role, which carries the statements of its grants. */
function defaultPolicyOf(role: IConstruct): IConstruct {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy === undefined) throw new ConfigurationError(`${role.node.path} has no DefaultPolicy to carry the acknowledgement; acknowledge on the policy that holds the statement.`);
  return policy;
}
