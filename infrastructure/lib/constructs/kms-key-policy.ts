import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/**
 * What CloudWatch Logs needs to encrypt a log group with a key, explicit actions only
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
 */
export const CLOUDWATCH_LOGS_KEY_ACTIONS: readonly string[] = [
  'kms:Encrypt',
  'kms:Decrypt',
  'kms:ReEncryptFrom',
  'kms:ReEncryptTo',
  'kms:GenerateDataKey',
  'kms:GenerateDataKeyWithoutPlaintext',
  'kms:DescribeKey',
];

/** Properties of {@link cloudWatchLogsKeyStatement}. */
export interface CloudWatchLogsKeyStatementProps {
  /** The statement id; it names the statement in the key policy, so changing it changes the template. */
  readonly sid: string;
  /**
   * The log groups (of the scope's account and region) whose encryption context may use the key.
   * @default '*': every log group of the account in the region
   */
  readonly logGroupName?: string;
}

/**
 * The key-policy statement that lets CloudWatch Logs of the scope's region use the key, but only for
 * the named log groups of the scope's own account (the `aws:logs:arn` encryption context), so no other
 * account's log group can be encrypted with it.
 */
export function cloudWatchLogsKeyStatement(scope: IConstruct, props: CloudWatchLogsKeyStatementProps): iam.PolicyStatement {
  const { account, region, partition } = Stack.of(scope);
  return new iam.PolicyStatement({
    sid: props.sid,
    principals: [new iam.ServicePrincipal(`logs.${region}.amazonaws.com`)],
    actions: [...CLOUDWATCH_LOGS_KEY_ACTIONS],
    // In a key policy "*" means "this key".
    resources: ['*'],
    conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${partition}:logs:${region}:${account}:log-group:${props.logGroupName ?? '*'}` } },
  });
}

/**
 * The key-policy statement that denies `kms:CreateGrant` to everyone unless the grant is for an AWS
 * resource or the caller is an AWS service. Grants are how DynamoDB, CloudWatch Logs, CodePipeline and
 * CodeBuild use a key on a caller's behalf; nobody else may create one (Control Tower CT.KMS.PR.3).
 */
export function grantsOnlyForAwsServicesStatement(): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid: 'GrantsOnlyForAwsServices',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['kms:CreateGrant'],
    resources: ['*'],
    conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  });
}
