import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { WORK_ITEMS_TABLE_KEYS } from '../../../src/worker/domain/table-keys.js';
import type { EnvironmentConfig } from '../../../src/shared/config/schema.js';
import { postDeploymentTestRoleName } from '../../../src/pipeline/domain/plan/environment-roles.js';
import { acknowledgeNagFinding } from '../policy/acknowledge.js';

/** Properties of {@link PostDeploymentTestAccess}. */
export interface PostDeploymentTestAccessProps {
  readonly environment: EnvironmentConfig;
  /** The pipeline's account, whose suite actions assume the role. */
  readonly pipelineAccount: string;
  /** The application stack's name (`<stackPrefix>-Application`), whose outputs the suites read. */
  readonly applicationStackName: string;
  readonly workItemsTableArn: string;
  readonly lockTableArn: string;
  readonly implementationProjectArn: string;
  /** The watched alarms' ARNs (critical and warning). */
  readonly alarmArns: readonly string[];
  /** The worker key that encrypts both tables. */
  readonly key: kms.IKey;
}

/**
 * What this environment's post-deployment suite (`postDeploymentTests`: integration, e2e or smoke;
 * test/deployed/) may do here, and nothing more: a role the pipeline account assumes. Every suite
 * reads the application stack's outputs and queries the ready work items; smoke (read-only, safe in
 * production) describes the tables, the implementation project and the alarms; integration and e2e
 * write their own fixture work item and its lock and start a worker build, which integration stops
 * and e2e follows (BatchGetBuilds names its status when it does not finish in time). The grants are
 * the calls the least-privilege proof records for each suite (test/iam/exercise-suites.ts), so the
 * production role cannot write work items or start builds. The suite runs in the pipeline account;
 * without this role every suite would be denied in a cross-account environment.
 */
function suiteStatements(props: PostDeploymentTestAccessProps, stack: Stack): iam.PolicyStatement[] {
  const suite = props.environment.postDeploymentTests;
  const common = [
    new iam.PolicyStatement({
      sid: 'ReadApplicationOutputs',
      actions: ['cloudformation:DescribeStacks'],
      // The stack id ends in a generated UUID; the name before it is fixed.
      resources: [stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${props.applicationStackName}/*` })],
    }),
    new iam.PolicyStatement({ sid: 'FindReadyItems', actions: ['dynamodb:Query'], resources: [`${props.workItemsTableArn}/index/${WORK_ITEMS_TABLE_KEYS.statusIndexName}`] }),
    new iam.PolicyStatement({ sid: 'UseKey', actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [props.key.keyArn] }),
  ];
  if (suite === 'smoke') {
    return [
      ...common,
      new iam.PolicyStatement({ sid: 'DescribeTables', actions: ['dynamodb:DescribeTable'], resources: [props.workItemsTableArn, props.lockTableArn] }),
      new iam.PolicyStatement({ sid: 'DescribeProject', actions: ['codebuild:BatchGetProjects'], resources: [props.implementationProjectArn] }),
      new iam.PolicyStatement({ sid: 'ReadAlarms', actions: ['cloudwatch:DescribeAlarms'], resources: [...props.alarmArns] }),
    ];
  }
  return [
    ...common,
    new iam.PolicyStatement({
      sid: 'PlayWorkItems',
      actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      resources: [props.workItemsTableArn],
    }),
    new iam.PolicyStatement({ sid: 'TakeAndReleaseLocks', actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [props.lockTableArn] }),
    new iam.PolicyStatement({
      sid: 'RunWorkerBuilds',
      actions: ['codebuild:StartBuild', suite === 'integration' ? 'codebuild:StopBuild' : 'codebuild:BatchGetBuilds'],
      resources: [props.implementationProjectArn],
    }),
  ];
}

export class PostDeploymentTestAccess extends Construct {
  readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: PostDeploymentTestAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.role = new iam.Role(this, 'Role', {
      roleName: postDeploymentTestRoleName(props.environment),
      assumedBy: new iam.AccountPrincipal(props.pipelineAccount),
      description: `Lets the ${props.pipelineAccount} pipeline's post-deployment suite test ${props.environment.name}`,
    });
    const statements = suiteStatements(props, stack);
    for (const statement of statements) this.role.addToPrincipalPolicy(statement);
    acknowledgeNagFinding(
      this.role,
      `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:${stack.region}:${stack.account}:stack/${props.applicationStackName}/*]`,
      'DescribeStacks on the one application stack: a stack ARN ends in an id CloudFormation generates at creation, so only the stack name can be fixed.',
    );
  }
}
