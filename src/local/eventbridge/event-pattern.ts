/**
 * EventBridge event-pattern matching, as the
 * [event patterns page](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html)
 * and [content filtering](https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html)
 * describe: every field of the pattern must match; an array lists the accepted values (an event
 * array matches when one of its elements does); objects nest; the operators `prefix`, `suffix`,
 * `anything-but`, `exists` and `equals-ignore-case` are supported, others are refused loudly.
 */
import { MalformedInputError } from '../../shared/errors.js';

function matchesOperator(operator: Record<string, unknown>, value: unknown, present: boolean): boolean {
  const [name, argument] = Object.entries(operator)[0] ?? ['', undefined];
  switch (name) {
    case 'exists':
      return argument === present;
    case 'prefix':
      return typeof value === 'string' && typeof argument === 'string' && value.startsWith(argument);
    case 'suffix':
      return typeof value === 'string' && typeof argument === 'string' && value.endsWith(argument);
    case 'equals-ignore-case':
      return typeof value === 'string' && typeof argument === 'string' && value.toLowerCase() === argument.toLowerCase();
    case 'anything-but': {
      if (!present) return false;
      const excluded = Array.isArray(argument) ? argument : [argument];
      return !excluded.some((candidate) => (typeof candidate === 'object' && candidate !== null ? matchesOperator(candidate as Record<string, unknown>, value, present) : candidate === value));
    }
    default:
      throw new MalformedInputError(`The event pattern operator "${name}" is not evaluated locally.`, { operator: name });
  }
}

function matchesValues(accepted: readonly unknown[], value: unknown, present: boolean): boolean {
  const values = Array.isArray(value) ? value : [value];
  return accepted.some((candidate) =>
    typeof candidate === 'object' && candidate !== null ? (present || 'exists' in candidate ? values.some((item) => matchesOperator(candidate as Record<string, unknown>, item, present)) : false) : present && values.some((item) => item === candidate),
  );
}

/** True when `event` matches `pattern`. */
export function matchesEventPattern(pattern: Readonly<Record<string, unknown>>, event: Readonly<Record<string, unknown>>): boolean {
  return Object.entries(pattern).every(([key, expected]) => {
    const present = key in event && event[key] !== undefined;
    const value = event[key];
    if (Array.isArray(expected)) return matchesValues(expected, value, present);
    if (typeof expected === 'object' && expected !== null) {
      return present && typeof value === 'object' && value !== null && !Array.isArray(value) && matchesEventPattern(expected as Record<string, unknown>, value as Record<string, unknown>);
    }
    throw new MalformedInputError(`The event pattern field "${key}" must be an array or an object.`, { key });
  });
}
