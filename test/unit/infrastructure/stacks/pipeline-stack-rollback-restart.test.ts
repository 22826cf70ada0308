import { fileURLToPath } from 'node:url';
import { Stack, Stage, aws_s3_assets as s3assets, aws_sqs as sqs, aws_stepfunctions as sfn } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { Construct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import type { EnvironmentConfig } from '../../../../src/shared/config/schema.js';
import { PipelineStack } from '../../../../infrastructure/lib/stacks/pipeline-stack.js';
import { applicationStageName, infrastructureStageName, PIPELINE_STAGES } from '../../../../src/pipeline/domain/stage-names.js';
import { testApp } from '../../../support/test-app.js';

/** A stage whose stack carries a file asset, so CDK Pipelines adds its Assets stage. */
function stageWithAsset(scope: Construct, id: string, environment: EnvironmentConfig): Stage {
  const stage = new Stage(scope, id, { env: { account: environment.account, region: environment.region } });
  const stack = new Stack(stage, 'Stack');
  new sqs.Queue(stack, 'Queue', { encryption: sqs.QueueEncryption.KMS_MANAGED, enforceSSL: true });
  new s3assets.Asset(stack, 'Bundle', { path: fileURLToPath(new URL('../../../fixtures/events', import.meta.url)) });
  return stage;
}

interface CfnStage {
  readonly Name: string;
  readonly BeforeEntry?: { readonly Conditions: readonly { readonly Result: string; readonly Rules: readonly { readonly RuleTypeId: { readonly Provider: string }; readonly Configuration: Record<string, string> }[] }[] };
  readonly Actions: readonly {
    readonly Name: string;
    readonly Namespace?: string;
    readonly RunOrder?: number;
    readonly Configuration?: { readonly ProjectName?: unknown };
    readonly InputArtifacts?: readonly { readonly Name: string }[];
    readonly OutputArtifacts?: readonly { readonly Name: string }[];
  }[];
}

/**
 * The restart rollback (StartPipelineExecution on the last known good commit with KIRO_ROLLBACK=true)
 * must not self-mutate: with RestartExecutionOnUpdate, deploying the old commit's pipeline cancels the
 * running execution and CloudFormation restarts it without the source override and with
 * KIRO_ROLLBACK=false, i.e. on the bad HEAD (docs/rollback.md, "Restart without self-mutation").
 */
describe('PipelineStack on a rollback execution', () => {
  let stages: CfnStage[];
  let template: Template;

  beforeAll(() => {
    const app = testApp();
    const runtime = new Stack(app, 'Runtime', { env: { account: '111111111111', region: 'us-east-1' } });
    const healthMonitor = new sfn.StateMachine(runtime, 'HealthMonitor', { definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Succeed(runtime, 'Pass')) });
    const stack = new PipelineStack(app, 'Pipeline', {
      config: loadDeploymentConfig(),
      environmentStages: (scope, environment) => ({
        infrastructure: stageWithAsset(scope, infrastructureStageName(environment.name), environment),
        application: stageWithAsset(scope, applicationStageName(environment.name), environment),
      }),
      healthMonitor,
    });
    template = Template.fromStack(stack);
    const pipelines = template.findResources('AWS::CodePipeline::Pipeline');
    stages = (Object.values(pipelines)[0] as { Properties: { Stages: CfnStage[] } }).Properties.Stages;
  });

  const skipOnRollback = [{ Result: 'SKIP', Rules: [{ Name: 'NotARollback', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'VariableCheck', Version: '1' }, Configuration: { Variable: '#{variables.KIRO_ROLLBACK}', Operator: 'EQ', Value: 'false' } }] }];

  it('skips self-mutation when KIRO_ROLLBACK is true, so the old commit never replaces the pipeline or its runtime stack mid-rollback, and when the Build found the pipeline unchanged', () => {
    const pipelineChanged = { Name: 'PipelineChanged', RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'VariableCheck', Version: '1' }, Configuration: { Variable: '#{BuildVariables.PIPELINE_CHANGED}', Operator: 'EQ', Value: 'true' } };
    expect(stages.find((stage) => stage.Name === PIPELINE_STAGES.updatePipeline)?.BeforeEntry?.Conditions).toEqual([{ Result: 'SKIP', Rules: [...(skipOnRollback[0]?.Rules ?? []), pipelineChanged] }]);
  });

  it('declares the BuildVariables namespace on the Build action, which the UpdatePipeline condition reads', () => {
    const build = stages.find((stage) => stage.Name === PIPELINE_STAGES.build);
    // On the Synth action, which exports PIPELINE_CHANGED; the actions beside it export nothing.
    expect(build?.Actions.map((action) => [action.Name, action.Namespace])).toEqual([
      ['Synth', 'BuildVariables'],
      ['UnitTests', undefined],
      ['StaticChecks', undefined],
    ]);
  });

  it('runs change detection beside the asset publishing, in one stage without an entry condition: a restart still decides which infrastructure it redeploys', () => {
    const assets = stages.find((stage) => stage.Name === PIPELINE_STAGES.assets);
    expect(assets?.BeforeEntry).toBeUndefined();
    expect(assets?.Actions.map((action) => [action.Name, action.RunOrder])).toEqual(
      expect.arrayContaining([['Detect-test', 1], ['Detect-staging', 1], ['Detect-production', 1], ['FileAssets', 1]]),
    );
    expect(assets?.Actions).toHaveLength(4);
    expect(stages.map((stage) => stage.Name)).not.toContain('Detect-Changes');
  });

  it("publishes on a restart only the assets of the commit it restarts on, never the current definition's: the asset project reads its buildspec from the execution's own synth output", () => {
    const synthOutput = stages.find((stage) => stage.Name === PIPELINE_STAGES.build)?.Actions.find((action) => action.Name === 'Synth')?.OutputArtifacts?.[0]?.Name;
    const publish = stages.find((stage) => stage.Name === PIPELINE_STAGES.assets)?.Actions.find((action) => action.Name === 'FileAssets');
    // Its only input is the cloud assembly this execution synthesized: on a restart, the last known good commit's.
    expect(publish?.InputArtifacts).toEqual([{ Name: synthOutput }]);
    const projectRef = JSON.stringify(publish?.Configuration?.ProjectName);
    const [, project] = Object.entries(template.findResources('AWS::CodeBuild::Project')).find(([logicalId]) => projectRef.includes(logicalId)) ?? [];
    // A buildspec file of that assembly (written by CDK Pipelines at synthesis), not commands in this template.
    expect((project as { Properties: { Source: unknown } } | undefined)?.Properties.Source).toEqual({ Type: 'CODEPIPELINE', BuildSpec: expect.stringMatching(/^buildspec-[\w-]+\.yaml$/) });
    expect(JSON.stringify(template.toJSON())).not.toMatch(/cdk-assets [^"]*publish/);
  });

  it('leaves Source and Build unconditioned: a rollback still builds and gates the old commit', () => {
    for (const name of [PIPELINE_STAGES.source, PIPELINE_STAGES.build]) expect(stages.find((stage) => stage.Name === name)?.BeforeEntry).toBeUndefined();
  });
});
