import { App, Stack, aws_codebuild as codebuild, aws_codepipeline as codepipeline, aws_codepipeline_actions as actions, aws_iam as iam, aws_logs as logs, aws_s3 as s3 } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { addActionsBesideSynth } from '../../../../../infrastructure/lib/constructs/pipeline/build-stage-actions.js';
import { staticChecksAction } from '../../../../../src/pipeline/domain/plan/codebuild-actions.js';
import { ConfigurationError } from '../../../../../src/shared/errors.js';

/** A pipeline with a Source stage and, when asked, a Build stage holding one synth action at run order 3. */
function pipelineWith(options: { readonly build: boolean; readonly bucket?: (stack: Stack) => s3.IBucket }) {
  const stack = new Stack(new App(), 'Stack', { env: { account: '111111111111', region: 'us-east-1' } });
  const pipeline = new codepipeline.Pipeline(stack, 'Pipeline', { pipelineType: codepipeline.PipelineType.V2, ...(options.bucket === undefined ? {} : { artifactBucket: options.bucket(stack) }) });
  const source = new codepipeline.Artifact('Source');
  pipeline.addStage({ stageName: 'Source', actions: [new actions.S3SourceAction({ actionName: 'Source', bucket: new s3.Bucket(stack, 'SourceBucket'), bucketKey: 'source.zip', output: source })] });
  if (options.build) {
    pipeline.addStage({ stageName: 'Build', actions: [new actions.CodeBuildAction({ actionName: 'Synth', project: new codebuild.PipelineProject(stack, 'Synth'), input: source, runOrder: 3 })] });
  }
  const props = {
    pipeline,
    actions: [staticChecksAction('kiro')],
    buildLogs: new logs.LogGroup(stack, 'Logs'),
    actionRole: new iam.Role(stack, 'ActionRole', { assumedBy: new iam.AccountRootPrincipal() }),
    rolePolicyStatements: () => [],
  };
  return { pipeline, props };
}

describe('addActionsBesideSynth', () => {
  it("adds each action to the Build stage at the synth action's run order, on the source artifact", () => {
    const { pipeline, props } = pipelineWith({ build: true, bucket: (stack) => new s3.Bucket(stack, 'Artifacts', { encryption: s3.BucketEncryption.KMS }) });
    const [project] = addActionsBesideSynth(props);
    expect(project).toBeInstanceOf(codebuild.PipelineProject);
    const build = pipeline.stages.find((stage) => stage.stageName === 'Build');
    expect(build?.actions.map((action) => [action.actionProperties.actionName, action.actionProperties.runOrder, action.actionProperties.category])).toEqual([
      ['Synth', 3, codepipeline.ActionCategory.BUILD],
      ['StaticChecks', 3, codepipeline.ActionCategory.TEST],
    ]);
  });

  it('refuses a pipeline without a Build stage to add them to', () => {
    const { props } = pipelineWith({ build: false });
    expect(() => addActionsBesideSynth(props)).toThrow(ConfigurationError);
  });

  it('refuses an artifact bucket without a KMS key: the projects would have none to encrypt with', () => {
    const { props } = pipelineWith({ build: true, bucket: (stack) => new s3.Bucket(stack, 'Artifacts') });
    expect(() => addActionsBesideSynth(props)).toThrow(/no KMS key/);
  });
});
