/**
 * The arguments of `npm start` (`--scenario <name>`, `--keep-emulator`): parsed and checked in a
 * module that loads nothing of the rehearsal itself (the scenario list only), so `npm start` can
 * refuse a typo, with exit code 2 and before it touches `cdk.out`, in the first moments of its
 * process, and start synthesis before it loads everything else (src/cli/start.ts).
 */
import { asKiroCdError, ConfigurationError } from '../shared/errors.js';
import { SCENARIO_NAMES } from './scenario-definition.js';
import { selectScenarios } from './scenarios.js';

/** Usage of `npm start -- ...`. */
export const REHEARSAL_USAGE = 'Usage: npm start [-- --scenario <name> ...] [-- --keep-emulator]';

/** Parses `--scenario <name>` (repeatable) and `--keep-emulator` from the arguments after `npm start --`. */
export function parseRehearsalArguments(argv: readonly string[]): { readonly scenarios: string[]; readonly keepEmulator: boolean } {
  const scenarios: string[] = [];
  let keepEmulator = false;
  for (let index = 0; index < argv.length; index += 1) {
    const argument = argv[index] ?? '';
    if (argument === '--keep-emulator') {
      keepEmulator = true;
    } else if (argument === '--scenario' || argument.startsWith('--scenario=')) {
      const value = argument.includes('=') ? argument.slice('--scenario='.length) : argv[(index += 1)];
      if (value === undefined || value === '') throw new ConfigurationError(`--scenario needs a name: one of ${SCENARIO_NAMES.join(', ')}.`);
      scenarios.push(...value.split(','));
    } else {
      throw new ConfigurationError(`Unknown argument "${argument}". Use --scenario <name> (one of ${SCENARIO_NAMES.join(', ')}) or --keep-emulator.`);
    }
  }
  const selection = selectScenarios(scenarios);
  if (selection.kind === 'unknown') {
    throw new ConfigurationError(`Unknown scenario ${selection.unknown.map((name) => `"${name}"`).join(', ')}: choose from ${SCENARIO_NAMES.join(', ')}.`);
  }
  return { scenarios, keepEmulator };
}

/** Checks the arguments of `npm start`; returns an error message, or undefined when they are fine. */
export function checkRehearsalArguments(argv: readonly string[]): string | undefined {
  try {
    parseRehearsalArguments(argv);
    return undefined;
  } catch (error) {
    return `${asKiroCdError(error).message}\n${REHEARSAL_USAGE}`;
  }
}
