/**
 * The DynamoDB errors worth a retry, shared by the pipeline's and the worker's DynamoDB adapters so
 * both treat throttling and brief unavailability alike. Names only: no SDK import, so the set can be
 * tested and bundled without the client.
 */

/**
 * DynamoDB error names that mean "try again later": throttling, brief unavailability, transaction
 * conflicts (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Programming.Errors.html).
 */
export const DYNAMODB_RETRYABLE_ERRORS: ReadonlySet<string> = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
]);

/** True when `error` is a DynamoDB error that a later attempt may not meet. */
export function isRetryableDynamoDbError(error: unknown): error is Error {
  return error instanceof Error && DYNAMODB_RETRYABLE_ERRORS.has(error.name);
}
