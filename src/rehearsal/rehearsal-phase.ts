/**
 * The rehearsal as a phase of `npm start`: argument parsing (before anything runs, so a typo fails at
 * once with exit code 2), its preparation (the emulator and the closed-window variant start beside
 * synthesis), then the rehearsal, with its errors mapped to exit codes like the CLI's.
 */
import { join } from 'node:path';
import { ExitCode, type ExitCodeValue } from '../cli/command.js';
import type { Output } from '../cli/output.js';
import type { PipelineDeclaration } from '../local/codepipeline/declaration.js';
import { startMotoServer, type MotoServer } from '../local/moto-server.js';
import { asKiroCdError } from '../shared/errors.js';
import { loadRehearsalConfig } from './rehearsal-config.js';
import { parseRehearsalArguments } from './rehearsal-arguments.js';
import { EMULATOR_ACCOUNT, rehearsalClockStart, runRehearsal, type PhaseTiming } from './run-rehearsal.js';
import { selectScenarios } from './scenarios.js';
import { synthesizeClosedWindowDeclaration } from './scenarios/window-variant.js';

// The argument check lives in a light module of its own, for npm start's entry (src/cli/start.ts).
export { checkRehearsalArguments, REHEARSAL_USAGE } from './rehearsal-arguments.js';

/**
 * How long `npm start` lets the emulator take to answer. It starts beside two syntheses on a 2-core
 * machine, where Python importing moto has taken far longer than the 1.5 s it takes idle.
 */
export const MAIN_JOB_EMULATOR_READY_LIMIT_MS = 90_000;

/**
 * The last line of `npm start`: its whole wall time and the peak resident memory of its process tree
 * (this process and every child: synthesis, cfn-lint, cfn-guard, moto_server), or that the peak could
 * not be measured (no /proc).
 */
export function formatMainJobCost(durationMs: number, peakMiB: number | undefined): string {
  const memory = peakMiB === undefined ? 'peak memory not measured (no /proc on this system)' : `peak resident memory ${Math.round(peakMiB)} MiB (the process tree: synthesis, gates, emulator, rehearsal)`;
  return `\nnpm start: ${(durationMs / 1000).toFixed(1)} s in all, ${memory}.`;
}

/**
 * A rehearsal whose slow preparations have started: the emulator, and the closed-window variant's
 * synthesis when a chosen scenario needs it. Exactly one of `run` and `cancel` is called; either
 * leaves no emulator and no synthesis running, unless the rehearsal was asked to keep its emulator.
 */
export interface PreparedRehearsal {
  /**
   * Rehearses over the cloud assembly synthesis wrote; every line goes to `out`. `npm start` starts
   * it once the templates are written, while synthesis still validates them: if synthesis then fails,
   * it aborts `signal`, and the rehearsal stops its emulator and the variant's synthesis at once and
   * ends at its next step with exit code 1 (its output is not shown then).
   */
  run(context: { readonly out: Output; readonly phases: readonly PhaseTiming[] | (() => Promise<readonly PhaseTiming[]>); readonly signal?: AbortSignal }): Promise<ExitCodeValue>;
  /** Stops what was started, without rehearsing (synthesis failed: there is nothing to rehearse). */
  cancel(): Promise<void>;
}

/** What {@link prepareRehearsal} needs; the starters are replaceable so tests can watch them. */
export interface RehearsalPreparation {
  readonly cwd: string;
  /** Rehearsal time at the clock's start, fixed now so the variant can be closed from it. @default rehearsalClockStart(Date.now()) */
  readonly clockStart?: Date;
  /** @default startMotoServer, with {@link MAIN_JOB_EMULATOR_READY_LIMIT_MS} */
  readonly startEmulator?: () => Promise<MotoServer>;
  /** @default synthesizeClosedWindowDeclaration */
  readonly synthesizeVariant?: (closedFrom: Date, where: { readonly region: string; readonly account: string }, signal: AbortSignal) => Promise<PipelineDeclaration>;
}

/** Maps an error the rehearsal could not run past to the CLI's exit codes, printing it. */
function failedToRun(thrown: unknown, out: Output): ExitCodeValue {
  const error = asKiroCdError(thrown);
  out.error(`rehearsal: ${error.message}`);
  return error.fault === 'user' ? ExitCode.Usage : error.fault === 'transient' ? ExitCode.Transient : ExitCode.Internal;
}

/**
 * Starts the rehearsal's preparations at once (`npm start` calls it beside synthesis): the emulator,
 * and, when a chosen scenario needs it, the closed-window variant's synthesis, closed from the
 * rehearsal clock's start. Arguments that do not parse start nothing; `run` then reports them.
 */
export function prepareRehearsal(argv: readonly string[], preparation: RehearsalPreparation): PreparedRehearsal {
  let parsed: ReturnType<typeof parseRehearsalArguments>;
  try {
    parsed = parseRehearsalArguments(argv);
  } catch (thrown) {
    return { run: ({ out }) => Promise.resolve(failedToRun(thrown, out)), cancel: () => Promise.resolve() };
  }
  const { scenarios, keepEmulator } = parsed;
  const clockStart = preparation.clockStart ?? rehearsalClockStart(Date.now());
  const starting = (preparation.startEmulator ?? (() => startMotoServer({ timeoutMs: MAIN_JOB_EMULATOR_READY_LIMIT_MS })))();
  // Awaited by run or cancel; a failure to start is reported there, never as an unhandled rejection.
  starting.catch(() => undefined);
  let stopping: Promise<void> | undefined;
  const stopEmulator = (): Promise<void> =>
    (stopping ??= starting.then(
      (server) => server.stop(),
      () => undefined,
    ));
  const emulator = starting.then((server): MotoServer => ({ endpoint: server.endpoint, ...(server.pid === undefined ? {} : { pid: server.pid }), reset: () => server.reset(), stop: stopEmulator }));
  emulator.catch(() => undefined);

  const variantAbort = new AbortController();
  const selection = selectScenarios(scenarios);
  const needsVariant = selection.kind === 'selected' && selection.scenarios.some((scenario) => scenario.configurationChange === 'production-window-closed');
  const synthesizeVariant = preparation.synthesizeVariant ?? synthesizeClosedWindowDeclaration;
  const productionWindowClosed = needsVariant
    ? loadRehearsalConfig().then((config) => synthesizeVariant(clockStart, { region: config.pipeline.region, account: EMULATOR_ACCOUNT }, variantAbort.signal))
    : undefined;
  // Awaited only by its scenario; a failure is reported there.
  productionWindowClosed?.catch(() => undefined);

  return {
    async run({ out, phases, signal }) {
      let kept = false;
      // Aborted (synthesis failed after the templates were written): the emulator's calls then fail at once, so the rehearsal stops quickly.
      const onAbort = (): void => {
        variantAbort.abort();
        // Awaited again below, where a failure to stop is reported as before.
        stopEmulator().catch(() => undefined);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const result = await runRehearsal({
          cwd: preparation.cwd,
          assemblyDir: join(preparation.cwd, 'cdk.out'),
          scenarios,
          keepEmulator,
          out,
          phases,
          startEmulator: () => emulator,
          clockStart,
          ...(productionWindowClosed === undefined ? {} : { productionWindowClosed }),
          ...(signal === undefined ? {} : { signal }),
        });
        kept = result.keptEndpoint !== undefined;
        if (signal?.aborted === true) {
          // Ended just as it was aborted: what it found is void, and a kept endpoint is not kept.
          if (kept) await result.stop?.();
          kept = false;
          throw signal.reason;
        }
        return result.exitCode === 0 ? ExitCode.Ok : ExitCode.Failed;
      } catch (thrown) {
        if (signal?.aborted === true) {
          out.error('rehearsal: aborted, because synthesis failed after the templates were written.');
          return ExitCode.Failed;
        }
        return failedToRun(thrown, out);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        // A rehearsal that stopped before its variant scenario leaves the variant's synthesis nothing to do.
        variantAbort.abort();
        if (!kept) await stopEmulator();
      }
    },
    async cancel() {
      variantAbort.abort();
      await stopEmulator();
    },
  };
}

/**
 * Runs the rehearsal over a cloud assembly that already exists, starting the emulator only once the
 * assembly has been found; returns the process exit code. (`npm start` uses {@link prepareRehearsal}
 * instead, to start the emulator beside synthesis.)
 */
export async function rehearsalPhase(argv: readonly string[], context: { readonly cwd: string; readonly out: Output; readonly phases: readonly PhaseTiming[] }): Promise<ExitCodeValue> {
  try {
    const { scenarios, keepEmulator } = parseRehearsalArguments(argv);
    const result = await runRehearsal({ cwd: context.cwd, assemblyDir: join(context.cwd, 'cdk.out'), scenarios, keepEmulator, out: context.out, phases: context.phases });
    return result.exitCode === 0 ? ExitCode.Ok : ExitCode.Failed;
  } catch (thrown) {
    return failedToRun(thrown, context.out);
  }
}
