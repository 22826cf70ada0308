import { isRetryableDynamoDbError } from '../../shared/dynamodb-retryable-errors.js';
import { TransientError, asKiroCdError, type KiroCdError } from '../../shared/errors.js';


/** True when DynamoDB refused a write because its condition did not hold. */
export function isConditionFailure(error: unknown): boolean {
  return error instanceof Error && error.name === 'ConditionalCheckFailedException';
}

/** Turns a DynamoDB SDK error into the product's error, retryable ones as {@link TransientError}. */
export function translateDynamoDbError(error: unknown, operation: string, table: string): KiroCdError {
  if (isRetryableDynamoDbError(error)) {
    return new TransientError(`DynamoDB ${operation} on table ${table} was throttled or failed transiently (${error.name}); it is retried on the next poll.`, { table, operation }, error);
  }
  return asKiroCdError(error);
}
