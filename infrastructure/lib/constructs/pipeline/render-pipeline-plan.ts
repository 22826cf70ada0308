/**
 * Renders the pipeline plan into CodePipeline with CDK Pipelines: the source, the build (the actions
 * beside the synth through build-stage-actions.ts), every
 * change-detection (the pipeline-wide one beside CDK Pipelines' asset publishing), approval,
 * infrastructure and application stage in plan order, then what CDK
 * Pipelines does not expose (the source's variable namespace, the stage conditions, the push
 * trigger, the deploy actions' role ARNs as Fn::Sub). Decides nothing: every layout decision is the
 * plan's (src/pipeline/domain/plan/).
 */
import { Duration, type Stack, type Stage, aws_codebuild as codebuild, aws_codepipeline as codepipeline, aws_iam as iam, type aws_logs as logs, type aws_sns as sns, type aws_stepfunctions as sfn, pipelines } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { createRequire } from 'node:module';
import { CODEBUILD_NODE_VERSION, DETECTION_TOOL_DIRECTORY } from '../../../../src/pipeline/domain/plan/codebuild-actions.js';
import type { PipelinePlan } from '../../../../src/pipeline/domain/plan/plan-types.js';
import { ACTION_TIMEOUTS } from '../../../../src/pipeline/domain/plan/time-budgets.js';
import { BUILD_VARIABLES_NAMESPACE, PIPELINE_VARIABLES_NAMESPACE, SOURCE_VARIABLES_NAMESPACE, VARIABLE_REFERENCE, detectionActionName } from '../../../../src/pipeline/domain/pipeline-vocabulary.js';
import { PIPELINE_STAGES } from '../../../../src/pipeline/domain/stage-names.js';
import type { EnvironmentConfig } from '../../../../src/shared/config/schema.js';
import { ConfigurationError } from '../../../../src/shared/errors.js';
import { renderStageConditions, writeActionRoleArnsAsSub } from './l1-rewrites.js';
import { ManualApprovalWithTimeoutStep } from './manual-approval-with-timeout-step.js';
import { acknowledgeBuildMetricsWildcard, acknowledgePipelineStackTemplateArns, besideSynthStatements, buildActionStatements, detectionStatements, suiteStatements, type HistoryTableReference, type SourceConsumer } from './pipeline-permissions.js';
import { addActionsBesideSynth } from './build-stage-actions.js';
import { shellActionStep } from './shell-action-step.js';
import { StepFunctionsInvokeStep } from './step-functions-invoke-step.js';

/** The two CDK Stages that make up one environment: infrastructure first, then the application. */
export interface EnvironmentStages {
  /** Its construct id must be `infrastructureStageName(environment)`: CDK Pipelines names the stage after it. */
  readonly infrastructure: Stage;
  /** Its construct id must be `applicationStageName(environment)`. */
  readonly application: Stage;
}

/** Creates an environment's two stages inside the pipeline stack's scope. */
export type EnvironmentStageFactory = (scope: Construct, environment: EnvironmentConfig) => EnvironmentStages;

/**
 * The CDK CLI that self-mutation and asset publishing install: the version this repository's
 * lock file pins, the one `npm run synth` and the tests use, instead of CDK Pipelines' default
 * `aws-cdk@2` (whatever is newest on the day of the run).
 */
export const CDK_CLI_VERSION = (createRequire(import.meta.url)('aws-cdk/package.json') as { readonly version: string }).version;

/** What {@link renderPipelinePlan} renders, and into what. */
export interface RenderPipelinePlanProps {
  /** The plan to render. */
  readonly plan: PipelinePlan;
  /** The V2 pipeline, created by the stack, that CDK Pipelines builds into. */
  readonly pipeline: codepipeline.Pipeline;
  /** The environments of the configuration the plan was made from. */
  readonly environments: readonly EnvironmentConfig[];
  /** Builds each environment's two stages (the worker's InfrastructureStage and ApplicationStage). */
  readonly environmentStages: EnvironmentStageFactory;
  /** The log group of every CodeBuild action. */
  readonly buildLogs: logs.ILogGroup;
  /** The topic that announces approvals. */
  readonly approvalTopic: sns.ITopic;
  /**
   * The deployment-history table that change detection reads.
   * @default change detection gets no access to a history table
   */
  readonly historyTable?: HistoryTableReference;
  /**
   * The health-monitor state machine run after each application deployment.
   * @default no health-check action
   */
  readonly healthMonitor?: sfn.IStateMachine;
}

/** The CDK Pipelines objects the stack completes after rendering (permissions, acknowledgements). */
export interface RenderedPipeline {
  /** The CDK Pipelines pipeline, already built. */
  readonly cdkPipeline: pipelines.CodePipeline;
  /** Every CodeBuild project that clones the source through the connection (CDK Pipelines steps and the Build's other actions). */
  readonly sourceConsumers: readonly SourceConsumer[];
}

/** Renders `props.plan` into `props.pipeline` within `scope` and builds it. */
export function renderPipelinePlan(scope: Stack, props: RenderPipelinePlanProps): RenderedPipeline {
  const { plan, pipeline } = props;
  const source = pipelines.CodePipelineSource.connection(plan.source.repository, plan.source.branch, {
    connectionArn: plan.source.connectionArn,
    // The rollback's StartPipelineExecution names this action in sourceRevisions.
    actionName: plan.source.actionName,
    // A full clone keeps .git, so `git diff` in change detection sees the history.
    codeBuildCloneOutput: true,
    triggerOnPush: true,
  });

  const build = plan.stages.find((stage) => stage.kind === 'build');
  if (build?.kind !== 'build') throw new ConfigurationError('The pipeline plan has no Build stage; planPipeline() always adds it.');
  const synth = shellActionStep(build.action, { input: source, primaryOutputDirectory: 'cdk.out', rolePolicyStatements: buildActionStatements(scope, props.environments, props.historyTable) });
  // The Build's second output: the bundled change detection and the CDK CLI, so the Detect actions need no npm ci.
  const detectionTool = synth.addOutputDirectory(DETECTION_TOOL_DIRECTORY);

  const cdkPipeline = new pipelines.CodePipeline(scope, 'CdkPipeline', {
    codePipeline: pipeline,
    synth,
    selfMutation: true,
    cliVersion: CDK_CLI_VERSION,
    publishAssetsInParallel: false,
    // One CREATE_UPDATE action per stack instead of a change set prepared, then executed (plan-types.ts, StackDeployment).
    useChangeSets: plan.stackDeployment === 'change-set',
    codeBuildDefaults: {
      buildEnvironment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      logging: { cloudWatch: { logGroup: props.buildLogs } },
      // CDK Pipelines' own actions (self-mutation, asset publishing) run on the same Node.js as ours.
      partialBuildSpec: codebuild.BuildSpec.fromObject({ phases: { install: { 'runtime-versions': { nodejs: CODEBUILD_NODE_VERSION } } } }),
    },
    selfMutationCodeBuildDefaults: { timeout: Duration.minutes(ACTION_TIMEOUTS.selfMutation) },
    assetPublishingCodeBuildDefaults: { timeout: Duration.minutes(ACTION_TIMEOUTS.assetPublishing) },
  });

  const environmentOf = (name: string): EnvironmentConfig => {
    const environment = props.environments.find((candidate) => candidate.name === name);
    if (environment === undefined) throw new ConfigurationError(`No configuration for environment ${name}.`);
    return environment;
  };
  // Every change-detection action of the plan (the pipeline-wide stage and the window stages),
  // created up front so that conditions and summaries can refer to their variables.
  const detectSteps = new Map(
    plan.stages
      .flatMap((stage) => (stage.kind === 'change-detection' ? stage.actions : []))
      .map((action) => {
        const environment = props.environments.find((candidate) => detectionActionName(candidate.name) === action.name);
        if (environment === undefined) throw new ConfigurationError(`No environment for change-detection action ${action.name}.`);
        return [
          action.name,
          shellActionStep(action, {
            input: source,
            additionalInputs: { 'cdk.out': synth, [DETECTION_TOOL_DIRECTORY]: detectionTool },
            rolePolicyStatements: detectionStatements(scope, environment, props.historyTable),
          }),
        ] as const;
      }),
  );

  // One reference per variable: each exportedVariable() call makes a new output, and only the
  // ones a consuming step registers get a namespace, so conditions must reuse the consumers' one.
  const references = new Map<string, string>();
  const resolveVariable = (producer: string, name: string): string => {
    const key = `${producer}.${name}`;
    // Pipeline-level variables need no producing action; the Build's are under the namespace
    // declareBuildNamespace gives its action.
    if (producer === PIPELINE_VARIABLES_NAMESPACE || producer === BUILD_VARIABLES_NAMESPACE) return `#{${key}}`;
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
  for (const stage of plan.stages) {
    switch (stage.kind) {
      case 'build':
        break;
      case 'change-detection':
        // The pipeline-wide one is named after CDK Pipelines' asset stage: CDK Pipelines adds its asset
        // actions to the graph of that name when one exists (pipeline-graph.ts, topLevelGraph), so they
        // run beside the detection. Were that to change, CDK would refuse a second graph or stage of
        // the name at synthesis; the layout tests read the shared stage.
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
              notificationTopic: props.approvalTopic,
              additionalInformation: resolvePlaceholders(stage.summary),
            }),
          ],
        });
        break;
      case 'infrastructure': {
        const pair = props.environmentStages(scope, environmentOf(stage.environment));
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
          rolePolicyStatements: suiteStatements(environmentOf(stage.environment)),
        });
        suiteSteps.push(suite);
        post.push(suite);
        cdkPipeline.addStage(pair.application, { post });
        break;
      }
    }
  }

  cdkPipeline.buildPipeline();
  const actionRole = cdkPipeline.node.tryFindChild('CodeBuildActionRole');
  if (!(actionRole instanceof iam.Role)) throw new ConfigurationError("CDK Pipelines created no shared CodeBuild action role (CdkPipeline/CodeBuildActionRole) for the Build stage's other actions to run as.");
  const besideSynth = addActionsBesideSynth({ pipeline, actions: build.besideSynth, buildLogs: props.buildLogs, actionRole, rolePolicyStatements: besideSynthStatements });
  for (const project of besideSynth) if (project.role !== undefined) acknowledgeBuildMetricsWildcard(project.role);
  acknowledgePipelineStackTemplateArns(synth.project, scope, props.environments);
  declareSourceNamespace(pipeline, plan);
  declareBuildNamespace(pipeline, build.action.name);
  // CDK Pipelines writes the CloudFormation execution role of each deploy action as an Fn::Join of
  // literals and pseudo parameters; CodePipeline's action schema (cfn-lint E3703) wants Fn::Sub.
  // The stages are rewritten when resolved, in CDK's resolution context, so every action CDK
  // Pipelines adds until synthesis is covered and nothing but the intrinsic's form changes.
  writeActionRoleArnsAsSub(pipeline.node.defaultChild as codepipeline.CfnPipeline);
  applyConditions(pipeline, plan, resolveVariable);
  addPushTrigger(pipeline, plan);
  return { cdkPipeline, sourceConsumers: [synth, ...besideSynth.map((project) => ({ project })), ...detectSteps.values(), ...suiteSteps] };
}

/**
 * Declares the source action's variable namespace, which the health-check input and the approval
 * summary refer to (`#{SourceVariables.CommitId}`): CDK Pipelines declares none, and CodePipeline
 * resolves an action's variables only under a declared namespace.
 */
function declareSourceNamespace(pipeline: codepipeline.Pipeline, plan: PipelinePlan): void {
  const sourceStage = pipeline.stages[0];
  const sourceAction = sourceStage?.actions[0];
  if (sourceStage?.stageName !== PIPELINE_STAGES.source || sourceAction?.actionProperties.actionName !== plan.source.actionName) {
    throw new ConfigurationError(`The built pipeline does not start with the ${PIPELINE_STAGES.source} stage and its ${plan.source.actionName} action.`);
  }
  (pipeline.node.defaultChild as codepipeline.CfnPipeline).addPropertyOverride('Stages.0.Actions.0.Namespace', SOURCE_VARIABLES_NAMESPACE);
}

/**
 * Declares the Build action's variable namespace, which UpdatePipeline's entry condition reads
 * (`#{BuildVariables.PIPELINE_CHANGED}`). CDK Pipelines names a step's namespace only when another
 * step consumes one of its variables, and no step consumes this one; the action is looked up by
 * name, never assumed at an index.
 */
function declareBuildNamespace(pipeline: codepipeline.Pipeline, actionName: string): void {
  const stageIndex = pipeline.stages.findIndex((stage) => stage.stageName === PIPELINE_STAGES.build);
  const actionIndex = pipeline.stages[stageIndex]?.actions.findIndex((action) => action.actionProperties.actionName === actionName) ?? -1;
  if (stageIndex < 0 || actionIndex < 0) throw new ConfigurationError(`The built pipeline has no ${PIPELINE_STAGES.build} stage with the ${actionName} action to declare ${BUILD_VARIABLES_NAMESPACE} on.`);
  (pipeline.node.defaultChild as codepipeline.CfnPipeline).addPropertyOverride(`Stages.${stageIndex}.Actions.${actionIndex}.Namespace`, BUILD_VARIABLES_NAMESPACE);
}

/**
 * Writes the plan's stage conditions into the built pipeline. CDK Pipelines exposes none, so they
 * go in as property overrides, at the index each stage ended up at (looked up, never assumed).
 */
function applyConditions(pipeline: codepipeline.Pipeline, plan: PipelinePlan, resolveVariable: (producer: string, name: string) => string): void {
  const cfn = pipeline.node.defaultChild as codepipeline.CfnPipeline;
  const names = pipeline.stages.map((stage) => stage.stageName);
  for (const stage of plan.stages) {
    if (stage.kind === 'build') continue;
    const index = names.indexOf(stage.name);
    if (index < 0) throw new ConfigurationError(`Stage ${stage.name} of the plan is missing from the built pipeline (${names.join(', ')}).`);
    const rendered = renderStageConditions(stage.conditions, resolveVariable);
    for (const [slot, value] of Object.entries(rendered)) cfn.addPropertyOverride(`Stages.${index}.${slot}`, value);
  }
  for (const managed of plan.managedStages) {
    const index = names.indexOf(managed.name);
    if (index < 0) throw new ConfigurationError(`CDK Pipelines' stage ${managed.name} is missing from the built pipeline (${names.join(', ')}); its rollback condition has nowhere to go.`);
    const rendered = renderStageConditions(managed.conditions, resolveVariable);
    for (const [slot, value] of Object.entries(rendered)) cfn.addPropertyOverride(`Stages.${index}.${slot}`, value);
  }
}

/** V2 trigger: pushes to the configured branch only, through the CodeStar connection source. */
function addPushTrigger(pipeline: codepipeline.Pipeline, plan: PipelinePlan): void {
  const sourceAction = pipeline.stages[0]?.actions[0];
  if (sourceAction === undefined) throw new ConfigurationError('The built pipeline has no source action to trigger on.');
  pipeline.addTrigger({
    providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
    gitConfiguration: { sourceAction, pushFilter: [{ branchesIncludes: [...plan.triggerBranches] }] },
  });
}
