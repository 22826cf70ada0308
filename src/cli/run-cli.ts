import { parseArgs } from 'node:util';
import { asKiroCdError } from '../shared/errors.js';
import { describeOptionError, nearestOption } from './option-errors.js';
import { ExitCode, type Command, type CommandContext, type CommandEntry, type ExitCodeValue } from './command.js';
import { setRunningCommand } from './aws/cli-caller.js';

function usage(commands: readonly CommandEntry[]): string {
  const width = Math.max(...commands.map((command) => command.name.length));
  const lines = commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`);
  return [
    'kiro-cd: operate the Kiro CodeBuild Worker delivery pipeline.',
    '',
    'Usage: kiro-cd <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `kiro-cd <command> --help` for the options of one command.',
    'Exit codes: 0 ok; 1 refused or failed (a gate blocked, a rollback failed); 2 bad input, or an endpoint',
    'that does not serve the service (nothing was changed); 3 unreachable, or not answering like AWS; 4 a defect in kiro-cd.',
  ].join('\n');
}

/** The command itself: a lazy entry's module is imported now, and must give the command it names. */
async function loaded(entry: CommandEntry): Promise<Command> {
  if (!('load' in entry)) return entry;
  const command = await entry.load();
  if (command.name !== entry.name) throw new Error(`the registry entry "${entry.name}" loaded the command "${command.name}"`);
  return command;
}

/**
 * Parses `argv` (without `node` and the script), runs one command and maps errors to exit codes:
 * user errors to 2, transient ones to 3, anything else to 4. Never throws. Only the command that
 * runs is loaded: the command list and an unknown command's suggestion need names and summaries only.
 */
export async function runCli(commands: readonly CommandEntry[], argv: readonly string[], context: CommandContext): Promise<ExitCodeValue> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.out.info(usage(commands));
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  const entry = commands.find((candidate) => candidate.name === name);
  if (entry === undefined) {
    const nearest = nearestOption(name, commands.map((candidate) => candidate.name));
    context.out.error(`kiro-cd: unknown command "${name}"${nearest === undefined ? '' : `; did you mean "${nearest}"?`}\n\n${usage(commands)}`);
    return ExitCode.Usage;
  }
  let command: Command;
  try {
    command = await loaded(entry);
  } catch (thrown) {
    context.out.error(`kiro-cd ${name}: could not load the command: ${asKiroCdError(thrown).message}`);
    return ExitCode.Internal;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: [...rest],
      options: { ...command.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (error) {
    context.out.error(describeOptionError(command.name, error, [...Object.keys(command.options), 'help']));
    return ExitCode.Usage;
  }
  if (parsed.values.help === true) {
    context.out.info(command.help);
    return ExitCode.Ok;
  }
  setRunningCommand(command.name);
  try {
    return await command.run(context, parsed.values, parsed.positionals);
  } catch (thrown) {
    const error = asKiroCdError(thrown);
    context.out.error(`kiro-cd ${command.name}: ${error.message}`);
    if (error.fault === 'user') return ExitCode.Usage;
    if (error.fault === 'transient') return ExitCode.Transient;
    return ExitCode.Internal;
  }
}
