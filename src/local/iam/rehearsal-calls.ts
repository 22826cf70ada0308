/**
 * The rehearsal's calls for the least-privilege proof: recorded by the rehearsal test into the
 * committed catalogue `rehearsal-calls.json` ({@link recordingRehearsalCalls}), or by a whole
 * rehearsal on request (`KIRO_CD_CALL_LOG=<file> npm start`).
 * The rehearsal runs the runtime's real handlers on clients and adapters the functions share, so a
 * client cannot name its caller; instead each function invocation runs inside `asCaller`, and the
 * recorder attributes every call made within it to that function (Node's AsyncLocalStorage follows
 * the invocation through its awaits). Calls made outside a function (the rehearsal's own reads and
 * checks) are not recorded: no deployed role makes them. `npm run validate` replays the committed
 * catalogue (or, with `--rehearsal-calls <file>`, a recorded file instead), each call placed in the
 * real account layout first (rehearsal-layout.ts).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CALL_LOG_VARIABLE, fileCallSink, recordCalls, type CallSink, type RecordableClient, type RecordedCall } from '../../shared/aws/call-recorder.js';
import { MalformedInputError } from '../../shared/errors.js';

/** The committed catalogue of the rehearsal test's calls (the scenarios of test/integration/rehearsal), as recorded: in the emulator's account. */
export const REHEARSAL_CATALOGUE_FILE = fileURLToPath(new URL('./rehearsal-calls.json', import.meta.url));

const current = new AsyncLocalStorage<string>();
const log = new AsyncLocalStorage<CallSink>();

/**
 * Runs `rehearse` with the call recorder on, appending to `file`: the clients the rehearsal builds
 * inside it record as if `KIRO_CD_CALL_LOG` named the file, without setting the variable for the
 * whole process (the test workers share it, and kiro-cd processes would inherit it).
 */
export function recordingRehearsalCalls<T>(file: string, rehearse: () => T): T {
  return log.run(fileCallSink(file), rehearse);
}

/** Runs `invoke` as the function `caller` (a construct path of `FUNCTION_CALLERS`): its calls are recorded under that name. */
export function asCaller<T>(caller: string, invoke: () => T): T {
  return current.run(caller, invoke);
}

/**
 * Records the calls `client` makes inside {@link asCaller} into the file of {@link recordingRehearsalCalls},
 * or else the one `environment` names (`KIRO_CD_CALL_LOG`); without either the client is returned
 * untouched, as in every normal run.
 */
export function recordRehearsalCalls<C extends RecordableClient>(client: C, environment: Readonly<Record<string, string | undefined>> = process.env): C {
  const path = environment[CALL_LOG_VARIABLE];
  const append = log.getStore() ?? (path === undefined || path === '' ? undefined : fileCallSink(path));
  if (append === undefined) return client;
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
