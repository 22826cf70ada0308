/**
 * Turns what `node:util` parseArgs throws into the CLI's own sentence: which option is wrong, the
 * nearest valid option for a typo, and where the full list is. parseArgs' text ("To specify a
 * positional argument starting with a '-' ...") answers a question nobody asked.
 */

/** Edit distance between two short strings (insertions, deletions, substitutions). */
export function editDistance(left: string, right: string): number {
  let previous = Array.from({ length: right.length + 1 }, (_, index) => index);
  for (let i = 1; i <= left.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= right.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (left[i - 1] === right[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[right.length] ?? 0;
}

/** The known option closest to `given` (without dashes), when it is close enough to be a typo. */
export function nearestOption(given: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    const distance = editDistance(given, name);
    if (best === undefined || distance < best.distance) best = { name, distance };
  }
  if (best === undefined) return undefined;
  return best.distance <= Math.max(2, Math.floor(best.name.length / 3)) ? best.name : undefined;
}

/** The option a parseArgs message quotes, such as `--enviroment` from "Unknown option '--enviroment'". */
function quotedOption(message: string): string | undefined {
  return /'(-{1,2}[^' =<]+)/.exec(message)?.[1];
}

/**
 * The user-facing message for a parseArgs error of `command`, whose options are `known` (names
 * without dashes). Falls back to naming the command's help when the error is of another kind.
 */
export function describeOptionError(command: string, error: unknown, known: readonly string[]): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error).code) : '';
  const message = error instanceof Error ? error.message : String(error);
  const option = quotedOption(message);
  const help = `Run "kiro-cd ${command} --help" for its options.`;
  if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && option !== undefined) {
    const nearest = nearestOption(option.replace(/^-+/, ''), known);
    return `kiro-cd ${command}: unknown option ${option}${nearest === undefined ? '' : `; did you mean --${nearest}?`} ${help}`;
  }
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && option !== undefined) {
    return /does not take an argument/.test(message)
      ? `kiro-cd ${command}: ${option} is a switch and takes no value. ${help}`
      : `kiro-cd ${command}: ${option} needs a value, such as ${option} <value>. ${help}`;
  }
  return `kiro-cd ${command}: the options could not be read (${code === '' ? 'unexpected input' : code}). ${help}`;
}
