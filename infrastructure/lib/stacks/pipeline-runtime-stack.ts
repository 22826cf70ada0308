import { Stack, type StackProps } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { DeploymentConfig, EnvironmentName } from '../../../src/shared/config/schema.js';
import { DeliveryDashboard } from '../constructs/observability/delivery-dashboard.js';
import { DeploymentHistoryTable } from '../constructs/observability/deployment-history-table.js';
import { NotificationTopics } from '../constructs/observability/notification-topics.js';
import { PipelineEventFunctions } from '../constructs/observability/pipeline-event-functions.js';
import { DeploymentSafety } from '../constructs/health-monitor/deployment-safety.js';
import { OperatorPolicy } from '../constructs/operator-policy.js';
import { cloudWatchLogsKeyStatement, grantsOnlyForAwsServicesStatement } from '../constructs/kms-key-policy.js';

/** Properties of {@link PipelineRuntimeStack}. */
export interface PipelineRuntimeStackProps extends StackProps {
  /** The validated configuration (`loadDeploymentConfig()`). */
  readonly config: DeploymentConfig;
}

/**
 * The runtime resources in the pipeline's account: a KMS key with rotation, the deployment-history
 * table, the notification topics, the Lambdas fed by CodePipeline's events, the delivery dashboard
 * and the pipeline alarms. Other constructs (health monitor, rollback) join this stack and use the
 * public properties below.
 */
export class PipelineRuntimeStack extends Stack {
  /** Customer-managed key (rotation on) for everything this stack stores. */
  readonly key: kms.Key;
  readonly historyTable: dynamodb.Table;
  /** Every notice; the pipeline alarms' action. */
  readonly teamTopic: sns.Topic;
  readonly environmentTopics: Readonly<Partial<Record<EnvironmentName, sns.Topic>>>;
  readonly events: PipelineEventFunctions;
  readonly delivery: DeliveryDashboard;
  /** Health monitor, rollback orchestrator and their ledger (docs/health-monitor.md, docs/rollback.md). */
  readonly deploymentSafety: DeploymentSafety;
  /** The health monitor's state machine, for PipelineStack's `healthMonitor` prop. */
  readonly healthMonitor: sfn.IStateMachine;
  /** `<pipeline>-operator`: what an on-call engineer needs to run kiro-cd (docs/cli.md). */
  readonly operatorPolicy: OperatorPolicy;

  constructor(scope: Construct, id: string, props: PipelineRuntimeStackProps) {
    super(scope, id, props);
    const { pipeline, environments } = props.config;
    this.key = new kms.Key(this, 'Key', {
      description: `${pipeline.name} pipeline runtime: history, topics, queues, logs`,
      enableKeyRotation: true,
    });
    this.allowServicesToUseKey();

    this.historyTable = new DeploymentHistoryTable(this, 'History', { key: this.key }).table;
    const topics = new NotificationTopics(this, 'Notifications', { pipeline, environments, key: this.key });
    this.teamTopic = topics.teamTopic;
    this.environmentTopics = topics.environmentTopics;
    this.events = new PipelineEventFunctions(this, 'PipelineEvents', {
      pipelineName: pipeline.name,
      key: this.key,
      historyTable: this.historyTable,
      teamTopic: this.teamTopic,
      environmentTopics: this.environmentTopics,
      logRetentionDays: pipeline.logRetentionDays,
      github: { owner: pipeline.source.owner, repository: pipeline.source.repository, tokenSecret: pipeline.githubTokenSecret },
    });
    this.delivery = new DeliveryDashboard(this, 'Delivery', {
      pipelineName: pipeline.name,
      environments,
      teamTopic: this.teamTopic,
      deadLetterQueue: this.events.deadLetterQueue,
    });
    this.deploymentSafety = new DeploymentSafety(this, 'DeploymentSafety', {
      config: props.config,
      key: this.key,
      historyTable: this.historyTable,
      teamTopic: this.teamTopic,
      environmentTopics: this.environmentTopics,
    });
    this.healthMonitor = this.deploymentSafety.stateMachine;
    this.operatorPolicy = new OperatorPolicy(this, 'Operator', {
      pipelineName: pipeline.name,
      environments: environments.map((environment) => environment.name),
      historyTable: this.historyTable,
      ledgerTable: this.deploymentSafety.ledgerTable,
      teamTopic: this.teamTopic,
      key: this.key,
      healthMonitorName: `${pipeline.name}-health-monitor`,
    });
  }

  /**
   * CloudWatch Logs encrypts the log groups; EventBridge and CloudWatch alarms publish to the
   * encrypted topics and queue, AWS CodeStar Notifications to the topics. Explicit actions only.
   */
  private allowServicesToUseKey(): void {
    this.key.addToResourcePolicy(cloudWatchLogsKeyStatement(this, { sid: 'CloudWatchLogs' }));
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'PublishersToTopicsAndQueues',
        principals: ['events.amazonaws.com', 'cloudwatch.amazonaws.com', 'codestar-notifications.amazonaws.com'].map((service) => new iam.ServicePrincipal(service)),
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    this.key.addToResourcePolicy(grantsOnlyForAwsServicesStatement());
  }
}
