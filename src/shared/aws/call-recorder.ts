/**
 * Records every AWS SDK call a client makes — service, operation, input, region and which deployed
 * function or CLI command made it — as one JSON line in the file named by `KIRO_CD_CALL_LOG`.
 * Switched off (no middleware at all) when the variable is absent, as it is on AWS; the tests and
 * the rehearsal switch it on so the least-privilege proof (tools/iam-proof) can simulate each call
 * against the synthesized policies. Imports only `node:fs`: nothing heavy enters a Lambda bundle.
 */
import { appendFileSync } from 'node:fs';

/** The environment variable naming the JSONL file the calls are appended to. */
export const CALL_LOG_VARIABLE = 'KIRO_CD_CALL_LOG';

/** One recorded call: what IAM would authorize, and who asked. */
export interface RecordedCall {
  /** Function construct path (see `CALLERS`) or `kiro-cd <command>`. */
  readonly caller: string;
  /** SDK client name without `Client`, e.g. `DynamoDB`, `CodePipeline`, `SFN`. */
  readonly service: string;
  /** API operation, e.g. `PutItem`, `RollbackStage`. */
  readonly operation: string;
  /** The role the client's credentials assume (another account's role), when not the caller's own. */
  readonly assumedRoleArn?: string;
  /** The region the client sends to, when it resolves. */
  readonly region?: string;
  /** The command's input as serialised (secrets are never inputs of the operations the product calls). */
  readonly input: unknown;
}

/** Where recorded calls go; the default appends to a file. */
export type CallSink = (call: RecordedCall) => void;

/** An SDK v3 client, as far as this module needs to know (every `@aws-sdk/client-*` client is one). */
export interface RecordableClient {
  readonly middlewareStack: object;
  readonly config: object;
}

/**
 * The slice of smithy's `MiddlewareStack` used here. Written out instead of importing `@smithy/types`
 * (not a direct dependency); each client's own stack type is a specialisation of it.
 */
interface InitializeStack {
  add(
    middleware: (next: (args: { input: unknown }) => Promise<unknown>, context: { clientName?: string; commandName?: string }) => (args: { input: unknown }) => Promise<unknown>,
    options: { step: 'initialize'; name: string; override?: boolean },
  ): void;
}

const MIDDLEWARE_NAME = 'kiroCdCallRecorder';

/** A sink appending one JSON line per call to `path`. Appends of one short line are atomic, so parallel test workers can share a file. */
export function fileCallSink(path: string): CallSink {
  return (call) => {
    appendFileSync(path, `${JSON.stringify(call)}\n`);
  };
}

async function regionOf(client: RecordableClient): Promise<string | undefined> {
  const region = (client.config as { region?: unknown }).region;
  try {
    const value: unknown = typeof region === 'function' ? await (region as () => Promise<unknown>)() : region;
    return typeof value === 'string' ? value : undefined;
  } catch {
    // An unresolvable region fails the call itself a moment later, with the SDK's own message.
    return undefined;
  }
}

/** Options of {@link recordCalls}. */
export interface RecordOptions {
  /** Where calls go instead of the file the environment names. */
  readonly sink?: CallSink;
  /** The role the client's credentials assume, when it is not the caller's own. */
  readonly assumedRoleArn?: string;
}

/**
 * Adds the recorder to `client` when `environment` names a call log (or a sink is given), and
 * returns the client. Call it where the product builds a client, naming the caller.
 */
export function recordCalls<C extends RecordableClient>(client: C, caller: string, environment: Readonly<Record<string, string | undefined>> = process.env, options: RecordOptions = {}): C {
  const path = environment[CALL_LOG_VARIABLE];
  const target = options.sink ?? (path === undefined || path === '' ? undefined : fileCallSink(path));
  const assumed = options.assumedRoleArn === undefined ? {} : { assumedRoleArn: options.assumedRoleArn };
  if (target === undefined) return client;
  (client.middlewareStack as InitializeStack).add(
    (next, context) => async (args) => {
      const service = (context.clientName ?? 'Unknown').replace(/Client$/, '');
      const operation = (context.commandName ?? 'Unknown').replace(/Command$/, '');
      const region = await regionOf(client);
      target({ caller, ...assumed, service, operation, ...(region === undefined ? {} : { region }), input: args.input });
      return next(args);
    },
    { step: 'initialize', name: MIDDLEWARE_NAME, override: true },
  );
  return client;
}
