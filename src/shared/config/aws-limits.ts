/**
 * AWS limits that bound the configuration, each from the AWS page named beside it. Validation
 * (`validate.ts`) refuses a configuration that would cross one; the constructs size themselves by them.
 */

/**
 * CodePipeline's timeout of an action without a configurable one, the Step Functions invoke action
 * among them: "All other actions: 1 hour" (CodePipeline user guide, "Quotas in AWS CodePipeline",
 * https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html). The stricter of the two
 * figures AWS documents for this action, see docs/health-monitor.md.
 */
export const CODEPIPELINE_ACTION_TIMEOUT_SECONDS = 3600;

/**
 * The health monitor's own execution timeout (state machine `TimeoutSeconds`): five minutes inside the
 * action's hour, so Step Functions ends the execution (TIMED_OUT, which rolls back) before CodePipeline
 * gives up on the action, and a review answer that comes later finds no task to complete.
 */
export const HEALTH_MONITOR_TIMEOUT_SECONDS = CODEPIPELINE_ACTION_TIMEOUT_SECONDS - 300;

/**
 * The longest bake plus review wait one environment may configure: five more minutes inside the
 * monitor's timeout for its own steps (start, the checks, recording).
 */
export const BAKE_AND_REVIEW_MAX_MINUTES = HEALTH_MONITOR_TIMEOUT_SECONDS / 60 - 5;

/** The longest review wait: what is left of {@link BAKE_AND_REVIEW_MAX_MINUTES} after the shortest useful bake (5 minutes). */
export const REVIEW_TIMEOUT_MAX_MINUTES = BAKE_AND_REVIEW_MAX_MINUTES - 5;
