/** How a command ended: its exit code, or the signal that stopped it. */
export interface CommandResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
  /** True when the runner stopped the command because it ran past its deadline. */
  readonly timedOut?: boolean;
}

/** Runs the implementation command of a work item. */
export interface CommandRunner {
  /**
   * Runs `command` with the extra environment; resolves when it ends, whatever its exit code (also
   * when stopped at its deadline). Rejects only when the command cannot be run at all: a worker fault.
   */
  run(command: string, environment: Readonly<Record<string, string>>): Promise<CommandResult>;
}
