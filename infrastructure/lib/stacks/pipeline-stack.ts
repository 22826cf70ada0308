import {
  Arn,
  ArnFormat,
  Duration,
  RemovalPolicy,
  Stack,
  Token,
  type StackProps,
  type Stage,
  aws_codebuild as codebuild,
  aws_codepipeline as codepipeline,
  aws_iam as iam,
  aws_kms as kms,
  aws_logs as logs,
  aws_s3 as s3,
  aws_sns as sns,
  aws_sns_subscriptions as subscriptions,
  aws_stepfunctions as sfn,
  pipelines,
} from 'aws-cdk-lib';
import type { Construct, IConstruct } from 'constructs';
import { createRequire } from 'node:module';
import { HISTORY_TABLE } from '../../../src/pipeline/domain/history/table-keys.js';
import { PIPELINE_STAGES } from '../../../src/pipeline/domain/stage-names.js';
import { ConfigurationError } from '../../../src/shared/errors.js';
import type { DeploymentConfig, EnvironmentConfig } from '../../../src/shared/config/schema.js';
import { accessLogsBucket } from '../constructs/access-logs-bucket.js';
import { artifactBucket as artifactBucketOf } from '../constructs/artifact-bucket.js';
import { cloudWatchLogsKeyStatement, grantsOnlyForAwsServicesStatement } from '../constructs/kms-key-policy.js';
import { ManualApprovalWithTimeoutStep } from '../constructs/pipeline/manual-approval-with-timeout-step.js';
import { narrowKmsWildcardStatements, renderStageConditions, writeActionRoleArnsAsSub } from '../constructs/pipeline/l1-rewrites.js';
import { shellActionStep } from '../constructs/pipeline/shell-action-step.js';
import { StepFunctionsInvokeStep } from '../constructs/pipeline/step-functions-invoke-step.js';
import { acknowledgeLogStreamWildcard } from '../constructs/worker/log-stream-acknowledgement.js';
import { retentionDays } from '../constructs/log-retention.js';
import { acknowledgeGuardRule, acknowledgeNagFinding } from '../policy/acknowledge.js';
import { postDeploymentTestRoleArn } from '../../../src/pipeline/domain/plan/environment-roles.js';
import { ACTION_TIMEOUTS, CODEBUILD_NODE_VERSION, nativeAlarmConditionApplies, planPipeline, type PipelinePlan } from '../../../src/pipeline/domain/plan/pipeline-plan.js';
import { VARIABLE_REFERENCE, detectionActionName, PIPELINE_VARIABLES_NAMESPACE, SOURCE_VARIABLES_NAMESPACE } from '../../../src/pipeline/domain/pipeline-vocabulary.js';
import { dropUnusedAssetRoleBuildGrant } from '../constructs/pipeline/asset-role-scope.js';

/** The two CDK Stages that make up one environment: infrastructure first, then the application. */
export interface EnvironmentStages {
  /** Its construct id must be `infrastructureStageName(environment)`: CDK Pipelines names the stage after it. */
  readonly infrastructure: Stage;
  /** Its construct id must be `applicationStageName(environment)`. */
  readonly application: Stage;
}

/** Creates an environment's two stages inside the pipeline stack's scope. */
export type EnvironmentStageFactory = (scope: Construct, environment: EnvironmentConfig) => EnvironmentStages;

/** The deployment-history table, as much of it as the pipeline needs (fits `ITable` and `ITableV2`). */
export interface HistoryTableReference {
  readonly tableName: string;
  readonly tableArn: string;
  /** The table's customer key, when it has one. */
  readonly encryptionKey?: kms.IKey;
}

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
 * The CDK CLI that self-mutation and asset publishing install: the version this repository's
 * lock file pins, the one `npm run synth` and the tests use, instead of CDK Pipelines' default
 * `aws-cdk@2` (whatever is newest on the day of the run).
 */
export const CDK_CLI_VERSION = (createRequire(import.meta.url)('aws-cdk/package.json') as { readonly version: string }).version;

/** An artifact bucket in another region and the alias of its key (ArtifactReplicationStack). */
export interface ReplicationBucket {
  readonly bucket: s3.IBucket;
  /** The key's alias name (`alias/...`), fixed at synthesis. */
  readonly keyAliasName: string;
}

/** The CDK bootstrap qualifier whose roles the pipeline assumes in each environment account. */
const BOOTSTRAP_QUALIFIER = 'hnb659fds';

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

    const artifactKey = new kms.Key(this, 'ArtifactKey', {
      description: `Encrypts the artifacts of the ${config.pipeline.name} pipeline`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    artifactKey.addToResourcePolicy(grantsOnlyForAwsServicesStatement());
    // One log group for every CodeBuild action of the pipeline (Control Tower CT.CODEBUILD.PR.3),
    // encrypted with the artifact key and kept for the configured retention.
    const buildLogsName = `/aws/codebuild/${config.pipeline.name}-pipeline`;
    artifactKey.addToResourcePolicy(cloudWatchLogsKeyStatement(this, { sid: 'CloudWatchLogs', logGroupName: buildLogsName }));
    const buildLogs = new logs.LogGroup(this, 'BuildLogs', {
      logGroupName: buildLogsName,
      encryptionKey: artifactKey,
      retention: retentionDays(config.pipeline.logRetentionDays),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const accessLogs = accessLogsBucket(this, 'ArtifactAccessLogs', { expirationDays: config.pipeline.logRetentionDays });
    const artifactBucket = artifactBucketOf(this, 'ArtifactBucket', { encryptionKey: artifactKey, accessLogs, retentionDays: config.pipeline.logRetentionDays });

    this.pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      pipelineName: this.plan.pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      executionMode: codepipeline.ExecutionMode[this.plan.executionMode],
      // CodePipeline takes either one artifact bucket or one per region, the pipeline's own included.
      ...(props.artifactReplicationBuckets === undefined
        ? { artifactBucket }
        : {
            crossRegionReplicationBuckets: {
              ...Object.fromEntries(Object.entries(props.artifactReplicationBuckets).map(([region, replica]) => [region, replica.bucket])),
              [config.pipeline.region]: artifactBucket,
            },
          }),
      restartExecutionOnUpdate: true,
      variables: this.plan.variables.map((variable) => new codepipeline.Variable({ variableName: variable.name, defaultValue: variable.defaultValue, description: variable.description })),
    });

    this.approvalTopic = props.approvalTopic ?? this.createApprovalTopic(config);

    const source = pipelines.CodePipelineSource.connection(this.plan.source.repository, this.plan.source.branch, {
      connectionArn: this.plan.source.connectionArn,
      // The rollback's StartPipelineExecution names this action in sourceRevisions.
      actionName: this.plan.source.actionName,
      // A full clone keeps .git, so `git diff` in change detection sees the history.
      codeBuildCloneOutput: true,
      triggerOnPush: true,
    });

    const build = this.plan.stages.find((stage) => stage.kind === 'build');
    if (build?.kind !== 'build') throw new ConfigurationError('The pipeline plan has no Build stage; planPipeline() always adds it.');

    const synth = shellActionStep(build.action, {
      input: source,
      primaryOutputDirectory: 'cdk.out',
      rolePolicyStatements: [
        new iam.PolicyStatement({
          // PutMetricData has no resource-level permissions; the namespace condition narrows it.
          actions: ['cloudwatch:PutMetricData'],
          resources: ['*'],
          conditions: { StringEquals: { 'cloudwatch:namespace': 'KiroCD/Build' } },
        }),
      ],
    });

    const cdkPipeline = new pipelines.CodePipeline(this, 'CdkPipeline', {
      codePipeline: this.pipeline,
      synth,
      selfMutation: true,
      cliVersion: CDK_CLI_VERSION,
      publishAssetsInParallel: false,
      codeBuildDefaults: {
        buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
        logging: { cloudWatch: { logGroup: buildLogs } },
        // CDK Pipelines' own actions (self-mutation, asset publishing) run on the same Node.js as ours.
        partialBuildSpec: codebuild.BuildSpec.fromObject({ phases: { install: { 'runtime-versions': { nodejs: CODEBUILD_NODE_VERSION } } } }),
      },
      selfMutationCodeBuildDefaults: { timeout: Duration.minutes(ACTION_TIMEOUTS.selfMutation) },
      assetPublishingCodeBuildDefaults: { timeout: Duration.minutes(ACTION_TIMEOUTS.assetPublishing) },
    });

    const environmentOf = (name: string): EnvironmentConfig => {
      const environment = config.environments.find((candidate) => candidate.name === name);
      if (environment === undefined) throw new ConfigurationError(`No configuration for environment ${name}.`);
      return environment;
    };
    // Every change-detection action of the plan (the pipeline-wide stage and the window stages),
    // created up front so that conditions and summaries can refer to their variables.
    const detectSteps = new Map(
      this.plan.stages
        .flatMap((stage) => (stage.kind === 'change-detection' ? stage.actions : []))
        .map((action) => {
          const environment = config.environments.find((candidate) => detectionActionName(candidate.name) === action.name);
          if (environment === undefined) throw new ConfigurationError(`No environment for change-detection action ${action.name}.`);
          return [
            action.name,
            shellActionStep(action, {
              input: source,
              additionalInputs: { 'cdk.out': synth },
              rolePolicyStatements: this.detectionStatements(environment, props.historyTable),
            }),
          ] as const;
        }),
    );

    // One reference per variable: each exportedVariable() call makes a new output, and only the
    // ones a consuming step registers get a namespace, so conditions must reuse the consumers' one.
    const references = new Map<string, string>();
    const resolveVariable = (producer: string, name: string): string => {
      const key = `${producer}.${name}`;
      // Pipeline-level variables need no producing action.
      if (producer === PIPELINE_VARIABLES_NAMESPACE) return `#{${key}}`;
      const known = references.get(key);
      if (known !== undefined) return known;
      const step = detectSteps.get(producer);
      if (step === undefined) throw new ConfigurationError(`Condition refers to ${key}, but no action ${producer} exports it.`);
      const reference = step.exportedVariable(name);
      references.set(key, reference);
      return reference;
    };

    const resolvePlaceholders = (text: string): string =>
      text.replace(VARIABLE_REFERENCE, (_match, producer: string, name: string) => resolveVariable(producer, name));

    const environmentStages = new Map<string, EnvironmentStages>();
    const suiteSteps: pipelines.CodeBuildStep[] = [];
    for (const stage of this.plan.stages) {
      switch (stage.kind) {
        case 'build':
          break;
        case 'change-detection':
          cdkPipeline.addWave(stage.name, {
            pre: stage.actions.map((action) => {
              const step = detectSteps.get(action.name);
              if (step === undefined) throw new ConfigurationError(`No step for change-detection action ${action.name}.`);
              return step;
            }),
          });
          break;
        case 'approval':
          cdkPipeline.addWave(stage.name, {
            pre: [
              new ManualApprovalWithTimeoutStep('Approve', {
                timeout: Duration.minutes(stage.timeoutMinutes),
                notificationTopic: this.approvalTopic,
                additionalInformation: resolvePlaceholders(stage.summary),
              }),
            ],
          });
          break;
        case 'infrastructure': {
          const pair = props.environmentStages(this, environmentOf(stage.environment));
          environmentStages.set(stage.environment, pair);
          cdkPipeline.addStage(pair.infrastructure);
          break;
        }
        case 'application': {
          const pair = environmentStages.get(stage.environment);
          if (pair === undefined) throw new ConfigurationError(`${stage.name} comes before its infrastructure stage in the plan.`);
          const post: pipelines.Step[] = [];
          if (stage.healthCheck !== undefined && props.healthMonitor !== undefined) {
            post.push(new StepFunctionsInvokeStep(stage.healthCheck.name, { stateMachine: props.healthMonitor, input: stage.healthCheck.input }));
          }
          // No dependency between the two: the suite runs during the bake, and the stage fails (and
          // rolls back once, through its on-failure condition) when either of them fails.
          const suite = shellActionStep(stage.tests, {
            input: source,
            resolveValue: resolvePlaceholders,
            // The suite tests the environment through the role its application stack creates there.
            rolePolicyStatements: [new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [postDeploymentTestRoleArn(environmentOf(stage.environment))] })],
          });
          suiteSteps.push(suite);
          post.push(suite);
          cdkPipeline.addStage(pair.application, { post });
          break;
        }
      }
    }

    cdkPipeline.buildPipeline();
    dropUnusedAssetRoleBuildGrant(this);
    this.declareSourceNamespace();
    this.allowConnectionUse([synth, ...detectSteps.values(), ...suiteSteps]);
    this.writeActionRolesAsSub();
    if (props.artifactReplicationBuckets !== undefined) this.narrowReplicationKeyGrant(props.artifactReplicationBuckets);
    this.applyConditions(resolveVariable);
    this.addPushTrigger();
    this.allowAlarmRules();
    this.acknowledgeGeneratedRoleFindings(artifactBucket, cdkPipeline);
    if (props.healthMonitor !== undefined) this.acknowledgeHealthCheckExecutions(props.healthMonitor);
  }

  /**
   * The StepFunctions invoke action may describe and stop the executions it starts, named
   * `<action name>-<run id>`: the wildcard stays inside one state machine's executions. Only
   * acknowledged when the state machine's ARN is literal, so the finding names it in plain text.
   */
  private acknowledgeHealthCheckExecutions(healthMonitor: sfn.IStateMachine): void {
    if (Token.isUnresolved(healthMonitor.stateMachineArn)) return;
    const arn = Arn.split(healthMonitor.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME);
    for (const stage of this.plan.stages) {
      if (stage.kind !== 'application' || stage.healthCheck === undefined) continue;
      const executions = `arn:${arn.partition ?? this.partition}:states:${arn.region ?? this.region}:${arn.account ?? this.account}:execution:${arn.resourceName ?? ''}:${stage.healthCheck.name}*`;
      const role = this.pipeline.node.tryFindChild(stage.name)?.node.tryFindChild(stage.healthCheck.name)?.node.tryFindChild('CodePipelineActionRole');
      if (role === undefined) throw new ConfigurationError(`The health-check action ${stage.healthCheck.name} of ${stage.name} has no action role to scope.`);
      acknowledgeNagFinding(
        role,
        `AwsSolutions-IAM5[Resource::${executions}]`,
        'DescribeExecution/StopExecution on the executions this action starts of the one health-monitor state machine; CodePipeline names each execution per run, so no fixed ARN exists.',
      );
    }
  }

  /**
   * Accepts, role by role, the cdk-nag IAM5 findings on the roles CDK Pipelines generates whose
   * wildcard is inherent to the resource (each id names the exact resource; docs/policy-gates.md).
   * Everything else these roles hold is explicit, or narrowed in {@link detectionStatements}.
   */
  private acknowledgeGeneratedRoleFindings(artifactBucket: s3.Bucket, cdkPipeline: pipelines.CodePipeline): void {
    const bucketId = this.getLogicalId(artifactBucket.node.defaultChild as s3.CfnBucket);
    for (const role of this.node.findAll().filter((construct): construct is iam.Role => construct instanceof iam.Role)) {
      acknowledgeNagFinding(
        role,
        `AwsSolutions-IAM5[Resource::<${bucketId}.Arn>/*]`,
        "Object keys of this pipeline's own artifact bucket: CodePipeline names each artifact per execution, so no fixed key exists; the bucket holds nothing else and is KMS-encrypted with this pipeline's key.",
      );
    }
    for (const project of this.node.findAll().filter((construct): construct is codebuild.Project => construct instanceof codebuild.Project)) {
      if (project.role === undefined) continue;
      const projectId = this.getLogicalId(project.node.defaultChild as codebuild.CfnProject);
      acknowledgeLogStreamWildcard(project.role, `/aws/codebuild/<${projectId}>`);
      acknowledgeNagFinding(
        project.role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:${this.region}:${this.account}:report-group/<${projectId}>-*]`,
        'CodeBuild creates the report groups of a build itself, named <project>-<report>; the wildcard covers only report groups of this one project.',
      );
    }
    const synthRole = this.node.findAll().find((construct) => construct.node.path.endsWith('/Build/Synth/CdkBuildProject/Role'));
    if (synthRole !== undefined) {
      acknowledgeNagFinding(
        synthRole,
        'AwsSolutions-IAM5[Resource::*]',
        'cloudwatch:PutMetricData only, which supports no resource-level permission; the cloudwatch:namespace condition limits it to KiroCD/Build.',
      );
    }
    const selfMutationRole = cdkPipeline.selfMutationProject.role;
    if (selfMutationRole !== undefined) {
      acknowledgeNagFinding(
        selfMutationRole,
        'AwsSolutions-IAM5[Resource::*]',
        'cloudformation:DescribeStacks and s3:ListBucket that the CDK CLI runs during self-mutation to find the bootstrap stack and asset buckets, whose names are only known in the target accounts; both are read-only.',
      );
      acknowledgeGuardRule(
        defaultPolicyOf(selfMutationRole),
        'IAM_NO_STAR_RESOURCE',
        'CDK Pipelines grants cloudformation:DescribeStacks and s3:ListBucket on * so the CDK CLI can find the bootstrap stack and asset buckets of the target accounts during self-mutation; both are read-only.',
      );
      acknowledgeNagFinding(
        selfMutationRole,
        `AwsSolutions-IAM5[Resource::arn:*:iam::${this.account}:role/*]`,
        'sts:AssumeRole for cdk deploy of this stack, restricted by CDK Pipelines to roles tagged aws-cdk:bootstrap-role = deploy, file-publishing or image-publishing: only the CDK bootstrap roles.',
      );
    }
    const fileAssetsRole = this.node.findAll().find((construct) => construct.node.path.endsWith('/CdkPipeline/Assets/FileRole'));
    if (fileAssetsRole !== undefined) {
      acknowledgeNagFinding(
        fileAssetsRole,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${this.region}:${this.account}:log-group:/aws/codebuild/*]`,
        'CDK Pipelines shares this role among the asset-publishing projects it creates; it writes only to CodeBuild log groups, whose streams are named per build.',
      );
      acknowledgeNagFinding(
        fileAssetsRole,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:codebuild:${this.region}:${this.account}:report-group/*]`,
        'CDK Pipelines shares this role among the asset-publishing projects it creates; CodeBuild names their report groups per build.',
      );
    }
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

  /** Least-privilege statements of one change-detection action. */
  private detectionStatements(environment: EnvironmentConfig, historyTable?: HistoryTableReference): iam.PolicyStatement[] {
    const { account, region } = environment;
    const statements = [
      new iam.PolicyStatement({
        // `cdk diff` reads the deployed templates through the bootstrap roles of the environment.
        actions: ['sts:AssumeRole'],
        resources: [
          `arn:${this.partition}:iam::${account}:role/cdk-${BOOTSTRAP_QUALIFIER}-lookup-role-${account}-${region}`,
          `arn:${this.partition}:iam::${account}:role/cdk-${BOOTSTRAP_QUALIFIER}-deploy-role-${account}-${region}`,
        ],
      }),
    ];
    if (historyTable !== undefined) {
      statements.push(
        new iam.PolicyStatement({
          actions: ['dynamodb:GetItem', 'dynamodb:Query'],
          // The table and exactly the indexes the history adapter designs (table-keys.ts), no others.
          resources: [historyTable.tableArn, ...Object.values(HISTORY_TABLE.indexes).map((index) => `${historyTable.tableArn}/index/${index.name}`)],
        }),
      );
      if (historyTable.encryptionKey !== undefined) {
        statements.push(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [historyTable.encryptionKey.keyArn] }));
      }
    }
    return statements;
  }

  /**
   * CDK grants the pipeline role the KMS actions on the replication keys with `Resource: *`: a key
   * in another region cannot be named from this stack. Narrow it to the pipeline account's keys in
   * those regions that carry exactly those aliases (`kms:ResourceAliases`, KMS developer guide,
   * "Use aliases to control access to KMS keys").
   */
  private narrowReplicationKeyGrant(replicas: Readonly<Record<string, ReplicationBucket>>): void {
    const policy = this.pipeline.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (!(policy instanceof iam.CfnPolicy)) throw new ConfigurationError('The pipeline role has no default policy to narrow.');
    const keys = Object.keys(replicas).map((region) => `arn:${this.partition}:kms:${region}:${this.account}:key/*`);
    narrowKmsWildcardStatements(policy, keys, { 'ForAnyValue:StringEquals': { 'kms:ResourceAliases': Object.values(replicas).map((replica) => replica.keyAliasName) } });
    for (const replica of Object.values(replicas)) {
      acknowledgeNagFinding(
        this.pipeline.role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:s3:::${String(this.resolve(replica.bucket.bucketName))}/*]`,
        "Object keys of this pipeline's artifact bucket in another region: CodePipeline names each artifact per execution; the bucket holds nothing else.",
      );
    }
    for (const key of keys) {
      acknowledgeNagFinding(
        this.pipeline.role,
        `AwsSolutions-IAM5[Resource::${key.replace(`arn:${this.partition}`, 'arn:<AWS::Partition>')}]`,
        "The replication buckets' keys, which live in other regions and cannot be named from this stack: limited by condition to the keys carrying exactly their aliases (kms:ResourceAliases).",
      );
    }
  }

  /**
   * Declares the source action's variable namespace, which the health-check input and the approval
   * summary refer to (`#{SourceVariables.CommitId}`): CDK Pipelines declares none, and CodePipeline
   * resolves an action's variables only under a declared namespace.
   */
  private declareSourceNamespace(): void {
    const sourceStage = this.pipeline.stages[0];
    const sourceAction = sourceStage?.actions[0];
    if (sourceStage?.stageName !== PIPELINE_STAGES.source || sourceAction?.actionProperties.actionName !== this.plan.source.actionName) {
      throw new ConfigurationError(`The built pipeline does not start with the ${PIPELINE_STAGES.source} stage and its ${this.plan.source.actionName} action.`);
    }
    (this.pipeline.node.defaultChild as codepipeline.CfnPipeline).addPropertyOverride('Stages.0.Actions.0.Namespace', SOURCE_VARIABLES_NAMESPACE);
  }

  /**
   * The connection ARN may carry the service's new prefix (`codeconnections`), and IAM matches the
   * action's prefix to the resource's ("Connections rename", Developer Tools console user guide);
   * CDK grants only `codestar-connections:UseConnection`. Grant the new action as well, on the same
   * connection, to the roles that use it: the source action and the builds that clone through it.
   */
  private allowConnectionUse(consumers: readonly pipelines.CodeBuildStep[]): void {
    const statement = new iam.PolicyStatement({ actions: ['codeconnections:UseConnection'], resources: [this.plan.source.connectionArn] });
    // The pipeline creates the action's role when it binds the action, under the action's construct.
    const sourceRole = this.pipeline.node.tryFindChild(PIPELINE_STAGES.source)?.node.tryFindChild(this.plan.source.actionName)?.node.tryFindChild('CodePipelineActionRole');
    if (!(sourceRole instanceof iam.Role)) throw new ConfigurationError('The source action has no role to allow the connection to.');
    sourceRole.addToPrincipalPolicy(statement);
    for (const step of consumers) step.project.addToRolePolicy(statement);
  }

  /**
   * CDK Pipelines writes the CloudFormation execution role of each deploy action as an Fn::Join of
   * literals and pseudo parameters; CodePipeline's action schema (cfn-lint E3703) wants Fn::Sub.
   * The stages are rewritten when resolved, in CDK's resolution context, so every action CDK
   * Pipelines adds until synthesis is covered and nothing but the intrinsic's form changes.
   */
  private writeActionRolesAsSub(): void {
    writeActionRoleArnsAsSub(this.pipeline.node.defaultChild as codepipeline.CfnPipeline);
  }

  /**
   * Writes the plan's stage conditions into the built pipeline. CDK Pipelines exposes none, so they
   * go in as property overrides, at the index each stage ended up at (looked up, never assumed).
   */
  private applyConditions(resolveVariable: (producer: string, name: string) => string): void {
    const cfn = this.pipeline.node.defaultChild as codepipeline.CfnPipeline;
    const names = this.pipeline.stages.map((stage) => stage.stageName);
    for (const stage of this.plan.stages) {
      if (stage.kind === 'build') continue;
      const index = names.indexOf(stage.name);
      if (index < 0) throw new ConfigurationError(`Stage ${stage.name} of the plan is missing from the built pipeline (${names.join(', ')}).`);
      const rendered = renderStageConditions(stage.conditions, resolveVariable);
      for (const [slot, value] of Object.entries(rendered)) cfn.addPropertyOverride(`Stages.${index}.${slot}`, value);
    }
    for (const managed of this.plan.managedStages) {
      const index = names.indexOf(managed.name);
      if (index < 0) {
        if (managed.present === 'when-assets') continue;
        throw new ConfigurationError(`CDK Pipelines' stage ${managed.name} is missing from the built pipeline (${names.join(', ')}); its rollback condition has nowhere to go.`);
      }
      const rendered = renderStageConditions(managed.conditions, resolveVariable);
      for (const [slot, value] of Object.entries(rendered)) cfn.addPropertyOverride(`Stages.${index}.${slot}`, value);
    }
  }

  /** V2 trigger: pushes to the configured branch only, through the CodeStar connection source. */
  private addPushTrigger(): void {
    const sourceAction = this.pipeline.stages[0]?.actions[0];
    if (sourceAction === undefined) throw new ConfigurationError('The built pipeline has no source action to trigger on.');
    this.pipeline.addTrigger({
      providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
      gitConfiguration: { sourceAction, pushFilter: [{ branchesIncludes: [...this.plan.triggerBranches] }] },
    });
  }

  /** The CloudWatchAlarm rules run with the pipeline role: let it read exactly the alarms they name (all in this account). */
  private allowAlarmRules(): void {
    const alarmArns = this.plan.stages.flatMap((stage) =>
      (stage.kind === 'application' ? (stage.conditions.onSuccess?.rules ?? []) : []).flatMap((rule) =>
        rule.kind === 'cloudwatch-alarm' ? [`arn:${this.partition}:cloudwatch:${rule.region}:${this.account}:alarm:${rule.alarmName}`] : [],
      ),
    );
    if (alarmArns.length > 0) this.pipeline.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['cloudwatch:DescribeAlarms'], resources: alarmArns }));
  }
}

/** The inline default policy CDK gives a role, which carries the statements of its grants. */
function defaultPolicyOf(role: IConstruct): IConstruct {
  const policy = role.node.tryFindChild('DefaultPolicy');
  if (policy === undefined) throw new ConfigurationError(`${role.node.path} has no DefaultPolicy to carry the acknowledgement; acknowledge on the policy that holds the statement.`);
  return policy;
}
