/**
 * A compact pipeline in the shape the product synthesizes, written as the properties of an
 * `AWS::CodePipeline::Pipeline` resource and read by the local CodePipeline's own reader
 * (`parsePipelineDeclaration`, the path `cdk.out` takes in the rehearsal): Source (the product's
 * source action and namespace), Build, UpdatePipeline (CDK Pipelines' self-mutation), then per
 * environment an optional infrastructure stage and the application stage (CloudFormation deploy,
 * then the health check and the test suite side by side), with the product's pipeline variables.
 * Names come from the product's vocabulary, so a renamed stage or variable breaks these tests too.
 */
import type { EnvironmentName } from '../../../src/shared/config/environment-names.js';
import { parsePipelineDeclaration, type PipelineDeclaration } from '../../../src/local/codepipeline/declaration.js';
import { CHANGE_DETECTION_STAGE, PIPELINE_VARIABLES, SOURCE_ACTION_NAME, SOURCE_VARIABLES_NAMESPACE, detectionActionName, infraVariableName } from '../../../src/pipeline/domain/pipeline-vocabulary.js';
import { PIPELINE_STAGES, applicationStageName, infrastructureStageName } from '../../../src/pipeline/domain/stage-names.js';

/** What the compact pipeline holds. */
export interface CompactPipelineOptions {
  readonly name: string;
  /** Environments in deployment order; each gets `<Env>-Application`. */
  readonly environments: readonly EnvironmentName[];
  /**
   * Environments that also get `<Env>-Infrastructure` in front of their application stage, skipped
   * (VariableCheck, SKIP) unless that environment's change detection in the Assets stage exports
   * `INFRA_<ENV>=deploy`, as in the product. @default none
   */
  readonly infrastructure?: readonly EnvironmentName[];
  /** Declare `OnFailure: ROLLBACK` on the infrastructure and application stages, as the product does. @default false */
  readonly rollbackOnFailure?: boolean;
  /** Asset actions published before the environments, beside the change detection; each one more is a changed pipeline structure. @default 0 */
  readonly assets?: number;
}

const COMMIT = `#{${SOURCE_VARIABLES_NAMESPACE}.CommitId}`;

function codeBuild(name: string, project: string, runOrder = 1): Record<string, unknown> {
  return {
    Name: name,
    ActionTypeId: { Category: 'Build', Owner: 'AWS', Provider: 'CodeBuild', Version: '1' },
    RunOrder: runOrder,
    Configuration: { ProjectName: project, EnvironmentVariables: JSON.stringify([{ name: 'COMMIT_ID', type: 'PLAINTEXT', value: COMMIT }]) },
  };
}

function deploy(stack: string): Record<string, unknown> {
  return {
    Name: 'Deploy',
    ActionTypeId: { Category: 'Deploy', Owner: 'AWS', Provider: 'CloudFormation', Version: '1' },
    RunOrder: 1,
    Configuration: { ActionMode: 'CREATE_UPDATE', StackName: stack, ParameterOverrides: JSON.stringify({ CommitId: COMMIT }) },
  };
}

function environmentStages(environment: EnvironmentName, options: CompactPipelineOptions): Record<string, unknown>[] {
  const onFailure = options.rollbackOnFailure === true ? { OnFailure: { Result: 'ROLLBACK' } } : {};
  const skipUnchanged = {
    Conditions: [
      {
        Result: 'SKIP',
        Rules: [
          {
            Name: 'InfrastructureChanged',
            RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'VariableCheck', Version: '1' },
            Configuration: { Variable: `#{${detectionActionName(environment)}.${infraVariableName(environment)}}`, Value: 'deploy', Operator: 'EQ' },
          },
        ],
      },
    ],
  };
  const infrastructure = (options.infrastructure ?? []).includes(environment)
    ? [{ Name: infrastructureStageName(environment), BeforeEntry: skipUnchanged, Actions: [deploy(`kiro-${environment}-infrastructure`)], ...onFailure }]
    : [];
  const application = {
    Name: applicationStageName(environment),
    Actions: [
      deploy(`kiro-${environment}-application`),
      {
        Name: 'HealthCheck',
        ActionTypeId: { Category: 'Invoke', Owner: 'AWS', Provider: 'StepFunctions', Version: '1' },
        RunOrder: 2,
        Configuration: { StateMachineArn: 'arn:aws:states:us-east-1:111111111111:stateMachine:HealthMonitor', Input: JSON.stringify({ environment, commitId: COMMIT }) },
      },
      codeBuild('Tests', `kiro-${environment}-tests`, 2),
    ],
    ...onFailure,
  };
  return [...infrastructure, application];
}

/** The `AWS::CodePipeline::Pipeline` properties of the compact pipeline. */
export function compactPipelineProperties(options: CompactPipelineOptions): Record<string, unknown> {
  const assets = options.assets ?? 0;
  // As in the product, change detection and asset publishing share CDK Pipelines' Assets stage.
  const detectionAndAssets = [
    ...(options.infrastructure ?? []).map((environment) => ({ ...codeBuild(detectionActionName(environment), `kiro-detect-${environment}`), Namespace: detectionActionName(environment) })),
    ...Array.from({ length: assets }, (_, index) => codeBuild(`FileAsset${index + 1}`, 'kiro-assets')),
  ];
  return {
    Name: options.name,
    PipelineType: 'V2',
    ExecutionMode: 'SUPERSEDED',
    RestartExecutionOnUpdate: false,
    Variables: Object.values(PIPELINE_VARIABLES).map((variable) => ({ Name: variable.name, DefaultValue: variable.defaultValue, Description: variable.description })),
    Stages: [
      {
        Name: PIPELINE_STAGES.source,
        Actions: [
          {
            Name: SOURCE_ACTION_NAME,
            ActionTypeId: { Category: 'Source', Owner: 'AWS', Provider: 'CodeStarSourceConnection', Version: '1' },
            Namespace: SOURCE_VARIABLES_NAMESPACE,
            Configuration: { ConnectionArn: 'arn:aws:codestar-connections:us-east-1:111111111111:connection/local', FullRepositoryId: 'owner/repo', BranchName: 'main' },
          },
        ],
      },
      { Name: PIPELINE_STAGES.build, Actions: [codeBuild('Synth', 'kiro-build')] },
      { Name: PIPELINE_STAGES.updatePipeline, Actions: [codeBuild('SelfMutate', 'kiro-self-mutate')] },
      ...(detectionAndAssets.length === 0 ? [] : [{ Name: CHANGE_DETECTION_STAGE, Actions: detectionAndAssets }]),
      ...options.environments.flatMap((environment) => environmentStages(environment, options)),
    ],
  };
}

/** The compact pipeline as the local CodePipeline reads it. */
export function compactPipeline(options: CompactPipelineOptions): PipelineDeclaration {
  return parsePipelineDeclaration(compactPipelineProperties(options));
}
