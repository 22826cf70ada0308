/**
 * Grants of the proven roles (and command classes) that the local exercise does not reach yet, each with why. The proof
 * fails on an unused grant not listed here, so a new grant needs a call that uses it (or a row
 * here, reviewed). Rows name a role's logical-id prefix, an action and a resource pattern.
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
  { role: 'DeploymentSafetyRollbackOrchestratorRole', action: 'sns:Publish', resource: /NotificationsEnv(staging|production)/, why: 'the exercised rollback is for the test environment' },
  { role: 'DeploymentSafetyHealthMonitorStepFunctionRole', action: 'sns:Publish', resource: /NotificationsEnvtest/, why: 'the exercised test bake stays in its watch (for the alarm handler to wake); the staging and production bakes conclude and publish' },
  { role: 'DeploymentSafetyHealthMonitorStepFunctionRole', action: 'dynamodb:UpdateItem', resource: /RollbackLedg/, why: 'a critical alarm mark is only acknowledged during a watch, which needs a task token' },
  { role: 'DeploymentSafetyHealthMonitorStepFunctionRole', action: 'states:SendTaskFailure', resource: /:stateMachine:/, why: NO_TOKEN },
  { role: 'DeploymentSafetyHealthMonitorAlarmEventFunctionRole', action: 'states:SendTaskFailure', resource: /:stateMachine:/, why: NO_TOKEN },
  { role: 'DeploymentSafetyHealthMonitorAlarmEventFunctionRole', action: 'dynamodb:PutItem', resource: /RollbackLedg/, why: 'the first mark of an environment with no bake running; the exercise always has one' },
  ...['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem', 'codebuild:StartBuild', 'codebuild:BatchGetBuilds'].map((action) => ({ role: 'PollerRole', action, resource: /^arn:aws:(dynamodb|codebuild):/, why: NO_WORK_ITEM })),
  { role: 'BuildEndRole', action: 'dynamodb:UpdateItem', resource: /^arn:aws:dynamodb:/, why: NO_WORK_ITEM },
];

const CLI_ONLY = 'only a kiro-cd command sends it; the exercise runs the deployed functions, not the CLI (no operator policy to simulate against yet)';

/** Command classes the runtime code imports that the exercise never sends, and why. */
export const UNEXERCISED_COMMANDS: Readonly<Record<string, string>> = {
  'CloudFormation:ListStackResources': CLI_ONLY,
  'CloudWatch:PutMetricData': CLI_ONLY,
  'SFN:SendTaskSuccess': CLI_ONLY,
  'SFN:SendTaskHeartbeat': 'only kiro-cd approve/reject send it, with an impossible token, to tell an endpoint that serves task tokens from one that does not (src/cli/aws/task-token-probe.ts)',
  'CodeBuild:StartBuild': NO_WORK_ITEM,
  'CodeBuild:BatchGetBuilds': 'the exercise leaves the work-item table empty, so the sweep finds no unfinished build to look up',
  'CodePipeline:GetPipelineExecution': NO_CODEPIPELINE,
  'CodePipeline:GetPipelineState': NO_CODEPIPELINE,
  'CodePipeline:RollbackStage': NO_CODEPIPELINE,
  'CodePipeline:StartPipelineExecution': NO_CODEPIPELINE,
};
