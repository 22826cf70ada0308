/**
 * The DeploymentWindow rule: does an instant fall inside a Quartz-style cron window
 * (`sec min hour day-of-month month day-of-week year`) in a time zone? The rule succeeds inside the
 * window ([DeploymentWindow rule](https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-DeploymentWindow.html)).
 * Supports `*`, `?`, lists, ranges, steps and month/day names; `L`, `W` and `#` are refused loudly.
 */
import { MalformedInputError } from '../../shared/errors.js';

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
/** Quartz numbers days of the week 1 (Sunday) to 7 (Saturday). */
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface FieldSpec {
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const FIELDS: readonly FieldSpec[] = [
  { min: 0, max: 59 },
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 1, max: 7, names: DAYS },
  { min: 1970, max: 2199 },
];

function valueOf(token: string, spec: FieldSpec, cron: string): number {
  const named = spec.names?.indexOf(token.toUpperCase()) ?? -1;
  const value = named >= 0 ? named + 1 : Number(token);
  if (!Number.isInteger(value) || value < spec.min || value > spec.max) {
    throw new MalformedInputError(`The DeploymentWindow cron "${cron}" has "${token}", which is not a value between ${spec.min} and ${spec.max}.`, { cron });
  }
  return value;
}

function matchesField(field: string, actual: number, spec: FieldSpec, cron: string): boolean {
  if (field === '*' || field === '?') return true;
  if (/[LW#]/.test(field)) throw new MalformedInputError(`The DeploymentWindow cron "${cron}" uses L, W or #, which the local rule does not evaluate.`, { cron });
  return field.split(',').some((part) => {
    const [range = '', stepText] = part.split('/');
    const step = stepText === undefined ? 1 : Number(stepText);
    const [fromText = '', toText] = range.split('-');
    const from = range === '*' ? spec.min : valueOf(fromText, spec, cron);
    const to = range === '*' ? spec.max : toText === undefined ? (stepText === undefined ? from : spec.max) : valueOf(toText, spec, cron);
    return actual >= from && actual <= to && (actual - from) % step === 0;
  });
}

/** The calendar fields of `at` in `timeZone`, as the cron reads them. */
function fieldsIn(at: Date, timeZone: string): number[] {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    weekday: 'short',
  }).formatToParts(at);
  const part = (type: string): string => parts.find((candidate) => candidate.type === type)?.value ?? '';
  const weekday = DAYS.indexOf(part('weekday').toUpperCase()) + 1;
  return [Number(part('second')), Number(part('minute')), Number(part('hour')), Number(part('day')), Number(part('month')), weekday, Number(part('year'))];
}

/** True when `at` lies in the window `cron` describes, read in `timeZone` (default UTC). */
export function insideDeploymentWindow(cron: string, timeZone: string | undefined, at: Date): boolean {
  const fields = cron.trim().split(/\s+/);
  if (fields.length < 6 || fields.length > 7) {
    throw new MalformedInputError(`The DeploymentWindow cron "${cron}" must have 6 or 7 fields (sec min hour day-of-month month day-of-week [year]).`, { cron });
  }
  let actual: number[];
  try {
    actual = fieldsIn(at, timeZone ?? 'UTC');
  } catch (cause) {
    throw new MalformedInputError(`The DeploymentWindow time zone "${timeZone ?? ''}" is not an IANA time zone.`, { timeZone }, cause);
  }
  // Every field is read (map, not every), so an unsupported token is refused whatever the time.
  return fields.map((field, index) => matchesField(field, actual[index] ?? Number.NaN, FIELDS[index] ?? { min: 0, max: 0 }, cron)).every(Boolean);
}
