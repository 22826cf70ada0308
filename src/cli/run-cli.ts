import { parseArgs } from 'node:util';
import { asKiroCdError } from '../shared/errors.js';
import { describeOptionError, nearestOption } from './option-errors.js';
import { ExitCode, type Command, type CommandContext, type ExitCodeValue } from './command.js';
import { setRunningCommand } from './aws/cli-caller.js';

function usage(commands: readonly Command[]): string {
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

/**
 * Parses `argv` (without `node` and the script), runs one command and maps errors to exit codes:
 * user errors to 2, transient ones to 3, anything else to 4. Never throws.
 */
export async function runCli(commands: readonly Command[], argv: readonly string[], context: CommandContext): Promise<ExitCodeValue> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    context.out.info(usage(commands));
    return name === undefined ? ExitCode.Usage : ExitCode.Ok;
  }
  const command = commands.find((candidate) => candidate.name === name);
  if (command === undefined) {
    const nearest = nearestOption(name, commands.map((candidate) => candidate.name));
    context.out.error(`kiro-cd: unknown command "${name}"${nearest === undefined ? '' : `; did you mean "${nearest}"?`}\n\n${usage(commands)}`);
    return ExitCode.Usage;
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
