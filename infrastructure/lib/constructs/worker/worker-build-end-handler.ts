import { fileURLToPath } from 'node:url';
import type { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { encryptedFunction } from '../encrypted-function.js';
import { POLLER_ENVIRONMENT } from '../../../../src/worker/domain/build-environment.js';
import { BUILD_STATE_CHANGE } from '../../../../src/worker/domain/build-state-event.js';

const ENTRY = fileURLToPath(new URL('../../../../src/worker/handlers/build-state-change.ts', import.meta.url));

/** Properties of {@link WorkerBuildEndHandler}. */
export interface WorkerBuildEndHandlerProps {
  readonly stackPrefix: string;
  readonly key: kms.IKey;
  readonly workItemsTableName: string;
  readonly workItemsTableArn: string;
  readonly lockTableName: string;
  readonly lockTableArn: string;
  /** The project whose builds carry work items. */
  readonly implementationProjectName: string;
  /** The log group it shares with the poller (created by the core stack). */
  readonly logGroupName: string;
  readonly timeout: Duration;
}

/**
 * The Lambda behind an EventBridge rule on the implementation project's "CodeBuild Build State Change"
 * events, every status: the work item follows its build (IN_PROGRESS → in-progress, SUCCEEDED → done,
 * any other end → failed) and the item's lock is released when the build ends. This is the worker's
 * bookkeeping, kept out of the customer's build. Events are best effort, so the poller's sweep does the
 * same from BatchGetBuilds. EventBridge retries a failed invocation (its default retry policy) and the
 * handler is idempotent.
 */
export class WorkerBuildEndHandler extends Construct {
  readonly function: NodejsFunction;
  readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: WorkerBuildEndHandlerProps) {
    super(scope, id);
    this.function = encryptedFunction(this, 'Function', {
      entry: ENTRY,
      description: `Kiro worker (${props.stackPrefix}): moves each work item along with its implementation build, and releases its lock`,
      roleDescription: 'Kiro worker build-state-change handler: record implementation builds\' progress and outcome on work items, release their locks',
      key: props.key,
      timeout: props.timeout,
      environment: {
        [POLLER_ENVIRONMENT.workItemsTable]: props.workItemsTableName,
        [POLLER_ENVIRONMENT.lockTable]: props.lockTableName,
        [POLLER_ENVIRONMENT.projectName]: props.implementationProjectName,
      },
      statements: [
        new iam.PolicyStatement({ sid: 'FollowBuilds', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [props.workItemsTableArn] }),
        new iam.PolicyStatement({ sid: 'ReleaseLocks', actions: ['dynamodb:DeleteItem'], resources: [props.lockTableArn] }),
        new iam.PolicyStatement({ sid: 'UseKey', actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [props.key.keyArn] }),
      ],
      logGroupName: props.logGroupName,
      noVpcReason: 'The handler reaches only the DynamoDB regional endpoint with IAM-authorised calls; it has no private resource to reach.',
      roleId: 'Role',
      logGroupId: 'LogGroup',
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: `Kiro worker (${props.stackPrefix}): implementation builds that started or ended`,
      eventPattern: {
        source: ['aws.codebuild'],
        detailType: [BUILD_STATE_CHANGE],
        detail: { 'project-name': [props.implementationProjectName] },
      },
      targets: [new targets.LambdaFunction(this.function)],
    });
  }
}
