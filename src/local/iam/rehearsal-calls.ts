/**
 * The rehearsal's calls for the least-privilege proof (opt-in: `KIRO_CD_CALL_LOG=<file> npm start`).
 * The rehearsal runs the runtime's real handlers on clients and adapters the functions share, so a
 * client cannot name its caller; instead each function invocation runs inside `asCaller`, and the
 * recorder attributes every call made within it to that function (Node's AsyncLocalStorage follows
 * the invocation through its awaits). Calls made outside a function (the rehearsal's own reads and
 * checks) are not recorded: no deployed role makes them. `iam-proof-main.ts cdk.out
 * --rehearsal-calls <file>` replays the file with the committed catalogue.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, readFileSync } from 'node:fs';
import { CALL_LOG_VARIABLE, fileCallSink, recordCalls, type RecordableClient, type RecordedCall } from '../../shared/aws/call-recorder.js';
import { MalformedInputError } from '../../shared/errors.js';

const current = new AsyncLocalStorage<string>();

/** Runs `invoke` as the function `caller` (a construct path of `FUNCTION_CALLERS`): its calls are recorded under that name. */
export function asCaller<T>(caller: string, invoke: () => T): T {
  return current.run(caller, invoke);
}

/**
 * Records the calls `client` makes inside {@link asCaller} into the file `environment` names
 * (`KIRO_CD_CALL_LOG`); without it the client is returned untouched, as in every normal run.
 */
export function recordRehearsalCalls<C extends RecordableClient>(client: C, environment: Readonly<Record<string, string | undefined>> = process.env): C {
  const path = environment[CALL_LOG_VARIABLE];
  if (path === undefined || path === '') return client;
  const append = fileCallSink(path);
  return recordCalls(client, 'rehearsal', environment, {
    sink: (call) => {
      const caller = current.getStore();
      if (caller !== undefined) append({ ...call, caller });
    },
  });
}

/** The calls a rehearsal recorded into `file`, or none when it recorded nothing. */
export function readRehearsalCalls(file: string): RecordedCall[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      try {
        return JSON.parse(line) as RecordedCall;
      } catch (error) {
        throw new MalformedInputError(`${file} line ${index + 1} is not a recorded call: ${error instanceof Error ? error.message : String(error)}`, { file }, error);
      }
    });
}
