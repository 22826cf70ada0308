/**
 * The pipeline stack: the CodePipeline V2 pipeline that takes the worker from a push on `main` to
 * production, with its artifact storage and approval topic. It plans (planPipeline), creates the
 * pipeline, and hands the plan to the renderer, the permissions and the acknowledgements
 * (constructs/pipeline/), in that order.
 */
import { RemovalPolicy, Stack, type StackProps, aws_codepipeline as codepipeline, aws_kms as kms, aws_sns as sns, aws_sns_subscriptions as subscriptions, type aws_stepfunctions as sfn } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { planPipeline } from '../../../src/pipeline/domain/plan/pipeline-plan.js';
import type { PipelinePlan } from '../../../src/pipeline/domain/plan/plan-types.js';
import { nativeAlarmConditionApplies } from '../../../src/pipeline/domain/plan/stage-conditions.js';
import type { DeploymentConfig } from '../../../src/shared/config/schema.js';
import { ConfigurationError } from '../../../src/shared/errors.js';
import { createArtifactStorage } from '../constructs/pipeline/artifact-storage.js';
import { acknowledgeGeneratedRoleFindings, acknowledgeHealthCheckExecutions } from '../constructs/pipeline/generated-role-acknowledgements.js';
import { allowAlarmRules, allowConnectionUse, narrowReplicationKeyGrant, type HistoryTableReference, type ReplicationBucket } from '../constructs/pipeline/pipeline-permissions.js';
import { renderPipelinePlan, type EnvironmentStageFactory } from '../constructs/pipeline/render-pipeline-plan.js';

/** Properties of {@link PipelineStack}. */
export interface PipelineStackProps extends StackProps {
  /** The validated configuration (`loadDeploymentConfig()`). */
  readonly config: DeploymentConfig;
  /** Builds each environment's two stages (the worker's InfrastructureStage and ApplicationStage). */
  readonly environmentStages: EnvironmentStageFactory;
  /**
   * The deployment-history table that change detection reads the last deployed commit from.
   * @default none: every run counts as a first deployment, so infrastructure always deploys
   */
  readonly historyTable?: HistoryTableReference;
  /**
   * The topic that announces the production approval.
   * @default a KMS-encrypted topic of this stack, subscribed to the pipeline's notification e-mails
   */
  readonly approvalTopic?: sns.ITopic;
  /**
   * The artifact bucket of each region other than the pipeline's where an environment deploys
   * (ArtifactReplicationStack).
   * @default CDK creates them in support stacks, which do not pass the policy gates
   */
  readonly artifactReplicationBuckets?: Readonly<Record<string, ReplicationBucket>>;
  /**
   * The health-monitor state machine run after each application deployment.
   * @default no health-check action; the stage's CloudWatchAlarm on-success condition still applies
   */
  readonly healthMonitor?: sfn.IStateMachine;
}

/**
 * The CodePipeline V2 pipeline that takes the worker from a push on `main` to production: rendered
 * from {@link planPipeline} with CDK Pipelines on a V2 pipeline this stack creates, then completed
 * with what CDK Pipelines does not expose (stage conditions, the push trigger).
 */
export class PipelineStack extends Stack {
  /** The plan this stack rendered. */
  readonly plan: PipelinePlan;
  /** The underlying V2 pipeline. */
  readonly pipeline: codepipeline.Pipeline;
  /** The topic that announces approvals. */
  readonly approvalTopic: sns.ITopic;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    const { config } = props;
    super(scope, id, { ...props, env: { account: config.pipeline.account, region: config.pipeline.region } });
    // Let S3 server access logging use a bucket policy instead of the legacy LogDeliveryWrite ACL,
    // so the log bucket can enforce bucket-owner object ownership (ACLs disabled).
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const unwatched = config.environments.filter((environment) => !nativeAlarmConditionApplies(environment, config.pipeline));
    if (props.healthMonitor === undefined && unwatched.length > 0) {
      throw new ConfigurationError(
        `environment "${unwatched[0]?.name ?? ''}" is in account ${unwatched[0]?.account ?? ''}, not the pipeline's ${config.pipeline.account}: CodePipeline's CloudWatchAlarm condition reads only the pipeline account's alarms, so only the health monitor can roll it back on a critical alarm. Pass healthMonitor to PipelineStack (buildKiroCdApp does), or deploy the environment into the pipeline's account.`,
        { environment: unwatched[0]?.name },
      );
    }
    this.plan = planPipeline(config, {
      healthMonitor: props.healthMonitor !== undefined,
      ...(props.historyTable === undefined ? {} : { historyTableName: props.historyTable.tableName }),
    });

    const storage = createArtifactStorage(this, { pipelineName: config.pipeline.name, retentionDays: config.pipeline.logRetentionDays });

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: this.plan.pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      executionMode: codepipeline.ExecutionMode[this.plan.executionMode],
      // CodePipeline takes either one artifact bucket or one per region, the pipeline's own included.
      ...(props.artifactReplicationBuckets === undefined
        ? { artifactBucket: storage.bucket }
        : {
            crossRegionReplicationBuckets: {
              ...Object.fromEntries(Object.entries(props.artifactReplicationBuckets).map(([region, replica]) => [region, replica.bucket])),
              [config.pipeline.region]: storage.bucket,
            },
          }),
      restartExecutionOnUpdate: true,
      variables: this.plan.variables.map((variable) => new codepipeline.Variable({ variableName: variable.name, defaultValue: variable.defaultValue, description: variable.description })),
    });

    this.approvalTopic = props.approvalTopic ?? this.createApprovalTopic(config);

    const rendered = renderPipelinePlan(this, {
      plan: this.plan,
      pipeline: this.pipeline,
      environments: config.environments,
      environmentStages: props.environmentStages,
      buildLogs: storage.buildLogs,
      approvalTopic: this.approvalTopic,
      ...(props.historyTable === undefined ? {} : { historyTable: props.historyTable }),
      ...(props.healthMonitor === undefined ? {} : { healthMonitor: props.healthMonitor }),
    });
    allowConnectionUse(this.pipeline, this.plan, rendered.sourceConsumers);
    if (props.artifactReplicationBuckets !== undefined) narrowReplicationKeyGrant(this.pipeline, props.artifactReplicationBuckets);
    allowAlarmRules(this.pipeline, this.plan);
    acknowledgeGeneratedRoleFindings(this, storage.bucket, rendered.cdkPipeline);
    if (props.healthMonitor !== undefined) acknowledgeHealthCheckExecutions(this.pipeline, this.plan, props.healthMonitor);
  }

  private createApprovalTopic(config: DeploymentConfig): sns.Topic {
    const key = new kms.Key(this, 'ApprovalTopicKey', {
      description: 'Encrypts the approval notifications of the pipeline',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const topic = new sns.Topic(this, 'ApprovalTopic', { masterKey: key, enforceSSL: true });
    for (const email of config.pipeline.notifications.emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
    return topic;
  }
}
