import * as logs from 'aws-cdk-lib/aws-logs';
import { ConfigurationError } from '../../../src/shared/errors.js';

/**
 * The CloudWatch Logs retention of a configured `logRetentionDays`. Validation already limits the
 * key to CloudWatch's values; this fails at synth time, naming the key, if one slips through.
 */
export function retentionDays(days: number): logs.RetentionDays {
  const member = Object.values(logs.RetentionDays).find((value): value is logs.RetentionDays => typeof value === 'number' && (value as number) === days);
  if (member === undefined) {
    throw new ConfigurationError(`logRetentionDays ${days} is not a CloudWatch Logs retention; use one such as 90.`, { key: 'logRetentionDays', value: days });
  }
  return member;
}
