/**
 * Renders the Build stage's actions beside the synth (the unit tests, the static checks): CDK
 * Pipelines puts only its synth step into the Build stage, so each of these is a CodeBuild project of
 * its own, added to the built stage at the synth action's run order. CodePipeline runs the actions of
 * one run order side by side, and a stage succeeds only when all of its actions do (docs/pipeline.md,
 * "The Build split into side-by-side actions").
 */
import { Duration, aws_codebuild as codebuild, type aws_codepipeline as codepipeline, aws_codepipeline_actions as codepipelineActions, aws_iam as iam, type aws_logs as logs } from 'aws-cdk-lib';
import type { ShellActionPlan } from '../../../../src/pipeline/domain/plan/plan-types.js';
import { PIPELINE_STAGES } from '../../../../src/pipeline/domain/stage-names.js';
import { ConfigurationError } from '../../../../src/shared/errors.js';
import { fullBuildSpec } from './shell-action-step.js';

/** What {@link addActionsBesideSynth} renders, and into what. */
export interface ActionsBesideSynthProps {
  /** The built pipeline: its Source stage's artifact is each action's input. */
  readonly pipeline: codepipeline.Pipeline;
  /** The plan's actions beside the synth action. */
  readonly actions: readonly ShellActionPlan[];
  /** The log group of every CodeBuild action. */
  readonly buildLogs: logs.ILogGroup;
  /**
   * The role CodePipeline runs the actions as: CDK Pipelines' shared CodeBuild action role, so that
   * starting these builds is granted where starting its own is.
   */
  readonly actionRole: iam.IRole;
  /** Explicit statements of each action's project role (least privilege), by action name. */
  readonly rolePolicyStatements: (action: ShellActionPlan) => readonly iam.PolicyStatement[];
}

/** Adds each planned action beside the synth to the built Build stage; returns their projects. */
export function addActionsBesideSynth(props: ActionsBesideSynthProps): codebuild.PipelineProject[] {
  const { pipeline } = props;
  const stage = pipeline.stages.find((candidate) => candidate.stageName === PIPELINE_STAGES.build);
  const synth = stage?.actions[0];
  const sourceArtifact = pipeline.stages[0]?.actions[0]?.actionProperties.outputs?.[0];
  if (stage === undefined || synth === undefined || sourceArtifact === undefined) {
    throw new ConfigurationError(`The built pipeline has no ${PIPELINE_STAGES.build} stage with its synth action, or no source artifact, to add the actions beside the synth to.`);
  }
  const encryptionKey = pipeline.artifactBucket.encryptionKey;
  if (encryptionKey === undefined) throw new ConfigurationError('The artifact bucket has no KMS key to encrypt the Build actions\' artifacts and logs with.');
  return props.actions.map((action) => {
    const project = new codebuild.PipelineProject(pipeline, `${PIPELINE_STAGES.build}${action.name}`, {
      description: `${PIPELINE_STAGES.build} stage, beside the synth: ${action.name}`,
      buildSpec: fullBuildSpec(action),
      environment: {
        buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
        computeType: action.compute === 'medium' ? codebuild.ComputeType.MEDIUM : codebuild.ComputeType.SMALL,
        environmentVariables: Object.fromEntries(Object.entries(action.env).map(([name, value]) => [name, { value }])),
      },
      timeout: Duration.minutes(action.timeoutMinutes),
      logging: { cloudWatch: { logGroup: props.buildLogs } },
      encryptionKey,
    });
    for (const statement of props.rolePolicyStatements(action)) project.addToRolePolicy(statement);
    stage.addAction(
      new codepipelineActions.CodeBuildAction({
        actionName: action.name,
        project,
        input: sourceArtifact,
        // A test action has no output artifact: only the synth action produces the stage's artifacts.
        type: codepipelineActions.CodeBuildActionType.TEST,
        runOrder: synth.actionProperties.runOrder ?? 1,
        role: props.actionRole,
      }),
    );
    return project;
  });
}
