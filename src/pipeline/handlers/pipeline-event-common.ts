/**
 * What the pipeline-event Lambdas share: the stage names they read, their log line shape, and the
 * SDK client options. Kept small on purpose; each handler stays a thin parse-decide-act function.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../shared/config/schema.js';
import { powertoolsLog, type StructuredLog } from '../../shared/telemetry/powertools-log.js';
import { applicationStageName } from '../domain/stage-names.js';

/** Environments in deployment order, as the stage names encode them. */
export const PIPELINE_ENVIRONMENTS: readonly EnvironmentName[] = ENVIRONMENT_NAMES;

/** The last stage of a full execution, named by a deployment-succeeded notice. */
export const FINAL_STAGE = applicationStageName('production');

/** One structured log line. Never pass secrets or whole events: reasons and ids only. */
export type Log = StructuredLog;

/**
 * The pipeline Lambdas' log: Powertools for AWS Lambda's Logger (JSON lines with level, timestamp,
 * service and trace id on stdout, where Lambda sends them to CloudWatch Logs). Created once per
 * execution environment, when the entry point's module loads; handlers receive it as `log`.
 */
export const lambdaLog: Log = powertoolsLog(new Logger({ serviceName: 'kiro-cd-pipeline' }));
