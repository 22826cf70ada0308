import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { cloudWatchLogsKeyStatement, grantsOnlyForAwsServicesStatement } from '../kms-key-policy.js';
import { acknowledgeLogStreamWildcard } from './log-stream-acknowledgement.js';
import { refusingBuildspec } from '../../../../src/worker/domain/implementation-buildspec.js';

/**
 * Administration of the project's key by the account, without any use of it (no Encrypt, Decrypt,
 * GenerateDataKey, ReEncrypt or CreateGrant): the account root principal in a key policy is what lets
 * IAM policies delegate an action (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html),
 * so leaving the use actions out of it means no IAM policy in the account can grant them.
 */
const ADMINISTRATION_ACTIONS = [
  'kms:CancelKeyDeletion', 'kms:CreateAlias', 'kms:DeleteAlias', 'kms:DescribeKey', 'kms:DisableKey', 'kms:DisableKeyRotation',
  'kms:EnableKey', 'kms:EnableKeyRotation', 'kms:GetKeyPolicy', 'kms:GetKeyRotationStatus', 'kms:ListAliases', 'kms:ListGrants',
  'kms:ListKeyPolicies', 'kms:ListKeyRotations', 'kms:ListResourceTags', 'kms:PutKeyPolicy', 'kms:RevokeGrant', 'kms:RotateKeyOnDemand',
  'kms:ScheduleKeyDeletion', 'kms:TagResource', 'kms:UntagResource', 'kms:UpdateAlias', 'kms:UpdateKeyDescription',
];

/** What CodeBuild does with the project's key under the project's role (build output and its own encryption). */
const BUILD_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'];

/** Properties of {@link ImplementationProject}. */
export interface ImplementationProjectProps {
  readonly stackPrefix: string;
  /** Name of the log group the project creates and writes to, such as `/kiro-worker/<prefix>/implementation-builds`. */
  readonly logGroupName: string;
  readonly logRetention: logs.RetentionDays;
  /** Node.js version the project's own buildspec pins (the one CodeBuild runs everywhere in this project). */
  readonly nodeVersion: string;
  /**
   * Longest an implementation build may run: the customer command's deadline. A build that runs into
   * it ends TIMED_OUT and its item `failed`; no alarm watches this project's FailedBuilds.
   * @default Duration.minutes(60)
   */
  readonly timeout?: Duration;
  /**
   * Secrets the command needs, as `VARIABLE → Secrets Manager secret name or full ARN`: each becomes a
   * SECRETS_MANAGER environment variable (CodeBuild shows only the reference, never the value), and the
   * role may read exactly these secrets. Validated by the configuration schema.
   * @default no secrets
   */
  readonly secrets?: Readonly<Record<string, string>>;
}

/**
 * The CodeBuild project that runs a customer's implementation command (issue 13, item 9), apart from
 * the worker's credentials: a build can only use its own project's service role
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/setting-up-service-role.html), and this
 * role can write its own log group and read its configured secrets, nothing else: no table, no lock,
 * no key of the environment. Its logs and build output are encrypted with a key of its own, which only
 * this role (and CloudWatch Logs, for this log group) may use. There is no source: the command
 * fetches the item's branch itself, and the buildspec comes with each StartBuild from the poller.
 */
export class ImplementationProject extends Construct {
  readonly project: codebuild.Project;
  readonly role: iam.Role;
  readonly key: kms.Key;
  readonly logGroup: logs.LogGroup;
  /** Build timeout: the command's deadline, and when the sweep looks at an unfinished item. */
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: ImplementationProjectProps) {
    super(scope, id);
    this.timeout = props.timeout ?? Duration.minutes(60);
    const stack = Stack.of(this);
    const secrets = Object.entries(props.secrets ?? {});

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
      description: 'Kiro implementation builds (customer code): write their own logs and read their configured secrets, nothing else',
    });
    this.key = new kms.Key(this, 'Key', {
      alias: `alias/kiro-worker/${props.stackPrefix}/implementation`,
      description: 'Encrypts the Kiro implementation builds\' logs and output; usable only by their role and CloudWatch Logs',
      enableKeyRotation: true,
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({ sid: 'AccountAdministersWithoutUse', principals: [new iam.AccountRootPrincipal()], actions: ADMINISTRATION_ACTIONS, resources: ['*'] }),
          new iam.PolicyStatement({ sid: 'ImplementationBuildsUse', principals: [new iam.ArnPrincipal(this.role.roleArn)], actions: BUILD_KEY_ACTIONS, resources: ['*'] }),
          cloudWatchLogsKeyStatement(this, { sid: 'CloudWatchLogsOfImplementationBuilds', logGroupName: props.logGroupName }),
          grantsOnlyForAwsServicesStatement(),
        ],
      }),
    });
    this.logGroup = new logs.LogGroup(this, 'LogGroup', { logGroupName: props.logGroupName, encryptionKey: this.key, retention: props.logRetention });

    // Literal account and region (the stacks have explicit environments), so the cdk-nag acknowledgement names exactly this log group.
    const logStreams = stack.formatArn({ service: 'logs', resource: 'log-group', resourceName: `${props.logGroupName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'WriteOwnBuildLogs', actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logStreams] }));
    if (secrets.length > 0) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({ sid: 'ReadConfiguredSecrets', actions: ['secretsmanager:GetSecretValue'], resources: secrets.map(([, reference]) => secretArn(stack, reference)) }));
    }
    acknowledgeLogStreamWildcard(this.role, props.logGroupName);

    this.project = new codebuild.Project(this, 'Project', {
      description: `Kiro implementation builds (${props.stackPrefix}): one work item's command each, started by the poller`,
      // Immutable: CodeBuild's own grants (wildcard actions, the key in its resource policy) are not added.
      role: this.role.withoutPolicyUpdates(),
      timeout: this.timeout,
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL },
      environmentVariables: Object.fromEntries(secrets.map(([name, reference]) => [name, { type: codebuild.BuildEnvironmentVariableType.SECRETS_MANAGER, value: reference }])),
      logging: { cloudWatch: { logGroup: this.logGroup } },
      buildSpec: codebuild.BuildSpec.fromObject(JSON.parse(refusingBuildspec(props.nodeVersion)) as Record<string, unknown>),
    });
    // Set on the resource, not through `encryptionKey`, so CDK adds no grant of its own to the key policy.
    (this.project.node.defaultChild as codebuild.CfnProject).encryptionKey = this.key.keyArn;
    // CodeBuild checks the role when the project is created; make sure its policy exists first.
    this.project.node.addDependency(this.role);
  }
}

/**
 * The ARN a secret reference stands for: a full ARN as it is, a name with the six characters
 * Secrets Manager appends to every secret's ARN
 * (https://docs.aws.amazon.com/secretsmanager/latest/userguide/auth-and-access_iam-policies.html#auth-and-access_examples_wildcard).
 */
function secretArn(stack: Stack, reference: string): string {
  if (reference.startsWith('arn:')) return reference;
  return stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${reference}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}
