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

const NO_CODEPIPELINE = 'the emulator serves none of CodePipeline\'s runtime calls, so the exercised rollback stops before them; the rollback\'s calls are tested against the CodePipeline double (src/local/codepipeline-double.md)';
const NO_WORK_ITEM = 'the exercise leaves the work-item table empty, so the poller claims nothing and starts no build';
const NO_TOKEN = 'the exercise runs no state machine execution, so there is no task token to answer';

/** The explained list. */
export const UNEXERCISED_GRANTS: readonly UnexercisedGrant[] = [
  ...['StartPipelineExecution', 'GetPipelineExecution', 'GetPipelineState', 'RollbackStage'].map((operation) => ({ role: 'DeploymentSafetyRollbackOrchestratorRole', action: `codepipeline:${operation}`, resource: /^arn:aws:codepipeline:/, why: NO_CODEPIPELINE })),
  { role: 'DeploymentSafetyRollbackOrchestratorRole', action: 'dynamodb:Query', resource: /\/index\/(by-commit|known-good)$/, why: NO_CODEPIPELINE },
  { role: 'DeploymentSafetyRollbackOrchestratorRole', action: 'dynamodb:GetItem', resource: /RollbackLedg/, why: NO_CODEPIPELINE },
  { role: 'DeploymentSafetyRollbackOrchestratorRole', action: 'dynamodb:UpdateItem', resource: /HistoryTable/, why: `the restart marker (which enters the execution summary, docs/history-summary.md) is recorded after the restart starts; ${NO_CODEPIPELINE}` },
  { role: 'PipelineEventsNotifierRole', action: 'dynamodb:Query', resource: /HistoryTable[^/]*$/, why: 'the notifier queries the timeline only for an execution without a summary item (recorded before summaries existed, docs/history-summary.md); the exercise records every execution with its summary' },
  { role: 'DeploymentSafetyRollbackOrchestratorRole', action: 'sns:Publish', resource: /NotificationsEnv(staging|production)/, why: 'the exercised rollback is for the test environment' },
  { role: 'DeploymentSafetyHealthMonitorStepFunctionRole', action: 'sns:Publish', resource: /NotificationsEnvtest/, why: 'the exercised test bake stays in its watch (for the alarm handler to wake); the staging and production bakes conclude and publish' },
  { role: 'DeploymentSafetyHealthMonitorStepFunctionRole', action: 'dynamodb:UpdateItem', resource: /RollbackLedg/, why: 'a critical alarm mark is only acknowledged during a watch, which needs a task token' },
  { role: 'DeploymentSafetyHealthMonitorStepFunctionRole', action: 'states:SendTaskFailure', resource: /:stateMachine:/, why: NO_TOKEN },
  { role: 'DeploymentSafetyHealthMonitorAlarmEventFunctionRole', action: 'states:SendTaskFailure', resource: /:stateMachine:/, why: NO_TOKEN },
  { role: 'DeploymentSafetyHealthMonitorAlarmEventFunctionRole', action: 'dynamodb:PutItem', resource: /RollbackLedg/, why: 'the first mark of an environment with no bake running; the exercise always has one' },
  ...['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'codebuild:StartBuild', 'codebuild:BatchGetBuilds'].map((action) => ({ role: 'PollerRole', action, resource: /^arn:aws:(dynamodb|codebuild):/, why: NO_WORK_ITEM })),
  { role: 'BuildEndRole', action: 'dynamodb:UpdateItem', resource: /^arn:aws:dynamodb:/, why: NO_WORK_ITEM },
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
