import type { ParseArgsConfig } from 'node:util';
import type { Output } from './output.js';

/** Exit codes of every `kiro-cd` command. */
export const ExitCode = {
  /** Done; for a gate: passed. */
  Ok: 0,
  /** The operation ran and the answer is "no": a gate found blocking findings, a rollback failed. */
  Failed: 1,
  /** The call was wrong: unknown command, bad flag or value. Nothing was changed. */
  Usage: 2,
  /** A dependency failed (AWS throttling, network, a tool that could not run); retrying may help. */
  Transient: 3,
  /** A defect in kiro-cd itself. */
  Internal: 4,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** What every command receives: where to print, the environment and the working directory. */
export interface CommandContext {
  readonly out: Output;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}

/** Values of the parsed options (node:util parseArgs): strings, booleans, or lists for `multiple` options. */
export type OptionValues = Readonly<Record<string, string | boolean | (string | boolean)[] | undefined>>;

/** One `kiro-cd` subcommand. */
export interface Command {
  /** The word after `kiro-cd`, such as `status` or `gate`. */
  readonly name: string;
  /** One line for the command list. */
  readonly summary: string;
  /** Full help text: usage line, arguments, options, examples. */
  readonly help: string;
  /** Options in `node:util` parseArgs form (`--help` is added for every command). */
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Runs the command; returns an exit code, throws a KiroCdError for failures. */
  run(context: CommandContext, values: OptionValues, positionals: readonly string[]): Promise<ExitCodeValue>;
}

/**
 * A command known by its name and summary, whose module is imported only when it runs. Each command's
 * module imports its AWS SDK clients and adapters; importing every command's module up front made
 * every `kiro-cd` process import them all (docs/fast-feedback.md, "The CLI loads one command").
 */
export interface LazyCommand {
  readonly name: string;
  readonly summary: string;
  /** Imports the command's module and returns the command; its name and summary are the ones above. */
  load(): Promise<Command>;
}

/** What `runCli` dispatches to: a command, or a command it loads when it is invoked. */
export type CommandEntry = Command | LazyCommand;
