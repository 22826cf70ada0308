import { Duration, aws_codebuild as codebuild, aws_iam as iam, pipelines } from 'aws-cdk-lib';
import type { ShellActionPlan } from '../../../../src/pipeline/domain/plan/plan-types.js';

/**
 * The buildspec parts a plan action needs beyond its commands: the pinned runtime versions, the
 * post_build phase (CodeBuild runs it even when the build phase failed, so build metrics are
 * published for red builds too) and the CodeBuild report groups (JUnit tests, Cobertura coverage).
 */
export function partialBuildSpec(action: ShellActionPlan): codebuild.BuildSpec {
  const reports = Object.entries(action.reports);
  return codebuild.BuildSpec.fromObject({
    phases: {
      install: { 'runtime-versions': { ...action.runtimes } },
      ...(action.postBuildCommands.length === 0 ? {} : { post_build: { commands: [...action.postBuildCommands] } }),
    },
    ...(reports.length === 0
      ? {}
      : {
          reports: Object.fromEntries(
            reports.map(([name, report]) => [name, { files: [...report.files], 'file-format': report.format }]),
          ),
        }),
  });
}

/**
 * The whole buildspec of a plan action that CDK Pipelines does not render (the Build stage's actions
 * beside the synth): its install and build commands, exported variables, and {@link partialBuildSpec}'s
 * runtime versions, post_build phase and reports.
 */
export function fullBuildSpec(action: ShellActionPlan): codebuild.BuildSpec {
  return codebuild.mergeBuildSpecs(
    partialBuildSpec(action),
    codebuild.BuildSpec.fromObject({
      version: '0.2',
      ...(action.exportedVariables.length === 0 ? {} : { env: { 'exported-variables': [...action.exportedVariables] } }),
      phases: {
        ...(action.installCommands.length === 0 ? {} : { install: { commands: [...action.installCommands] } }),
        build: { commands: [...action.commands] },
      },
    }),
  );
}

/** What {@link shellActionStep} needs besides the plan. */
export interface ShellActionStepOptions {
  /** The step's main input (the source with full clone, or the synth output). */
  readonly input: pipelines.IFileSetProducer;
  /**
   * Further inputs, mounted at the given directories.
   * @default none
   */
  readonly additionalInputs?: Readonly<Record<string, pipelines.IFileSetProducer>>;
  /**
   * Directory whose content is the step's output (the synth step's `cdk.out`).
   * @default no output
   */
  readonly primaryOutputDirectory?: string;
  /**
   * Explicit statements for the project's role (least privilege: explicit actions, specific resources).
   * @default none
   */
  readonly rolePolicyStatements?: readonly iam.PolicyStatement[];
  /**
   * Rewrites environment-variable values, for instance plan placeholders into variable references.
   * @default values are used as they are
   */
  readonly resolveValue?: (value: string) => string;
}

/**
 * Renders one CodeBuild action of the plan as a CDK Pipelines step, with the plan's exported
 * variables declared (read their references with `step.exportedVariable(name)`).
 */
export function shellActionStep(action: ShellActionPlan, options: ShellActionStepOptions): pipelines.CodeBuildStep {
  const buildSpec = partialBuildSpec(action);
  const step = new pipelines.CodeBuildStep(action.name, {
    input: options.input,
    ...(options.additionalInputs === undefined ? {} : { additionalInputs: { ...options.additionalInputs } }),
    ...(options.primaryOutputDirectory === undefined ? {} : { primaryOutputDirectory: options.primaryOutputDirectory }),
    installCommands: [...action.installCommands],
    commands: [...action.commands],
    env: Object.fromEntries(Object.entries(action.env).map(([key, value]) => [key, options.resolveValue?.(value) ?? value])),
    timeout: Duration.minutes(action.timeoutMinutes),
    ...(action.compute === 'medium' ? { buildEnvironment: { computeType: codebuild.ComputeType.MEDIUM } } : {}),
    partialBuildSpec: buildSpec,
    ...(options.rolePolicyStatements === undefined ? {} : { rolePolicyStatements: [...options.rolePolicyStatements] }),
  });
  for (const variable of action.exportedVariables) step.exportedVariable(variable);
  return step;
}
