import { ConfigurationError, KiroCdError, TransientError } from '../../shared/errors.js';

/** Network failures of the SDK's HTTP handler: the endpoint could not be reached, retrying may help. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE']);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'ThrottlingException', 'ServiceUnavailable', 'InternalServerError']);
const USER_NAMES = new Set(['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException']);

function field(error: unknown, key: string): string | undefined {
  if (typeof error !== 'object' || error === null || !(key in error)) return undefined;
  const value = (error as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : undefined;
}

/**
 * Turns what an AWS call threw into the product's error with the right fault, so the CLI exits 2
 * for the caller's mistakes (no credentials, no such table, access denied) and 3 for outages.
 * `what` names the call and resource, such as `reading the history table kiro-history`.
 */
export function asAwsCallError(error: unknown, what: string): KiroCdError {
  if (error instanceof KiroCdError) return error;
  const name = field(error, 'name') ?? '';
  const code = field(error, 'code') ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'CredentialsProviderError' || /credential/i.test(message)) {
    return new ConfigurationError(
      `No AWS credentials for ${what}: pass --profile <name>, or set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY (any values work for the local emulator).`,
      { what },
      error,
    );
  }
  if (name === 'ResourceNotFoundException') {
    return new ConfigurationError(`${what}: ${message}. Check --history-table / --region / --endpoint-url, or deploy the pipeline runtime stack first.`, { what }, error);
  }
  if (USER_NAMES.has(name)) {
    return new ConfigurationError(`${what}: ${name}: ${message}. Check the profile's permissions and --region.`, { what }, error);
  }
  if (NETWORK_CODES.has(code) || NETWORK_NAMES.has(name) || NETWORK_CODES.has(message.split(' ')[1] ?? '')) {
    return new TransientError(`${what} failed: ${message}. Check --endpoint-url and the network, then try again.`, { what }, error);
  }
  return new KiroCdError(`${what} failed unexpectedly: ${name === '' ? '' : `${name}: `}${message}`, { code: 'AWS_CALL_FAILED', fault: 'internal', context: { what }, cause: error });
}

/** Runs one AWS-backed step, converting what it throws with {@link asAwsCallError}. */
export async function awsCall<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw asAwsCallError(error, what);
  }
}
