/**
 * The duration model of docs/pipeline.md ("Timeouts (TR-8) and expected durations") as a pure
 * function of the configuration: how long a release takes from the push to production running it,
 * the approval wait excluded. Durations per action kind come from AWS's documented behaviour and this
 * repository's measured build times; each is written down in {@link DOCUMENTED_DURATIONS} with where
 * it comes from, so changing an assumption changes the model and the table in docs/pipeline.md (a test
 * keeps the two equal).
 */
import type { DeploymentConfig, EnvironmentConfig, PostDeploymentSuite } from '../../../shared/config/schema.js';
import { BUILD_MEASUREMENT, type BuildCommandSeconds } from './build-measurement.js';
import { BUNDLE_DETECTION_COMMAND, STATIC_CHECKS_COMMAND } from './codebuild-actions.js';
import { planPipeline } from './pipeline-plan.js';
import { changeDetectionPlacement, type ChangeDetectionPlacement } from './plan-queries.js';
import { buildStage } from './stage-builders.js';
import { STACK_DEPLOYMENT, type BuildStagePlan, type PipelinePlan, type ShellActionPlan, type StackDeployment } from './plan-types.js';

export type { BuildCommandSeconds } from './build-measurement.js';

/** Minutes per action kind (seconds where said). */
export interface ActionDurations {
  /** CodeStar connection source with full clone. */
  readonly sourceMinutes: number;
  /** CodeBuild provisioning of one action (queue, container start, install phase). */
  readonly provisioningMinutes: number;
  /** The pinned pip tools and the npm registry from a cold cache, in each action of the Build stage that installs them. */
  readonly coldCacheMinutes: number;
  readonly buildCommandSeconds: BuildCommandSeconds;
  /** UpdatePipeline (self-mutation), when it runs: `cdk deploy` of the pipeline stack, provisioning included. */
  readonly selfMutationMinutes: number;
  /**
   * A stage skipped by its entry condition: CodePipeline evaluates the VariableCheck rules and moves
   * on; no action starts.
   */
  readonly skippedStageMinutes: number;
  /** The one asset-publishing action (`publishAssetsInParallel: false`), provisioning included. */
  readonly assetPublishingMinutes: number;
  /** `npm ci` in an action other than the Build (the cold registry download included), when the action runs it. */
  readonly actionNpmCiMinutes: number;
  /** One Detect action after provisioning and install: `git diff` and one `cdk diff` (the environments' actions run side by side). */
  readonly changeDetectionMinutes: number;
  /** What one CloudFormation deploy action adds besides the stack update itself (start, polling, hand-over). */
  readonly deployActionOverheadMinutes: number;
  /** Per environment with an infrastructure change: CloudFormation updating the Core stack. */
  readonly infrastructureUpdateMinutes: number;
  /** CloudFormation updating the application stack, the all-at-once CodeDeploy traffic shift included. */
  readonly applicationUpdateMinutes: number;
  /** Step Functions action polling on top of the health check's bake. */
  readonly healthCheckPollingMinutes: number;
  /** The CloudWatchAlarm on-success condition's final check (environments in the pipeline's account only). */
  readonly finalAlarmCheckMinutes: number;
  /** Each post-deployment suite, which runs beside the health check. */
  readonly suiteMinutes: Readonly<Record<PostDeploymentSuite, number>>;
}

/** The assumptions docs/pipeline.md states, one by one. */
export const DOCUMENTED_DURATIONS: ActionDurations = {
  sourceMinutes: 0.5,
  provisioningMinutes: 1,
  coldCacheMinutes: 0.5,
  // The one measured place (build-measurement.ts); docs/pipeline.md shows it.
  buildCommandSeconds: BUILD_MEASUREMENT.commandSeconds,
  selfMutationMinutes: 2,
  skippedStageMinutes: 0,
  assetPublishingMinutes: 2,
  actionNpmCiMinutes: 0.5,
  changeDetectionMinutes: 1.5,
  deployActionOverheadMinutes: 0.5,
  infrastructureUpdateMinutes: 3,
  applicationUpdateMinutes: 3,
  healthCheckPollingMinutes: 0.5,
  finalAlarmCheckMinutes: 1,
  suiteMinutes: { integration: 2.5, e2e: 6, smoke: 2.5 },
};

/** What the release changes. */
export interface ReleaseShape {
  /** Whether the Core stacks change (else the infrastructure stages are skipped). */
  readonly infrastructureChanged: boolean;
  /**
   * Whether the pipeline's own stacks change (else UpdatePipeline is skipped). An application-only
   * commit changes neither.
   */
  readonly pipelineChanged: boolean;
}

/** One line of the modeled path. */
export interface DurationPart {
  readonly part: string;
  readonly minutes: number;
}

/** The modeled path of one release. */
export interface ReleaseDuration {
  readonly parts: readonly DurationPart[];
  readonly totalMinutes: number;
}

/**
 * The measured seconds of the commands one action of the Build stage runs: `npm ci` when it installs
 * the dependencies, the type-check and ESLint (the slower of the two when the action runs them side
 * by side, {@link STATIC_CHECKS_COMMAND}; both when one after the other), the tests, the synthesis,
 * the detection bundle, the policy gates and the pipeline-changed check. The other gates (secrets,
 * audit, licences, SBOM) are not in the measurement.
 */
export function buildActionCommandSeconds(seconds: BuildCommandSeconds, action: ShellActionPlan): number {
  const runs = (pattern: RegExp): boolean => action.commands.some((command) => pattern.test(command));
  const install = action.installCommands.some((command) => /\bnpm ci\b/.test(command)) ? seconds.npmCi : 0;
  const staticChecks = action.commands.includes(STATIC_CHECKS_COMMAND)
    ? Math.max(seconds.typecheck, seconds.lint)
    : (runs(/\bnpm run (--silent )?typecheck\b/) ? seconds.typecheck : 0) + (runs(/\bnpx eslint\b/) ? seconds.lint : 0);
  const measured: readonly (readonly [boolean, number])[] = [
    [runs(/\bvitest run --coverage\b/), seconds.vitest],
    [runs(/\bcdk synth\b/), seconds.synth],
    [action.commands.includes(BUNDLE_DETECTION_COMMAND), seconds.detectionBundle],
    [runs(/ policy-gates /), seconds.policyGates],
    [runs(/ pipeline-changed /), seconds.pipelineChangedCheck],
  ];
  return install + staticChecks + measured.reduce((sum, [runsIt, value]) => sum + (runsIt ? value : 0), 0);
}

/**
 * Minutes of one action of the Build stage, to the nearest half minute: provisioning, the cold caches
 * (the pinned pip tools and the npm registry) where it installs anything, and its measured commands.
 */
export function buildActionMinutes(durations: ActionDurations, action: ShellActionPlan): number {
  const coldCache = action.installCommands.length > 0 ? durations.coldCacheMinutes : 0;
  const minutes = durations.provisioningMinutes + coldCache + buildActionCommandSeconds(durations.buildCommandSeconds, action) / 60;
  return Math.round(minutes * 2) / 2;
}

/**
 * Minutes of the Build stage as the plan runs it: its actions run side by side, each on its own
 * machine, so the stage takes as long as the slowest ({@link buildActionMinutes}).
 */
export function buildMinutes(durations: ActionDurations, build: Pick<BuildStagePlan, 'action' | 'besideSynth'> = buildStage('model')): number {
  return Math.max(...[build.action, ...build.besideSynth].map((action) => buildActionMinutes(durations, action)));
}

/**
 * Minutes of the change detection as the plan runs its actions (side by side, so the longest):
 * provisioning, `npm ci` only where an action still runs it, then `git diff` and `cdk diff`.
 */
export function changeDetectionMinutes(durations: ActionDurations, actions: readonly ShellActionPlan[]): number {
  const install = (action: ShellActionPlan): number => (action.installCommands.some((command) => /\bnpm ci\b/.test(command)) ? durations.actionNpmCiMinutes : 0);
  return Math.max(0, ...actions.map((action) => durations.provisioningMinutes + install(action) + durations.changeDetectionMinutes));
}

/** CloudFormation actions per deployed stack: one CREATE_UPDATE, or a change set's create and execute. */
export function deployActionsPerStack(stackDeployment: StackDeployment): number {
  return stackDeployment === 'direct' ? 1 : 2;
}

/** Minutes to deploy one stack: the stack update plus the overhead of each of its actions. */
export function stackDeployMinutes(updateMinutes: number, stackDeployment: StackDeployment, durations: ActionDurations): number {
  return updateMinutes + deployActionsPerStack(stackDeployment) * durations.deployActionOverheadMinutes;
}

/** Minutes of one environment's application stage: deploy, then the longer of the health check (bake + polling) and the suite, then the final alarm check if any. */
export function applicationMinutes(
  environment: EnvironmentConfig,
  inPipelineAccount: boolean,
  durations: ActionDurations,
  stackDeployment: StackDeployment = STACK_DEPLOYMENT,
): number {
  const healthCheck = environment.healthCheck.durationSeconds / 60 + durations.healthCheckPollingMinutes;
  const suite = durations.suiteMinutes[environment.postDeploymentTests];
  const deploy = stackDeployMinutes(durations.applicationUpdateMinutes, stackDeployment, durations);
  return deploy + Math.max(healthCheck, suite) + (inPipelineAccount ? durations.finalAlarmCheckMinutes : 0);
}

/**
 * The parts of the asset publishing and the pipeline-wide change detection, as the plan places them:
 * one stage whose actions run side by side, so it lasts as long as the longer of the two
 * (`beside-assets`), or the detection in a stage of its own after the publishing (`after-assets`, the
 * former layout).
 */
export function assetsAndDetectionParts(durations: ActionDurations, detection: readonly ShellActionPlan[], placement: ChangeDetectionPlacement): DurationPart[] {
  const detect = changeDetectionMinutes(durations, detection);
  if (placement === 'beside-assets') {
    return [{ part: 'Assets: FileAssets beside the Detect actions', minutes: Math.max(durations.assetPublishingMinutes, detect) }];
  }
  return [
    { part: 'Assets (one action)', minutes: durations.assetPublishingMinutes },
    { part: 'Detect-Changes (environments side by side)', minutes: detect },
  ];
}

/**
 * The release from push to production, approval excluded: Source, Build, UpdatePipeline (skipped
 * unless the pipeline's own stacks change), the asset publishing and the change detection (where the plan places them),
 * then per environment in order its infrastructure (when changed) and application.
 * `stackDeployment` is the plan's (`planPipeline(config).stackDeployment`, {@link STACK_DEPLOYMENT});
 * another value models the other layout. `plan` is the configuration's plan; the change detection's
 * actions and placement are read from it.
 */
export function modelReleaseDuration(
  config: Pick<DeploymentConfig, 'pipeline' | 'environments'>,
  shape: ReleaseShape,
  durations: ActionDurations = DOCUMENTED_DURATIONS,
  stackDeployment: StackDeployment = STACK_DEPLOYMENT,
  plan: PipelinePlan = planPipeline(config),
): ReleaseDuration {
  // The pipeline-wide change detection: the one change-detection stage no deployment window guards.
  const detection = plan.stages.find((stage) => stage.kind === 'change-detection' && stage.conditions.beforeEntry === undefined);
  const parts: DurationPart[] = [
    { part: 'Source', minutes: durations.sourceMinutes },
    { part: 'Build (synth, unit tests, static checks side by side)', minutes: buildMinutes(durations, buildStage(config.pipeline.name)) },
    shape.pipelineChanged
      ? { part: 'UpdatePipeline (self-mutation)', minutes: durations.selfMutationMinutes }
      : { part: 'UpdatePipeline (skipped: pipeline unchanged)', minutes: durations.skippedStageMinutes },
    ...assetsAndDetectionParts(durations, detection?.kind === 'change-detection' ? detection.actions : [], changeDetectionPlacement(plan)),
  ];
  for (const environment of config.environments) {
    if (shape.infrastructureChanged) parts.push({ part: `${environment.name}: infrastructure`, minutes: stackDeployMinutes(durations.infrastructureUpdateMinutes, stackDeployment, durations) });
    const inPipelineAccount = environment.account === config.pipeline.account;
    parts.push({
      part: `${environment.name}: deploy + max(health check, ${environment.postDeploymentTests} suite)`,
      minutes: applicationMinutes(environment, inPipelineAccount, durations, stackDeployment),
    });
  }
  return { parts, totalMinutes: parts.reduce((sum, part) => sum + part.minutes, 0) };
}

/** The model as the Markdown table docs/pipeline.md shows (one row per part, then the total). */
export function formatReleaseDurationTable(model: ReleaseDuration): string {
  const minutes = (value: number): string => (Number.isInteger(value) ? String(value) : value.toFixed(1));
  return ['| Part | Minutes |', '| --- | --- |', ...model.parts.map((part) => `| ${part.part} | ${minutes(part.minutes)} |`), `| **Total, approval excluded** | **${minutes(model.totalMinutes)}** |`].join('\n');
}
