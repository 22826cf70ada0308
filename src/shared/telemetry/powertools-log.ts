import type { Logger } from '@aws-lambda-powertools/logger';

/** One structured log entry: `message`, an optional `level` (`error`, `warn`, `debug`; default info) and context fields. Never secrets or whole events. */
export type LogEntry = Readonly<Record<string, unknown>>;

/** The log function every handler takes as a dependency, so tests record entries instead of reading stdout. */
export type StructuredLog = (entry: LogEntry) => void;

/**
 * The handlers' structured log written through Powertools for AWS Lambda's `Logger`: it adds the
 * timestamp, the level, the service name and (in Lambda) the X-Ray trace id, honours the log level
 * Lambda's advanced logging controls set (`AWS_LAMBDA_LOG_LEVEL`), and writes one JSON line that
 * CloudWatch Logs Insights reads. The entry's other fields become top-level keys of that line.
 */
export function powertoolsLog(logger: Logger): StructuredLog {
  return (entry) => {
    const { level, message, ...context } = entry;
    const text = typeof message === 'string' ? message : JSON.stringify(message ?? '');
    switch (level) {
      case 'error':
        logger.error(text, context);
        break;
      case 'warn':
        logger.warn(text, context);
        break;
      case 'debug':
        logger.debug(text, context);
        break;
      default:
        logger.info(text, context);
    }
  };
}
