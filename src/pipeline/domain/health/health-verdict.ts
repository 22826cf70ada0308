/**
 * The health verdict: what the health monitor does after one look at an environment's alarms.
 * Pure: the caller reads the alarms and the clock and passes them in.
 */
import type { AlarmSeverity, AlarmStateValue } from '../history-model.js';

/** An alarm the monitor watches, with the severity the configuration gives it. */
export interface WatchedAlarm {
  /** Deployed alarm name, `<stackPrefix>-<id>`. */
  readonly name: string;
  readonly severity: AlarmSeverity;
}

/** What one read of one alarm returned; `MISSING` when it does not exist or could not be read. */
export interface AlarmReading {
  readonly name: string;
  readonly state: AlarmStateValue;
  /** CloudWatch's own state reason, or why it could not be read. */
  readonly reason?: string;
}

/** One alarm as the verdict saw it: what is recorded in the history and sent in notices. */
export interface JudgedAlarm {
  readonly name: string;
  readonly severity: AlarmSeverity;
  readonly state: AlarmStateValue;
}

/** A critical alarm that fired (EventBridge) since the deployment began, even if it is OK again now. */
export interface FiredCriticalAlarm {
  readonly name: string;
  /** ISO-8601 time of the state change. */
  readonly at: string;
}

/** Everything the verdict depends on. */
export interface HealthCheckInput {
  readonly watched: readonly WatchedAlarm[];
  readonly readings: readonly AlarmReading[];
  /** Seconds since the bake began. */
  readonly elapsedSeconds: number;
  /** Length of the bake (config `healthCheck.durationSeconds`). */
  readonly durationSeconds: number;
  /** Alarms a reviewer already approved during this bake (warnings in ALARM, alarms without data): they do not pause it again. */
  readonly acknowledged?: readonly string[];
  /** Critical alarms that went to ALARM between two polls (or during the deployment). */
  readonly firedCritical?: readonly FiredCriticalAlarm[];
}

/** The decision: keep watching, pass, roll back, or ask a person. */
export type HealthVerdict =
  | { readonly kind: 'continue'; readonly reason: string; readonly alarms: readonly JudgedAlarm[] }
  | { readonly kind: 'pass'; readonly reason: string; readonly alarms: readonly JudgedAlarm[] }
  | { readonly kind: 'pause-for-review'; readonly reason: string; readonly alarms: readonly JudgedAlarm[]; readonly reviewAlarms: readonly string[] }
  | { readonly kind: 'rollback'; readonly reason: string; readonly alarms: readonly JudgedAlarm[] };

/** The kinds of verdict, from best to worst; `continue` and `pass` only differ by elapsed time. */
export type HealthVerdictKind = HealthVerdict['kind'];

/** Severity order of verdicts: a worse alarm picture may only move a verdict up this scale. */
export const VERDICT_RANK: Readonly<Record<HealthVerdictKind, number>> = {
  pass: 0,
  continue: 0,
  'pause-for-review': 1,
  rollback: 2,
};

/** How bad an alarm state is, for ordering; `MISSING` (unreadable) is the worst: the monitor fails closed. */
export const STATE_RANK: Readonly<Record<AlarmStateValue, number>> = {
  OK: 0,
  INSUFFICIENT_DATA: 1,
  ALARM: 2,
  MISSING: 3,
};

function sortedNames(names: Iterable<string>): string[] {
  return [...new Set(names)].sort();
}

/**
 * Decides from one look at the alarms. Rules, in order (the first that applies wins):
 * 1. a watched alarm that is missing or unreadable → rollback (fail closed, never pass silently);
 * 2. a critical alarm in ALARM now, or fired since the deployment began → rollback;
 * 3. a warning alarm in ALARM that no reviewer approved yet → pause-for-review;
 * 4. the bake is not over → continue (INSUFFICIENT_DATA is tolerated while alarms warm up);
 * 5. the bake is over and an alarm still has INSUFFICIENT_DATA → pause-for-review (nobody can
 *    say it is healthy, so a person decides);
 * 6. otherwise → pass.
 * The result never depends on the order of `watched` or `readings`.
 */
export function decideHealth(input: HealthCheckInput): HealthVerdict {
  const byName = new Map<string, AlarmStateValue>();
  for (const reading of input.readings) {
    const seen = byName.get(reading.name);
    // Two readings of one alarm (a retry): keep the worse, so order never matters.
    if (seen === undefined || STATE_RANK[reading.state] > STATE_RANK[seen]) byName.set(reading.name, reading.state);
  }
  const severities = new Map<string, AlarmSeverity>();
  for (const alarm of input.watched) {
    // An alarm listed twice with two severities counts as critical: the safer reading.
    if (severities.get(alarm.name) !== 'critical') severities.set(alarm.name, alarm.severity);
  }
  const alarms: JudgedAlarm[] = sortedNames(severities.keys()).map((name) => ({
    name,
    severity: severities.get(name) ?? 'critical',
    state: byName.get(name) ?? 'MISSING',
  }));
  const acknowledged = new Set(input.acknowledged ?? []);

  if (alarms.length === 0) {
    return { kind: 'rollback', reason: 'No alarms are configured for this environment, so its health cannot be judged: configure alarms.critical.', alarms };
  }
  const missing = alarms.filter((alarm) => alarm.state === 'MISSING').map((alarm) => alarm.name);
  if (missing.length > 0) {
    return {
      kind: 'rollback',
      reason: `Alarm${missing.length === 1 ? '' : 's'} ${missing.join(', ')} could not be read (missing or unreadable); failing closed.`,
      alarms,
    };
  }
  const criticalNow = alarms.filter((alarm) => alarm.severity === 'critical' && alarm.state === 'ALARM').map((alarm) => alarm.name);
  const firedBetweenPolls = sortedNames(
    (input.firedCritical ?? []).map((fired) => fired.name).filter((name) => severities.get(name) === 'critical'),
  );
  const critical = sortedNames([...criticalNow, ...firedBetweenPolls]);
  if (critical.length > 0) {
    return { kind: 'rollback', reason: `Critical alarm${critical.length === 1 ? '' : 's'} ${critical.join(', ')} in ALARM.`, alarms };
  }
  const warnings = alarms
    .filter((alarm) => alarm.severity === 'warning' && alarm.state === 'ALARM' && !acknowledged.has(alarm.name))
    .map((alarm) => alarm.name);
  if (warnings.length > 0) {
    return {
      kind: 'pause-for-review',
      reason: `Warning alarm${warnings.length === 1 ? '' : 's'} ${warnings.join(', ')} in ALARM: a person must approve or reject the release.`,
      alarms,
      reviewAlarms: warnings,
    };
  }
  if (input.elapsedSeconds < input.durationSeconds) {
    return { kind: 'continue', reason: `Healthy so far (${Math.floor(input.elapsedSeconds)} s of ${input.durationSeconds} s).`, alarms };
  }
  const unknown = alarms.filter((alarm) => alarm.state === 'INSUFFICIENT_DATA' && !acknowledged.has(alarm.name)).map((alarm) => alarm.name);
  if (unknown.length > 0) {
    return {
      kind: 'pause-for-review',
      reason: `Bake over but alarm${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')} still ha${unknown.length === 1 ? 's' : 've'} insufficient data: a person must approve or reject the release.`,
      alarms,
      reviewAlarms: unknown,
    };
  }
  return { kind: 'pass', reason: `All ${alarms.length} alarms healthy for the whole bake of ${input.durationSeconds} s.`, alarms };
}
