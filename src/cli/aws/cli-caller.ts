/**
 * The `kiro-cd` command now running, for the call recorder: a CLI process runs one command, so the
 * runner names it once and every client the command opens records its calls under that name.
 */
import { cliCaller } from '../../shared/aws/callers.js';
import { recordCalls, type RecordableClient } from '../../shared/aws/call-recorder.js';

let current = 'unknown';

/** Names the command being run (called by `runCli` before it runs the command). */
export function setRunningCommand(name: string): void {
  current = name;
}

/** Adds the call recorder to a client the running command opens (a no-op unless recording is on). */
export function recordCliCalls<C extends RecordableClient>(client: C): C {
  return recordCalls(client, cliCaller(current));
}
