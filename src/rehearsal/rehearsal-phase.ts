/**
 * The rehearsal as the second phase of `npm start`: argument parsing (before anything runs, so a
 * typo fails at once with exit code 2), then the rehearsal, with its errors mapped to exit codes
 * like the CLI's.
 */
import { join } from 'node:path';
import { ExitCode, type ExitCodeValue } from '../cli/command.js';
import type { Output } from '../cli/output.js';
import { asKiroCdError } from '../shared/errors.js';
import { parseRehearsalArguments, runRehearsal } from './run-rehearsal.js';

/** Usage of `npm start -- ...`. */
export const REHEARSAL_USAGE = 'Usage: npm start [-- --scenario <name> ...] [-- --keep-emulator]';

/** Checks the arguments of `npm start`; returns an error message, or undefined when they are fine. */
export function checkRehearsalArguments(argv: readonly string[]): string | undefined {
  try {
    parseRehearsalArguments(argv);
    return undefined;
  } catch (error) {
    return `${asKiroCdError(error).message}\n${REHEARSAL_USAGE}`;
  }
}

/**
 * The last line of `npm start`: its whole wall time and the peak resident memory of its process tree
 * (this process and every child: synthesis, cfn-lint, cfn-guard, moto_server), or that the peak could
 * not be measured (no /proc).
 */
export function formatMainJobCost(durationMs: number, peakMiB: number | undefined): string {
  const memory = peakMiB === undefined ? 'peak memory not measured (no /proc on this system)' : `peak resident memory ${Math.round(peakMiB)} MiB (the process tree: synthesis, gates, emulator, rehearsal)`;
  return `\nnpm start: ${(durationMs / 1000).toFixed(1)} s in all, ${memory}.`;
}

/** Runs the rehearsal phase after synthesis and the gates; returns the process exit code. */
export async function rehearsalPhase(
  argv: readonly string[],
  context: { readonly cwd: string; readonly out: Output; readonly phases: readonly { readonly name: string; readonly durationMs: number }[] },
): Promise<ExitCodeValue> {
  try {
    const { scenarios, keepEmulator } = parseRehearsalArguments(argv);
    const result = await runRehearsal({ cwd: context.cwd, assemblyDir: join(context.cwd, 'cdk.out'), scenarios, keepEmulator, out: context.out, phases: context.phases });
    return result.exitCode === 0 ? ExitCode.Ok : ExitCode.Failed;
  } catch (thrown) {
    const error = asKiroCdError(thrown);
    context.out.error(`rehearsal: ${error.message}`);
    return error.fault === 'user' ? ExitCode.Usage : error.fault === 'transient' ? ExitCode.Transient : ExitCode.Internal;
  }
}
