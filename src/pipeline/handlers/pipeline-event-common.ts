/**
 * What the pipeline-event Lambdas share: the stage names they read, their log line shape, and the
 * SDK client options. Kept small on purpose; each handler stays a thin parse-decide-act function.
 */
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../shared/config/schema.js';
import { applicationStageName } from '../domain/stage-names.js';

/** Environments in deployment order, as the stage names encode them. */
export const PIPELINE_ENVIRONMENTS: readonly EnvironmentName[] = ENVIRONMENT_NAMES;

/** The last stage of a full execution, named by a deployment-succeeded notice. */
export const FINAL_STAGE = applicationStageName('production');

/** One structured log line. Never pass secrets or whole events: reasons and ids only. */
export type Log = (entry: Readonly<Record<string, unknown>>) => void;

/** Writes structured log lines to stdout, where Lambda sends them to CloudWatch Logs. */
export const stdoutLog: Log = (entry) => {
  process.stdout.write(`${JSON.stringify(entry)}\n`);
};
