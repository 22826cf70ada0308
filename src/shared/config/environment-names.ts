/**
 * The environments' names, in deployment order: the one word the configuration, the pipeline's
 * stage names and the runtime code all share. Kept apart from the schema so pure decision code can
 * name environments without loading the validation library.
 */

/** The three environments, in deployment order. */
export const ENVIRONMENT_NAMES = ['test', 'staging', 'production'] as const;

/** One of {@link ENVIRONMENT_NAMES}. */
export type EnvironmentName = (typeof ENVIRONMENT_NAMES)[number];
