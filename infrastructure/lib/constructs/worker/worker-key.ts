import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { cloudWatchLogsKeyStatement, grantsOnlyForAwsServicesStatement } from '../kms-key-policy.js';

/**
 * Key administration and use for the account itself, listed action by action instead of CDK's
 * default `kms:*`, so the key policy holds no wildcard action. The account root principal lets IAM
 * policies in the account delegate use of the key (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 */
const ACCOUNT_ACTIONS = [
  'kms:CancelKeyDeletion', 'kms:CreateAlias', 'kms:CreateGrant', 'kms:Decrypt', 'kms:DeleteAlias', 'kms:DescribeKey',
  'kms:DisableKey', 'kms:DisableKeyRotation', 'kms:EnableKey', 'kms:EnableKeyRotation', 'kms:Encrypt',
  'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus',
  'kms:ListAliases', 'kms:ListGrants', 'kms:ListKeyPolicies', 'kms:ListKeyRotations', 'kms:ListResourceTags',
  'kms:PutKeyPolicy', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:RetireGrant', 'kms:RevokeGrant',
  'kms:RotateKeyOnDemand', 'kms:ScheduleKeyDeletion', 'kms:TagResource', 'kms:UntagResource', 'kms:UpdateAlias',
  'kms:UpdateKeyDescription',
];

/** Properties of {@link WorkerKey}. */
export interface WorkerKeyProps {
  /** Alias, such as `alias/kiro-worker/KiroWorker-Test`. */
  readonly alias: string;
}

/**
 * The environment's customer-managed KMS key, with yearly rotation, usable by the account's IAM
 * principals and by CloudWatch Logs of this region for this account's log groups only.
 */
export class WorkerKey extends Construct {
  /** The key. */
  readonly key: kms.Key;

  constructor(scope: Construct, id: string, props: WorkerKeyProps) {
    super(scope, id);
    const policy = new iam.PolicyDocument({
      statements: [
        new iam.PolicyStatement({
          sid: 'AccountAdministersAndDelegatesUse',
          principals: [new iam.AccountRootPrincipal()],
          actions: ACCOUNT_ACTIONS,
          // In a key policy "*" means "this key".
          resources: ['*'],
        }),
        cloudWatchLogsKeyStatement(this, { sid: 'CloudWatchLogsOfThisAccount' }),
        grantsOnlyForAwsServicesStatement(),
      ],
    });
    this.key = new kms.Key(this, 'Key', {
      alias: props.alias,
      description: 'Encrypts the Kiro CodeBuild Worker data: work items, locks, logs, artifacts, builds',
      enableKeyRotation: true,
      policy,
    });
  }
}
