/**
 * What the pipeline's roles may do, beyond what CDK and CDK Pipelines grant by themselves: the
 * least-privilege statements of each CodeBuild action the plan adds, the grants CDK does not make
 * (the renamed connections service, the alarms the CloudWatchAlarm rules read) and the narrowing of
 * the one grant CDK makes too wide (the replication keys).
 */
import type { IConstruct } from 'constructs';
import { Stack, type aws_codebuild as codebuild, aws_codepipeline as codepipeline, aws_iam as iam, type aws_kms as kms, type aws_s3 as s3 } from 'aws-cdk-lib';
import { BUILD_METRICS_NAMESPACE } from '../../../../src/pipeline/domain/build-gates/build-metrics.js';
import { HISTORY_TABLE } from '../../../../src/pipeline/domain/history/table-keys.js';
import { PIPELINE_STACK_NAMES } from '../../../../src/pipeline/domain/pipeline-vocabulary.js';
import { postDeploymentTestRoleArn } from '../../../../src/pipeline/domain/plan/environment-roles.js';
import type { PipelinePlan } from '../../../../src/pipeline/domain/plan/plan-types.js';
import { PIPELINE_STAGES } from '../../../../src/pipeline/domain/stage-names.js';
import type { EnvironmentConfig } from '../../../../src/shared/config/schema.js';
import { ConfigurationError } from '../../../../src/shared/errors.js';
import { acknowledgeNagFinding } from '../../policy/acknowledge.js';
import { narrowKmsWildcardStatements } from './l1-rewrites.js';

/** The deployment-history table, as much of it as the pipeline needs (fits `ITable` and `ITableV2`). */
export interface HistoryTableReference {
  readonly tableName: string;
  readonly tableArn: string;
  /** The table's customer key, when it has one. */
  readonly encryptionKey?: kms.IKey;
}

/** An artifact bucket in another region and the alias of its key (ArtifactReplicationStack). */
export interface ReplicationBucket {
  readonly bucket: s3.IBucket;
  /** The key's alias name (`alias/...`), fixed at synthesis. */
  readonly keyAliasName: string;
}

/** A CodeBuild project that clones the source through the connection (a CDK Pipelines step, or a project of our own). */
export interface SourceConsumer {
  readonly project: codebuild.IProject;
}

/** The CDK bootstrap qualifier whose roles the pipeline assumes in each environment account. */
const BOOTSTRAP_QUALIFIER = 'hnb659fds';

/**
 * The stacks self-mutation deploys (the pipeline stack and its dependencies), by name, in their
 * regions: the Build's `kiro-cd pipeline-changed` reads their deployed templates. A stack ARN ends in
 * the stack id CloudFormation assigns at creation, hence the `/*` after each name.
 */
export function pipelineStackTemplateArns(scope: Stack, environments: readonly Pick<EnvironmentConfig, 'region'>[]): string[] {
  const { account, region } = scope;
  const otherRegions = [...new Set(environments.map((environment) => environment.region))].filter((candidate) => candidate !== region);
  return [
    ...[PIPELINE_STACK_NAMES.pipeline, PIPELINE_STACK_NAMES.runtime].map((name) => `arn:${scope.partition}:cloudformation:${region}:${account}:stack/${name}/*`),
    ...otherRegions.map((other) => `arn:${scope.partition}:cloudformation:${other}:${account}:stack/${PIPELINE_STACK_NAMES.replicationPrefix}-${other}/*`),
  ];
}

/**
 * Accepts cdk-nag's IAM5 on each stack ARN of {@link pipelineStackTemplateArns}: the wildcard stands
 * for the stack id only, which is not known before the stack exists.
 */
export function acknowledgePipelineStackTemplateArns(buildProject: IConstruct, scope: Stack, environments: readonly Pick<EnvironmentConfig, 'region'>[]): void {
  for (const arn of pipelineStackTemplateArns(scope, environments)) {
    acknowledgeNagFinding(
      buildProject,
      `AwsSolutions-IAM5[Resource::${arn.replace(`arn:${scope.partition}`, 'arn:<AWS::Partition>')}]`,
      'cloudformation:GetTemplate on one named stack: the wildcard is the stack id CloudFormation assigns when it creates the stack, unknown at synthesis.',
    );
  }
}

/**
 * The build action's own statements: it reads the deployed templates of the pipeline's own stacks
 * (`kiro-cd pipeline-changed`), publishes the build metrics (`kiro-cd publish-build-metrics`) and
 * reads the history for the commit production runs, where the secrets gate's commit range starts
 * (`kiro-cd gate secrets --since-deployed production`).
 */
export function buildActionStatements(scope: Stack, environments: readonly Pick<EnvironmentConfig, 'region'>[], historyTable?: HistoryTableReference): iam.PolicyStatement[] {
  return [
    new iam.PolicyStatement({ sid: 'ReadPipelineStackTemplates', actions: ['cloudformation:GetTemplate'], resources: pipelineStackTemplateArns(scope, environments) }),
    buildMetricsStatement(),
    ...historyReadStatements(historyTable),
  ];
}

/** Publishing the build metrics (`kiro-cd publish-build-metrics`): PutMetricData in the KiroCD/Build namespace only. */
export function buildMetricsStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    // PutMetricData has no resource-level permissions; the namespace condition narrows it.
    actions: ['cloudwatch:PutMetricData'],
    resources: ['*'],
    conditions: { StringEquals: { 'cloudwatch:namespace': BUILD_METRICS_NAMESPACE } },
  });
}

/**
 * The statements of an action beside the synth in the Build stage: it publishes the metrics of its
 * own reports (`kiro-cd publish-build-metrics` in post_build) and calls nothing else in AWS.
 */
export function besideSynthStatements(): iam.PolicyStatement[] {
  return [buildMetricsStatement()];
}

/** Accepts cdk-nag's IAM5 on the `*` of {@link buildMetricsStatement} in the given project role. */
export function acknowledgeBuildMetricsWildcard(role: IConstruct): void {
  acknowledgeNagFinding(role, 'AwsSolutions-IAM5[Resource::*]', 'cloudwatch:PutMetricData only, which supports no resource-level permission; the cloudwatch:namespace condition limits it to KiroCD/Build.');
}

/** Reading the deployment history (the last deployed commit): the table, exactly its designed indexes, its key. */
function historyReadStatements(historyTable?: HistoryTableReference): iam.PolicyStatement[] {
  if (historyTable === undefined) return [];
  const statements = [
    new iam.PolicyStatement({
      actions: ['dynamodb:GetItem', 'dynamodb:Query'],
      // The table and exactly the indexes the history adapter designs (table-keys.ts), no others.
      resources: [historyTable.tableArn, ...Object.values(HISTORY_TABLE.indexes).map((index) => `${historyTable.tableArn}/index/${index.name}`)],
    }),
  ];
  if (historyTable.encryptionKey !== undefined) {
    statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [historyTable.encryptionKey.keyArn] }));
  }
  return statements;
}

/** Least-privilege statements of one change-detection action. */
export function detectionStatements(scope: Stack, environment: EnvironmentConfig, historyTable?: HistoryTableReference): iam.PolicyStatement[] {
  const { account, region } = environment;
  const statements = [
    new iam.PolicyStatement({
      // `cdk diff` reads the deployed templates through the bootstrap roles of the environment.
      actions: ['sts:AssumeRole'],
      resources: [
        `arn:${scope.partition}:iam::${account}:role/cdk-${BOOTSTRAP_QUALIFIER}-lookup-role-${account}-${region}`,
        `arn:${scope.partition}:iam::${account}:role/cdk-${BOOTSTRAP_QUALIFIER}-deploy-role-${account}-${region}`,
      ],
    }),
  ];
  return [...statements, ...historyReadStatements(historyTable)];
}

/** The suite tests the environment through the role its application stack creates there. */
export function suiteStatements(environment: EnvironmentConfig): iam.PolicyStatement[] {
  return [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [postDeploymentTestRoleArn(environment)] })];
}

/**
 * CDK grants the pipeline role the KMS actions on the replication keys with `Resource: *`: a key
 * in another region cannot be named from this stack. Narrow it to the pipeline account's keys in
 * those regions that carry exactly those aliases (`kms:ResourceAliases`, KMS developer guide,
 * "Use aliases to control access to KMS keys").
 */
export function narrowReplicationKeyGrant(pipeline: codepipeline.Pipeline, replicas: Readonly<Record<string, ReplicationBucket>>): void {
  const stack = Stack.of(pipeline);
  const policy = pipeline.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
  if (!(policy instanceof iam.CfnPolicy)) throw new ConfigurationError('The pipeline role has no default policy to narrow.');
  const keys = Object.keys(replicas).map((region) => `arn:${stack.partition}:kms:${region}:${stack.account}:key/*`);
  narrowKmsWildcardStatements(policy, keys, { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': Object.values(replicas).map((replica) => replica.keyAliasName) } });
  for (const replica of Object.values(replicas)) {
    acknowledgeNagFinding(
      pipeline.role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${String(stack.resolve(replica.bucket.bucketName))}/*]`,
      "Object keys of this pipeline's artifact bucket in another region: CodePipeline names each artifact per execution; the bucket holds nothing else.",
    );
  }
  for (const key of keys) {
    acknowledgeNagFinding(
      pipeline.role,
      `AwsSolutions-IAM5[Resource::${key.replace(`arn:${stack.partition}`, 'arn:<AWS::Partition>')}]`,
      "The replication buckets' keys, which live in other regions and cannot be named from this stack: limited by condition to the keys carrying exactly their aliases (kms:ResourceAliases).",
    );
  }
}

/**
 * The connection ARN may carry the service's new prefix (`codeconnections`), and IAM matches the
 * action's prefix to the resource's ("Connections rename", Developer Tools console user guide);
 * CDK grants only `codestar-connections:UseConnection`. Grant the new action as well, on the same
 * connection, to the roles that use it: the source action and the builds that clone through it.
 */
export function allowConnectionUse(pipeline: codepipeline.Pipeline, plan: PipelinePlan, consumers: readonly SourceConsumer[]): void {
  const statement = new iam.PolicyStatement({ actions: ['codeconnections:UseConnection'], resources: [plan.source.connectionArn] });
  // The pipeline creates the action's role when it binds the action, under the action's construct.
  const sourceRole = pipeline.node.tryFindChild(PIPELINE_STAGES.source)?.node.tryFindChild(plan.source.actionName)?.node.tryFindChild('CodePipelineActionRole');
  if (!(sourceRole instanceof iam.Role)) throw new ConfigurationError('The source action has no role to allow the connection to.');
  sourceRole.addToPrincipalPolicy(statement);
  for (const step of consumers) step.project.addToRolePolicy(statement);
}

/** The CloudWatchAlarm rules run with the pipeline role: let it read exactly the alarms they name (all in this account). */
export function allowAlarmRules(pipeline: codepipeline.Pipeline, plan: PipelinePlan): void {
  const stack = Stack.of(pipeline);
  const alarmArns = plan.stages.flatMap((stage) =>
    (stage.kind === 'application' ? (stage.conditions.onSuccess?.rules ?? []) : []).flatMap((rule) =>
      rule.kind === 'cloudwatch-alarm' ? [`arn:${stack.partition}:cloudwatch:${rule.region}:${stack.account}:alarm:${rule.alarmName}`] : [],
    ),
  );
  if (alarmArns.length > 0) pipeline.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: alarmArns }));
}
