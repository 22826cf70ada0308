import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { Construct } from 'constructs';
import { encryptedFunction } from '../encrypted-function.js';
import type { WorkerCoreReferences } from './worker-core-references.js';
import { POLLER_ENVIRONMENT } from '../../../../src/worker/domain/build-environment.js';
import { WORK_ITEMS_TABLE_KEYS } from '../../../../src/worker/domain/table-keys.js';

const POLLER_ENTRY = fileURLToPath(new URL('../../../../src/worker/handlers/poller.ts', import.meta.url));

/** Properties of {@link WorkerPoller}. */
export interface WorkerPollerProps extends WorkerCoreReferences {
  readonly stackPrefix: string;
  /** The project that runs customers' commands: the poller starts its builds and reads them back for the sweep. */
  readonly implementationProjectName: string;
  readonly implementationProjectArn: string;
  /** The buildspec every implementation build runs (StartBuild's `buildspecOverride`). */
  readonly implementationBuildspec: string;
  /** How long a lock lives: long enough to start and record a build. */
  readonly leaseDuration: Duration;
  /** Unfinished items older than this are checked against CodeBuild by the sweep (the build timeout). */
  readonly sweepAfter: Duration;
  /**
   * Builds started per invocation at most (the poller pages past busy items until it has started these).
   * @default 10
   */
  readonly maxBuildsPerCycle?: number;
  /**
   * Lambda timeout (the poller-duration alarm fires at 80 % of it).
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
}

/**
 * The work-item poller Lambda (esbuild from node_modules, no Docker) with its own role holding only
 * explicit actions on the environment's tables, the implementation project, the key and the log group, published as a new
 * version on every code change behind the alias `live`.
 */
export class WorkerPoller extends Construct {
  readonly function: NodejsFunction;
  readonly alias: lambda.Alias;
  readonly timeout: Duration;

  constructor(scope: Construct, id: string, props: WorkerPollerProps) {
    super(scope, id);
    this.timeout = props.timeout ?? Duration.seconds(60);
    const statements = [
      new iam.PolicyStatement({ sid: 'FindReadyItems', actions: ['dynamodb:Query'], resources: [`${props.workItemsTableArn}/index/${WORK_ITEMS_TABLE_KEYS.statusIndexName}`] }),
      new iam.PolicyStatement({ sid: 'RecordBuilds', actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'], resources: [props.workItemsTableArn] }),
      new iam.PolicyStatement({ sid: 'TakeAndReleaseLocks', actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], resources: [props.lockTableArn] }),
      new iam.PolicyStatement({ sid: 'StartImplementationBuilds', actions: ['codebuild:StartBuild'], resources: [props.implementationProjectArn] }),
      new iam.PolicyStatement({ sid: 'SweepImplementationBuilds', actions: ['codebuild:BatchGetBuilds'], resources: [props.implementationProjectArn] }),
      new iam.PolicyStatement({ sid: 'UseKey', actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], resources: [props.key.keyArn] }),
    ];
    this.function = encryptedFunction(this, 'Function', {
      entry: POLLER_ENTRY,
      description: `Kiro worker poller (${props.stackPrefix}): starts an implementation build per ready work item`,
      roleDescription: 'Kiro worker poller: lock ready work items and start their builds',
      key: props.key,
      timeout: this.timeout,
      environment: {
        [POLLER_ENVIRONMENT.workItemsTable]: props.workItemsTableName,
        [POLLER_ENVIRONMENT.lockTable]: props.lockTableName,
        [POLLER_ENVIRONMENT.projectName]: props.implementationProjectName,
        [POLLER_ENVIRONMENT.buildspec]: props.implementationBuildspec,
        [POLLER_ENVIRONMENT.stackPrefix]: props.stackPrefix,
        [POLLER_ENVIRONMENT.leaseSeconds]: String(props.leaseDuration.toSeconds()),
        [POLLER_ENVIRONMENT.maxBuildsPerCycle]: String(props.maxBuildsPerCycle ?? 10),
        [POLLER_ENVIRONMENT.sweepAfterSeconds]: String(props.sweepAfter.toSeconds()),
      },
      statements,
      // Created by the core stack, which outlives the application stack.
      logGroupName: props.logGroupName,
      noVpcReason:
        'The poller reaches only the DynamoDB and CodeBuild regional endpoints with IAM-authorised calls; it has no private resource to reach, so a VPC would add NAT cost and no protection.',
      roleId: 'Role',
      logGroupId: 'LogGroup',
    });
    // Lambda retries a failed asynchronous invocation twice by default, whatever the EventBridge target
    // says; a retried cycle would overlap the next and triple one fault's errors. Faults are contained in
    // the cycle and the next schedule tick is the retry.
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html
    this.alias = new lambda.Alias(this, 'LiveAlias', { aliasName: 'live', version: this.function.currentVersion, retryAttempts: 0 });
  }
}
