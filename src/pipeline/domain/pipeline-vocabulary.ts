/**
 * The pipeline's vocabulary: the names of actions, namespaces and variables that the pipeline plan
 * writes into CodePipeline and that the runtime code (rollback, CLI, rehearsal) reads back. Defined
 * once, here, so the writer and the readers cannot drift apart. Stage names live next door in
 * `stage-names.ts`; environment names in `shared/config/environment-names.ts`.
 *
 * Pure: no CDK, no AWS SDK, no I/O (lint-enforced boundary).
 */
import type { EnvironmentName } from '../../shared/config/environment-names.js';
import { PIPELINE_STAGES } from './stage-names.js';

/**
 * The stage that runs change detection for every environment after the build: CDK Pipelines' asset
 * stage, so detection runs side by side with the asset publishing instead of after it. CDK Pipelines
 * puts its asset actions into the pipeline-wide graph named `Assets` and creates that graph only when
 * none exists, so a wave of that name receives them (docs/pipeline.md, "Change detection in the Assets stage").
 * When the app has no assets the stage holds only the detection.
 */
export const CHANGE_DETECTION_STAGE = PIPELINE_STAGES.assets;

/**
 * The source action's name. Written into the pipeline by the stack, and read by the rollback's
 * CodePipeline adapter (StartPipelineExecution `sourceRevisions[].actionName` must name it).
 */
export const SOURCE_ACTION_NAME = 'GitHub_Source';

/**
 * Namespace of the source action's variables (`#{SourceVariables.CommitId}`). CodePipeline resolves
 * an action's variables only when the action declares a namespace (user guide, "Variables
 * reference"); the stack declares this one on the source action.
 */
export const SOURCE_VARIABLES_NAMESPACE = 'SourceVariables';

/**
 * Namespace of the Build action's variables (`#{BuildVariables.PIPELINE_CHANGED}`), declared on the
 * action by the stack for the same reason as {@link SOURCE_VARIABLES_NAMESPACE}.
 */
export const BUILD_VARIABLES_NAMESPACE = 'BuildVariables';

/**
 * The stacks deployed into the pipeline account by hand once and then by self-mutation: the pipeline
 * stack, the runtime stack it depends on, and one artifact-bucket stack per other region
 * (`<prefix>-<region>`). The CDK app names its stacks with these; the Build reads their templates.
 */
export const PIPELINE_STACK_NAMES = { pipeline: 'KiroCd-Pipeline', runtime: 'KiroCd-PipelineRuntime', replicationPrefix: 'KiroCd-ArtifactReplication' } as const;

/** Namespace of pipeline-level variables in CodePipeline references (`#{variables.NAME}`). */
export const PIPELINE_VARIABLES_NAMESPACE = 'variables';

/**
 * Pipeline-level variables (V2). A full rollback that restarts the pipeline sets them
 * (StartPipelineExecution `variables`); every other execution gets the defaults.
 */
export const PIPELINE_VARIABLES = {
  rollback: { name: 'KIRO_ROLLBACK', defaultValue: 'false', description: 'true when the execution is an automatic rollback to the last known good commit' },
  rollbackId: { name: 'KIRO_ROLLBACK_ID', defaultValue: 'none', description: 'The rollback id (ledger key) of a rollback execution' },
} as const;

/** Name of the variable an environment's change detection exports: whether its infrastructure deploys. */
export function infraVariableName(environment: EnvironmentName): string {
  return `INFRA_${environment.toUpperCase()}`;
}

/** Name of the change-detection action of an environment. */
export function detectionActionName(environment: EnvironmentName): string {
  return `Detect-${environment}`;
}

/**
 * Matches the `#{producer.name}` placeholders the plan writes for change-detection variables
 * (producer {@link detectionActionName}, name {@link infraVariableName}); the stack replaces them with
 * the real reference, whose namespace CDK Pipelines chooses.
 */
export const VARIABLE_REFERENCE = /#\{(Detect-[a-z]+)\.([A-Z_]+)\}/g;
