import { fileURLToPath } from 'node:url';
import { Duration, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CODEPIPELINE_DETAIL_TYPES } from '../../../../src/pipeline/domain/history/codepipeline-event.js';
import { HISTORY_TABLE } from '../../../../src/pipeline/domain/history/table-keys.js';
import {
  COMMIT_STATUS_ENVIRONMENT,
  DORA_PUBLISHER_ENVIRONMENT,
  NOTIFIER_ENVIRONMENT,
  RECORDER_ENVIRONMENT,
} from '../../../../src/pipeline/handlers/pipeline-event-environment.js';
import type { EnvironmentName } from '../../../../src/shared/config/schema.js';
import { acknowledgeGuardRule } from '../../policy/acknowledge.js';
import { encryptedFunction } from '../encrypted-function.js';
import { retentionDays } from '../log-retention.js';

const handlerEntry = (name: string): string => fileURLToPath(new URL(`../../../../src/pipeline/handlers/${name}.ts`, import.meta.url));


/** Properties of {@link PipelineEventFunctions}. */
export interface PipelineEventFunctionsProps {
  readonly pipelineName: string;
  readonly key: kms.IKey;
  readonly historyTable: dynamodb.ITable;
  readonly teamTopic: sns.ITopic;
  readonly environmentTopics: Readonly<Partial<Record<EnvironmentName, sns.ITopic>>>;
  /** Log retention of the functions' log groups in days (configuration `pipeline.logRetentionDays`). */
  readonly logRetentionDays: number;
  /** The repository whose commits get a status per environment, and the token's secret (name or ARN). */
  readonly github: { readonly owner: string; readonly repository: string; readonly tokenSecret: string };
  /**
   * How often the DORA measures are recomputed.
   * @default Duration.hours(1)
   */
  readonly doraInterval?: Duration;
}

interface FunctionSpec {
  readonly id: string;
  readonly entry: string;
  readonly description: string;
  readonly environment: Record<string, string>;
  readonly statements: readonly iam.PolicyStatement[];
  readonly timeout: Duration;
}

/**
 * The Lambdas fed by CodePipeline's EventBridge events (recorder, notifier) and the scheduled DORA
 * publisher, each with its own role of explicit actions on named resources, a KMS-encrypted log
 * group with the configured retention, and — for the recorder — a KMS-encrypted SQS dead-letter
 * queue that receives both events EventBridge could not deliver and events the function rejected.
 */
export class PipelineEventFunctions extends Construct {
  readonly recorder: NodejsFunction;
  readonly notifier: NodejsFunction;
  readonly doraPublisher: NodejsFunction;
  readonly commitStatus: NodejsFunction;
  readonly deadLetterQueue: sqs.Queue;
  readonly pipelineEventsRule: events.Rule;

  constructor(scope: Construct, id: string, props: PipelineEventFunctionsProps) {
    super(scope, id);
    const table = props.historyTable.tableArn;
    const indexArn = (name: string): string => `${table}/index/${name}`;
    const useKey = (...actions: string[]): iam.PolicyStatement => new iam.PolicyStatement({ sid: 'UseKey', actions, resources: [props.key.keyArn] });
    const topics: sns.ITopic[] = [props.teamTopic];
    for (const topic of Object.values(props.environmentTopics)) topics.push(topic);

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledgeGuardRule(
      this.deadLetterQueue,
      'sqs_dlq_check',
      'This queue is itself the dead-letter queue of the recorder and of the EventBridge targets; a person reads and redrives its messages, nothing consumes it automatically.',
    );

    this.recorder = this.function(props, {
      id: 'Recorder',
      entry: handlerEntry('record-pipeline-event'),
      description: 'Records CodePipeline events in the deployment history and publishes delivery metrics',
      environment: RECORDER_ENVIRONMENT.render({ historyTable: props.historyTable.tableName }),
      timeout: Duration.seconds(30),
      statements: [
        // UpdateItem keeps the per-execution summary item; GetItem reads the one record an action fact
        // may leave unchanged instead of querying the timeline (docs/history-summary.md).
        new iam.PolicyStatement({ sid: 'RecordFacts', actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query', 'dynamodb:UpdateItem'], resources: [table] }),
        useKey('kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'),
        new iam.PolicyStatement({ sid: 'DeadLetter', actions: ['sqs:SendMessage'], resources: [this.deadLetterQueue.queueArn] }),
      ],
    });
    // Function errors (a rejected event) are retried twice by Lambda, then land in the queue with
    // the error message as attributes; the target's own DLQ below only sees delivery failures.
    this.recorder.configureAsyncInvoke({ retryAttempts: 2, maxEventAge: Duration.hours(6) });
    const cfnRecorder = this.recorder.node.defaultChild as lambda.CfnFunction;
    cfnRecorder.deadLetterConfig = { targetArn: this.deadLetterQueue.queueArn };

    this.notifier = this.function(props, {
      id: 'Notifier',
      entry: handlerEntry('notify-pipeline-event'),
      description: 'Turns CodePipeline events into deployment notices on the SNS topics',
      environment: NOTIFIER_ENVIRONMENT.render({
        historyTable: props.historyTable.tableName,
        teamTopic: props.teamTopic.topicArn,
        environmentTopics: Stack.of(this).toJsonString(
          Object.fromEntries(Object.entries(props.environmentTopics).map(([name, topic]) => [name, topic.topicArn])),
        ),
      }),
      timeout: Duration.seconds(30),
      statements: [
        // GetItem reads the execution's summary item; Query its timeline when it has none yet (docs/history-summary.md).
        new iam.PolicyStatement({ sid: 'ReadSummary', actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [table] }),
        new iam.PolicyStatement({ sid: 'Notify', actions: ['sns:Publish'], resources: topics.map((topic) => topic.topicArn) }),
        useKey('kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKey'),
      ],
    });

    this.doraPublisher = this.function(props, {
      id: 'DoraPublisher',
      entry: handlerEntry('publish-delivery-metrics'),
      description: 'Computes the DORA measures from the deployment history and publishes them (EMF)',
      environment: DORA_PUBLISHER_ENVIRONMENT.render({ historyTable: props.historyTable.tableName, pipelineName: props.pipelineName }),
      timeout: Duration.seconds(60),
      statements: [
        new iam.PolicyStatement({ sid: 'ReadHistory', actions: ['dynamodb:Query'], resources: [indexArn(HISTORY_TABLE.indexes.byEnvironment.name)] }),
        useKey('kms:Decrypt', 'kms:DescribeKey'),
      ],
    });

    const stack = Stack.of(this);
    const secretArn = props.github.tokenSecret.startsWith('arn:')
      ? props.github.tokenSecret
      : // Secrets Manager appends six random characters to a secret's name in its ARN.
        `arn:${stack.partition}:secretsmanager:${stack.region}:${stack.account}:secret:${props.github.tokenSecret}-??????`;
    this.commitStatus = this.function(props, {
      id: 'CommitStatus',
      entry: handlerEntry('update-commit-status'),
      description: 'Sets the GitHub commit status per environment from CodePipeline stage events',
      environment: COMMIT_STATUS_ENVIRONMENT.render({
        historyTable: props.historyTable.tableName,
        githubOwner: props.github.owner,
        githubRepository: props.github.repository,
        githubTokenSecret: props.github.tokenSecret,
      }),
      timeout: Duration.seconds(60),
      statements: [
        // GetItem reads the execution's summary item for the commit; Query its timeline when it has none yet (docs/history-summary.md).
        new iam.PolicyStatement({ sid: 'ReadSummary', actions: ['dynamodb:GetItem', 'dynamodb:Query'], resources: [table] }),
        new iam.PolicyStatement({ sid: 'ReadGitHubToken', actions: ['secretsmanager:GetSecretValue'], resources: [secretArn] }),
        useKey('kms:Decrypt', 'kms:DescribeKey'),
      ],
    });

    this.pipelineEventsRule = new events.Rule(this, 'PipelineEvents', {
      description: `Every execution, stage and action state change of ${props.pipelineName}`,
      eventPattern: {
        source: ['aws.codepipeline'],
        detailType: Object.values(CODEPIPELINE_DETAIL_TYPES),
        detail: { pipeline: [props.pipelineName] },
      },
    });
    for (const fn of [this.recorder, this.notifier, this.commitStatus]) {
      this.pipelineEventsRule.addTarget(
        new targets.LambdaFunction(fn, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 8, maxEventAge: Duration.hours(6) }),
      );
    }
    new events.Rule(this, 'DoraSchedule', {
      description: 'Recompute the DORA measures',
      schedule: events.Schedule.rate(props.doraInterval ?? Duration.hours(1)),
      targets: [new targets.LambdaFunction(this.doraPublisher, { deadLetterQueue: this.deadLetterQueue, retryAttempts: 2 })],
    });
  }

  private function(props: PipelineEventFunctionsProps, spec: FunctionSpec): NodejsFunction {
    return encryptedFunction(this, spec.id, {
      entry: spec.entry,
      description: spec.description,
      key: props.key,
      timeout: spec.timeout,
      environment: spec.environment,
      statements: spec.statements,
      logGroupName: `/kiro-cd/${props.pipelineName}/${spec.id.toLowerCase()}`,
      logRetention: retentionDays(props.logRetentionDays),
      noVpcReason:
        'The function reaches only the DynamoDB and SNS regional endpoints with IAM-authorised calls; it has no private resource to reach, so a VPC would add NAT cost and no protection.',
    });
  }
}
