/**
 * Checks a deployment window's EventBridge cron expression and time zone at synth time, so a window
 * that CodePipeline would refuse fails synthesis instead of the deployment. Pure: no AWS, no CDK.
 *
 * The field rules are EventBridge's ("Cron expressions", Amazon EventBridge User Guide,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions):
 * minutes 0-59, hours 0-23, day-of-month 1-31, month 1-12 or JAN-DEC, day-of-week 1-7 or SUN-SAT,
 * year 1970-2199; wildcards `, - * /` everywhere, `?` only in day-of-month or day-of-week and in
 * exactly one of them, `L` and `W` in day-of-month, `L` and `#` in day-of-week.
 */

/** A window that accepts every minute of 09:00-16:59, Monday to Thursday: `*` in the minutes field. */
export const DEPLOYMENT_WINDOW_EXAMPLE = 'cron(* 9-16 ? * MON-THU *)';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly Field[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS },
  { name: 'year', min: 1970, max: 2199 },
];

function value(token: string, field: Field): number | undefined {
  const named = field.names?.indexOf(token.toUpperCase()) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(token)) return undefined;
  const number = Number(token);
  return number >= field.min && number <= field.max ? number : undefined;
}

/** Problems of one comma-separated part of a field, such as `9-16`, `*\/5`, `15W`, `6#3`. */
function partProblem(part: string, field: Field): string | undefined {
  const range = `${field.min}-${field.max}${field.names === undefined ? '' : ` or ${field.names[0] ?? ''}-${field.names.at(-1) ?? ''}`}`;
  if (field.name === 'day-of-month' && /^(L|LW|\d{1,2}W)$/.test(part)) return part.endsWith('W') && part !== 'LW' && value(part.slice(0, -1), field) === undefined ? `"${part}" is outside ${range}` : undefined;
  if (field.name === 'day-of-week' && /^(L|\w+L|\w+#[1-5])$/.test(part)) {
    const day = part === 'L' ? '7' : part.replace(/(L|#[1-5])$/, '');
    return value(day, field) === undefined ? `"${part}" names no day (${range})` : undefined;
  }
  const [base = '', step, extra] = part.split('/');
  if (extra !== undefined) return `"${part}" has more than one "/"`;
  if (step !== undefined && (!/^\d+$/.test(step) || Number(step) === 0 || Number(step) > field.max)) return `"${part}" has a step that is not a whole number from 1 to ${field.max}`;
  if (base === '*') return undefined;
  const ends = base.split('-');
  if (ends.length > 2) return `"${part}" is not a value or a range`;
  for (const end of ends) if (value(end, field) === undefined) return `"${end}" is outside ${range}`;
  return undefined;
}

/**
 * What is wrong with an EventBridge cron expression used as a deployment window, or undefined when
 * it is valid. Each problem names the field and the allowed values.
 */
export function cronProblem(expression: string): string | undefined {
  const inner = /^cron\((.*)\)$/.exec(expression.trim())?.[1];
  const fields = inner?.trim().split(/\s+/) ?? [];
  if (fields.length !== 6) return `must be an EventBridge cron expression with six fields (minutes hours day-of-month month day-of-week year), such as "${DEPLOYMENT_WINDOW_EXAMPLE}"`;
  const questionMarks = [fields[2], fields[4]].filter((field) => field === '?').length;
  if (questionMarks !== 1) {
    return `must have "?" in exactly one of day-of-month and day-of-week (EventBridge cannot take both), such as "${DEPLOYMENT_WINDOW_EXAMPLE}"`;
  }
  for (const [index, text] of fields.entries()) {
    const field = FIELDS[index];
    if (field === undefined || text === '?') continue;
    if (text.includes('?')) return `must use "?" alone and only in day-of-month or day-of-week, not in ${field.name} "${text}"`;
    for (const part of text.split(',')) {
      const problem = partProblem(part, field);
      if (problem !== undefined) return `must keep every field in its range; in ${field.name}, ${problem}; write it like "${DEPLOYMENT_WINDOW_EXAMPLE}"`;
    }
  }
  return undefined;
}

/**
 * True for an IANA time zone this runtime knows: listed by `Intl.supportedValuesOf('timeZone')`,
 * `UTC`, or an alias of a listed zone that `Intl.DateTimeFormat` accepts (such as `Europe/Kyiv`
 * where the list still says `Europe/Kiev`). A misspelt zone such as `Europe/Berln` is none of these.
 */
export function isIanaTimeZone(zone: string): boolean {
  if (zone === 'UTC' || Intl.supportedValuesOf('timeZone').includes(zone)) return true;
  if (!/^[A-Za-z_]+\/[A-Za-z_+\-/0-9]+$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
