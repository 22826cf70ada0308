import { ConfigurationError, KiroCdError, TransientError } from '../../shared/errors.js';

/** Network failures of the SDK's HTTP handler: the endpoint could not be reached, retrying may help. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'ETIMEDOUT', 'EAI_AGAIN', 'EPIPE']);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'ThrottlingException', 'ServiceUnavailable', 'InternalServerError']);
const USER_NAMES = new Set(['AccessDeniedException', 'UnrecognizedClientException', 'InvalidSignatureException', 'ExpiredTokenException']);

/** Whom an AWS call talks to, so a wrong answer can name the service and the endpoint. */
export interface AwsTarget {
  /** The service as AWS names it: `DynamoDB`, `CloudFormation`, `CodePipeline`, `Step Functions`. */
  readonly service: string;
  /** The `--endpoint-url` override, when there is one. */
  readonly endpoint?: string;
  /**
   * True when the same endpoint already answered another service's calls like AWS during this
   * command: it is an emulator that does not serve this service (the local emulator serves the
   * history tables but not CodePipeline's runtime calls), not a wrong address.
   */
  readonly answeredOtherServices?: boolean;
}

/** Where the CLI's docs say which command works against the local emulator. */
export const LOCAL_SUPPORT_DOC = 'docs/cli.md, "Works locally / needs AWS"';

function field(error: unknown, key: string): unknown {
  if (typeof error !== 'object' || error === null || !(key in error)) return undefined;
  return (error as Record<string, unknown>)[key];
}

function text(error: unknown, key: string): string | undefined {
  const value = field(error, key);
  return typeof value === 'string' ? value : undefined;
}

/** The SDK's own error under the product's wrappers (an adapter may have wrapped it already). */
function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5 && current instanceof KiroCdError && current.cause !== undefined; depth += 1) current = current.cause;
  return current;
}

/**
 * True when the endpoint answered with something that is not an AWS protocol reply: the SDK could
 * not parse it (an HTML page, a web server's error, an emulator's "not implemented" page).
 */
export function isNonAwsAnswer(error: unknown): boolean {
  const root = rootCause(error);
  const message = root instanceof Error ? root.message : '';
  return message.includes('Deserialization error') || (root instanceof SyntaxError && field(root, '$metadata') !== undefined);
}

function endpointName(target: AwsTarget | undefined): string {
  return target?.endpoint === undefined ? 'the AWS endpoint' : `endpoint ${target.endpoint}`;
}

function nonAwsAnswerError(error: unknown, what: string, target: AwsTarget | undefined): KiroCdError {
  const service = target?.service ?? 'an AWS service';
  if (target?.answeredOtherServices === true) {
    return new ConfigurationError(
      `${endpointName(target)} does not serve ${service} (${what}): it answered the other calls like AWS, so it is an emulator without ${service}. ` +
        `Run this against AWS, or use --dry-run where the command has one (${LOCAL_SUPPORT_DOC}).`,
      { what, service, endpoint: target.endpoint },
      error,
    );
  }
  return new TransientError(
    `${endpointName(target)} did not answer like ${service} (${what}). Check --endpoint-url: it must be an AWS endpoint or the local emulator.`,
    { what, service, endpoint: target?.endpoint },
    error,
  );
}

/**
 * Turns what an AWS call threw into the product's error with the right fault, so the CLI exits 2
 * for the caller's mistakes (no credentials, no such table, access denied, an endpoint that does not
 * serve the service) and 3 for outages and endpoints that do not answer like AWS; only an error
 * that is neither AWS's answer nor the network's stays internal (exit 4, a defect).
 * `what` names the call and resource, such as `reading the history table kiro-history`.
 */
export function asAwsCallError(error: unknown, what: string, target?: AwsTarget): KiroCdError {
  if (isNonAwsAnswer(error)) return nonAwsAnswerError(error, what, target);
  if (error instanceof KiroCdError) return error;
  const name = text(error, 'name') ?? '';
  const code = text(error, 'code') ?? '';
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
  const status = field(field(error, '$metadata'), 'httpStatusCode');
  if (typeof status === 'number' && status >= 500) {
    return new TransientError(`${what} failed: ${target?.service ?? 'AWS'} answered ${name} (HTTP ${status}); try again.`, { what }, error);
  }
  if (typeof status === 'number' && status >= 400) {
    return new ConfigurationError(`${what} was refused: ${target?.service ?? 'AWS'} answered ${name}: ${message}`, { what }, error);
  }
  return new KiroCdError(`${what} failed unexpectedly: ${name === '' ? '' : `${name}: `}${message}`, { code: 'AWS_CALL_FAILED', fault: 'internal', context: { what }, cause: error });
}

/** Runs one AWS-backed step, converting what it throws with {@link asAwsCallError}. */
export async function awsCall<T>(what: string, step: () => Promise<T>, target?: AwsTarget): Promise<T> {
  try {
    return await step();
  } catch (error) {
    throw asAwsCallError(error, what, target);
  }
}
