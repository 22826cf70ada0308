import { TransientError, asKiroCdError, type KiroCdError } from '../../shared/errors.js';

/** DynamoDB error names that mean "try again later" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html). */
const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
]);

/** True when DynamoDB refused a write because its condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Turns a DynamoDB SDK error into the product's error, retryable ones as {@link TransientError}. */
export function translateDynamoDbError(error: unknown, operation: string, table: string): KiroCdError {
  if (error instanceof Error && RETRYABLE.has(error.name)) {
    return new TransientError(`DynamoDB ${operation} on table ${table} was throttled or failed transiently (${error.name}); it is retried on the next poll.`, { table, operation }, error);
  }
  return asKiroCdError(error);
}
