/**
 * Who is at fault when an operation fails, which decides what the caller does next:
 * - `user`: bad input or configuration; retrying will not help, the message says how to fix it.
 * - `transient`: throttling, conflicts, outages; retrying with backoff may succeed.
 * - `internal`: a defect or an unexpected state in this product.
 */
export type Fault = 'user' | 'transient' | 'internal';

/** Base error of the product. Every error has a stable `code` and says whose fault it is. */
export class KiroCdError extends Error {
  /** Stable, machine-readable identifier such as `CONFIG_INVALID`. */
  readonly code: string;
  readonly fault: Fault;
  /** Extra fields that help a reader find the cause (environment, key, resource ...). */
  readonly context: Readonly<Record<string, unknown>>;

  constructor(
    message: string,
    options: { code: string; fault: Fault; cause?: unknown; context?: Record<string, unknown> },
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = options.code;
    this.fault = options.fault;
    this.context = options.context ?? {};
  }

  /** True when retrying the same call may succeed. */
  get retryable(): boolean {
    return this.fault === 'transient';
  }
}

/** The configuration (environments, flags, arguments) is invalid; the message names the fix. */
export class ConfigurationError extends KiroCdError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { code: 'CONFIG_INVALID', fault: 'user', context, cause });
  }
}

/** Input from outside (an event, a file, a tool's output) does not have the expected shape. */
export class MalformedInputError extends KiroCdError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { code: 'INPUT_MALFORMED', fault: 'user', context, cause });
  }
}

/** A dependency answered with a retryable failure (throttling, conflict, timeout). */
export class TransientError extends KiroCdError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { code: 'TRANSIENT', fault: 'transient', context, cause });
  }
}

/** A conditional write lost: someone else already did this (duplicate event, concurrent trigger). */
export class ConditionFailedError extends KiroCdError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { code: 'CONDITION_FAILED', fault: 'user', context, cause });
  }
}

/** Wraps anything thrown into a KiroCdError, keeping the original as `cause`. */
export function asKiroCdError(error: unknown): KiroCdError {
  if (error instanceof KiroCdError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new KiroCdError(message, { code: 'INTERNAL', fault: 'internal', cause: error });
}
