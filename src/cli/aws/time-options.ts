import { ConfigurationError } from '../../shared/errors.js';

const RELATIVE = /^(\d{1,6})([mhdw])$/;
const UNIT_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * Parses a time flag such as `--since`: an ISO-8601 date or date-time (`2026-11-01`,
 * `2026-11-01T12:00:00Z`) or a duration back from `now` (`30m`, `24h`, `7d`, `2w`). Throws a
 * user-fault error naming the flag and both accepted forms.
 */
export function parseTimeOption(flag: string, value: string, now: Date): Date {
  const relative = RELATIVE.exec(value);
  if (relative !== null) {
    const [, amount, unit] = relative;
    return new Date(now.getTime() - Number(amount) * (UNIT_MS[unit ?? 'd'] ?? 0));
  }
  // eslint-disable-next-line security/detect-unsafe-regex -- linear: the time part [\d:.]+ and the zone (Z or +/-) share no character, and the input is one CLI flag
  if (/^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(value)) {
    const parsed = new Date(value);
    if (!Number.isNaN(parsed.getTime())) return parsed;
  }
  throw new ConfigurationError(
    `--${flag} must be an ISO date such as 2026-11-01 or 2026-11-01T12:00:00Z, or a duration such as 24h, 7d or 2w; got "${value}".`,
    { option: flag, value },
  );
}
