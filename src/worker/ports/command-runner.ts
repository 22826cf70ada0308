/** How a command ended: its exit code, or the signal that stopped it. */
export interface CommandResult {
  readonly exitCode: number | null;
  readonly signal: string | null;
}

/** Runs the implementation command of a work item. */
export interface CommandRunner {
  /** Runs `command` with the extra environment; resolves when it ends, whatever its exit code. */
  run(command: string, environment: Readonly<Record<string, string>>): Promise<CommandResult>;
}
