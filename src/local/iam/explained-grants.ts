/**
 * Grants of the proven roles that the recorded calls (src/local/iam/recorded-calls.json) do not use,
 * each with why, and the grants on `*` that stay. The proof fails on an unused grant not listed
 * here, so a new grant needs a call that uses it (or a row here, reviewed). Rows name a role's
 * logical-id prefix, an action and a resource pattern. Read by the test and by `npm run validate`.
 */
export interface UnexercisedGrant {
  readonly role: string;
  readonly action: string;
  readonly resource: RegExp;
  readonly why: string;
}

const NO_CODEPIPELINE = 'the emulator serves none of CodePipeline\'s runtime calls, so the exercised rollback stops before them; the rollback\'s calls are tested against the local CodePipeline (src/local/codepipeline/, docs/local-codepipeline.md; harness in test/support/local-pipeline/)';
const NO_WORK_ITEM = 'the exercise leaves the work-item table empty, so the poller claims nothing and starts no build';
const NO_TOKEN = 'the exercise runs no state machine execution, so there is no task token to answer';

/** An explained grant of a generated service role: patterns on the role's logical id, the action and the resource. */
export interface GeneratedGrant {
  readonly role: RegExp;
  readonly action: RegExp;
  readonly resource: RegExp;
  readonly why: string;
}

/** The explained list. */
export const UNEXERCISED_GRANTS: readonly UnexercisedGrant[] = [
  ...['StartPipelineExecution', 'GetPipelineExecution', 'GetPipelineState', 'ListPipelineExecutions', 'RollbackStage'].map((operation) => ({ role: 'DeploymentSafetyRollbackAdvanceRole', action: `codepipeline:${operation}`, resource: /^arn:aws:codepipeline:/, why: NO_CODEPIPELINE })),
  {
    role: 'OperatorPolicy',
    action: 'codepipeline:ListPipelineExecutions',
    resource: /^arn:aws:codepipeline:/,
    why: `kiro-cd rollback lists executions only when a full rollback starts while GetPipelineState shows a stage rollback running (it adopts one with the same target, docs/rollback.md); ${NO_CODEPIPELINE}`,
  },
  { role: 'DeploymentSafetyRollbackAdvanceRole', action: 'dynamodb:GetItem', resource: /RollbackLedg/, why: 'the lease is read only when another rollback holds it; the exercised step takes a free lease' },
  { role: 'DeploymentSafetyRollbackAdvanceRole', action: 'sns:Publish', resource: /NotificationsEnv(staging|production)/, why: 'the exercised rollback is for the test environment' },
  { role: 'DeploymentSafetyRollbackAdvanceRole', action: 'dynamodb:UpdateItem', resource: /HistoryTable/, why: `the restart marker (which enters the execution summary, docs/history-summary.md) is recorded after the restart starts; ${NO_CODEPIPELINE}` },
  { role: 'PipelineEventsNotifierRole', action: 'dynamodb:Query', resource: /HistoryTable[^/]*$/, why: 'the notifier queries the timeline only for an execution without a summary item (recorded before summaries existed, docs/history-summary.md); the exercise records every execution with its summary' },
  { role: 'PipelineEventsCommitStatusRole', action: 'dynamodb:Query', resource: /HistoryTable[^/]*$/, why: 'the commit-status function queries the timeline only for an execution without a summary item (recorded before summaries existed, docs/history-summary.md); the exercise records every execution with its summary' },
  { role: 'DeploymentSafetyHealthMonitorStepFunctionRole', action: 'sns:Publish', resource: /NotificationsEnvtest/, why: 'the exercised test bake stays in its watch (for the alarm handler to wake); the staging and production bakes conclude and publish' },
  { role: 'DeploymentSafetyHealthMonitorStepFunctionRole', action: 'dynamodb:UpdateItem', resource: /RollbackLedg/, why: 'a critical alarm mark is only acknowledged during a watch, which needs a task token' },
  { role: 'DeploymentSafetyHealthMonitorStepFunctionRole', action: 'states:SendTaskFailure', resource: /:stateMachine:/, why: NO_TOKEN },
  { role: 'DeploymentSafetyHealthMonitorAlarmEventFunctionRole', action: 'states:SendTaskFailure', resource: /:stateMachine:/, why: NO_TOKEN },
  { role: 'DeploymentSafetyHealthMonitorAlarmEventFunctionRole', action: 'dynamodb:PutItem', resource: /RollbackLedg/, why: 'the first mark of an environment with no bake running; the exercise always has one' },
  ...['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'codebuild:StartBuild', 'codebuild:BatchGetBuilds'].map((action) => ({ role: 'PollerRole', action, resource: /^arn:aws:(dynamodb|codebuild):/, why: NO_WORK_ITEM })),
  { role: 'BuildEndRole', action: 'dynamodb:UpdateItem', resource: /^arn:aws:dynamodb:/, why: NO_WORK_ITEM },
  { role: 'PostDeploymentTestAccessRole', action: 'codebuild:BatchGetBuilds', resource: /^arn:aws:codebuild:/, why: 'the e2e suite asks for the build\'s status only to name it when the build does not finish in time; the exercised build finishes' },
];

/**
 * Unused grants of the pipeline's service roles (iam-proof.ts `serviceRoles`: CDK Pipelines'
 * generated roles and the CodeBuild projects' roles), each with why it stays. docs/policy-gates.md
 * ("CDK Pipelines' generated roles") gives the same list for review.
 */
export const GENERATED_ROLE_GRANTS: readonly GeneratedGrant[] = [
  {
    role: /^(PipelineRole|Pipeline.*ActionRole|Pipeline.*Role|CdkPipeline.*Role)/,
    action: /^s3:/,
    resource: /^arn:aws:s3:::[^/]*ArtifactBucket[^/]*(\/\*)?$/,
    why: 'CDK grants the artifact bucket with grantRead/grantReadWrite (s3:GetObject*, GetBucket*, List*, DeleteObject*, PutObject*, Abort*), which the wildcard expansion writes out action by action; CodePipeline and CodeBuild use GetObject and PutObject of it. Every one is confined to the one artifact bucket, which holds only this pipeline\'s artifacts; CDK offers no narrower grant for pipeline artifacts.',
  },
  {
    role: /^(PipelineRole|Pipeline.*Role|CdkPipeline.*Role)/,
    action: /^kms:/,
    resource: /:key\/[^/]*ArtifactKey/,
    why: 'CDK grants the artifact key with grantDecrypt/grantEncryptDecrypt (kms:Decrypt, DescribeKey, Encrypt, ReEncrypt*, GenerateDataKey*) next to the bucket grant; S3 uses Decrypt and GenerateDataKey on the role\'s behalf. Confined to the one artifact key.',
  },
  {
    role: /^PipelineApproveProductionApproveCodePipelineActionRole/,
    action: /^kms:GenerateDataKey/,
    resource: /:key\//,
    why: 'topic.grantPublish grants the topic key\'s kms:GenerateDataKey*, expanded into its variants; SNS uses GenerateDataKey and Decrypt when the approval action publishes.',
  },
  {
    role: /^(Pipeline.*Role|CdkPipeline.*Role)/,
    action: /^logs:(CreateLogGroup|CreateLogStream|PutLogEvents)$/,
    resource: /:log-group:\/aws\/codebuild\//,
    why: 'CDK grants every project its default log group /aws/codebuild/<project>; the projects log to the pipeline\'s encrypted BuildLogs group (LogsConfig) instead, whose writes are simulated. The default group is never created; the grant names only this project\'s group (the asset project\'s is CDK Pipelines\' /aws/codebuild/*).',
  },
  {
    role: /^(Pipeline.*Role|CdkPipeline.*Role)/,
    action: /^codebuild:(CreateReportGroup|CreateReport|UpdateReport|BatchPutTestCases|BatchPutCodeCoverages)$/,
    resource: /:report-group\//,
    why: 'CDK grants every project the report-group actions on <project>-* (CDK Pipelines\' asset project on report-group/*); only the reports a buildspec declares are written (simulated), the rest of the grant is what CDK writes for any project.',
  },
  {
    role: /^(Pipeline.*Role|CdkPipeline.*Role)/,
    action: /^codestar-connections:UseConnection$/,
    resource: /:connection\//,
    why: 'CDK grants the connection under its old service prefix; the connection ARN has the new prefix (codeconnections), which IAM matches against the codeconnections: action (simulated). The old grant is what CDK writes and names only this connection.',
  },
  {
    role: /^CdkPipelineCodeBuildActionRole/,
    action: /^codebuild:StopBuild$/,
    resource: /:project\//,
    why: 'CDK Pipelines grants StopBuild on each project so that stopping a pipeline execution ("Stop and abandon") stops its builds; no documented call of a normal run uses it.',
  },
  {
    role: /^Pipeline.*HealthCheckCodePipelineActionRole/,
    action: /^states:DescribeStateMachine$/,
    resource: /:stateMachine:/,
    why: 'StepFunctionInvokeAction grants DescribeStateMachine on the health monitor next to StartExecution and DescribeExecution; the action reference documents only the latter two as calls. Read-only, on the one state machine.',
  },
  {
    role: /^PipelineBuildSynthCdkBuildProjectRole/,
    action: /^(cloudformation:GetTemplate|cloudwatch:PutMetricData|dynamodb:GetItem|dynamodb:Query|kms:Decrypt)$/,
    resource: /./,
    why: 'The Build\'s own commands inside CodeBuild (kiro-cd pipeline-changed, publish-build-metrics, gate secrets --since-deployed), not operator commands: UNEXERCISED_COMMANDS lists them; test/integration/synth/pipeline-changed-permissions.test.ts pins GetTemplate to the stacks self-mutation deploys.',
  },
  {
    role: /^PipelineBuild(UnitTests|StaticChecks)Role/,
    action: /^cloudwatch:PutMetricData$/,
    resource: /./,
    why: 'The Build stage\'s UnitTests and StaticChecks actions publish the metrics of their own reports (kiro-cd publish-build-metrics in post_build, inside CodeBuild), not an operator command: UNEXERCISED_COMMANDS lists it; the grant is limited to the KiroCD/Build namespace by condition.',
  },
  {
    role: /^PipelineAssetsDetect/,
    action: /^(sts:AssumeRole|dynamodb:GetItem|dynamodb:Query|kms:Decrypt)$/,
    resource: /./,
    why: 'Change detection runs cdk diff through the environment\'s bootstrap lookup and deploy roles and reads the deployment history inside CodeBuild; those are the CDK CLI\'s and kiro-cd\'s calls in the build, not recorded here (docs/change-detection.md).',
  },
  {
    role: /^CdkPipelineUpdatePipelineSelfMutationRole/,
    action: /^(sts:AssumeRole|cloudformation:DescribeStacks|s3:ListBucket)$/,
    resource: /./,
    why: 'Self-mutation runs cdk deploy of the pipeline stack: it assumes the bootstrap roles (CDK Pipelines limits the grant to roles tagged aws-cdk:bootstrap-role) and looks up stacks and asset buckets by name (STAR_RESOURCE_EXCEPTIONS).',
  },
  {
    role: /^CdkPipelineAssetsFileRole/,
    action: /^sts:AssumeRole$/,
    resource: /:role\/cdk-[a-z0-9]+-file-publishing-role-/,
    why: 'The asset project runs cdk-assets, which publishes each environment\'s file assets through that environment\'s bootstrap file-publishing role.',
  },
];

/**
 * Grants on `*` of actions that could name a resource (src/local/iam/star-resources.ts), by role
 * logical-id prefix and action, each with why it stays. Everything else on `*` is an action the
 * Service Authorization Reference gives no resource type.
 */
export const STAR_RESOURCE_EXCEPTIONS: Readonly<Record<string, string>> = {
  'CdkPipelineUpdatePipelineSelfMutationRole cloudformation:DescribeStacks':
    'CDK Pipelines grants it for the CDK CLI that self-mutation runs (cdk deploy of the pipeline stack), which reads stacks it only knows by name at run time (the bootstrap stack among them); read-only, and CDK offers no way to name them',
  'CdkPipelineUpdatePipelineSelfMutationRole s3:ListBucket':
    'CDK Pipelines grants it for the CDK CLI that self-mutation runs, which looks up the bootstrap asset buckets of the target accounts, whose names it only learns there; read-only (lists keys, reads no object)',
};
