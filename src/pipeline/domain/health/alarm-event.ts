/**
 * What to do with one "CloudWatch Alarm State Change" event for a watched alarm. Pure.
 * A critical alarm entering ALARM interrupts a running bake at once instead of waiting for the next poll.
 */
import type { AlarmStateValue, EnvironmentName } from '../history-model.js';
import type { WatchedAlarm } from './health-verdict.js';

/** The parts of the EventBridge event the decision needs (already parsed and validated). */
export interface AlarmStateChange {
  /** The event id: duplicates of one delivery share it. */
  readonly eventId: string;
  readonly alarmName: string;
  readonly state: AlarmStateValue;
  readonly previousState: AlarmStateValue;
  readonly reason: string;
  /** ISO-8601 time of the change. */
  readonly at: string;
}

/** Where each environment's watched alarms are. */
export type WatchedAlarmsByEnvironment = Readonly<Partial<Record<EnvironmentName, readonly WatchedAlarm[]>>>;

/** The decision for one event. */
export type AlarmEventDecision =
  /** Not one of ours (another stack's alarm that matched the rule): nothing to do. */
  | { readonly kind: 'ignore'; readonly reason: string }
  /** Record the change; the next poll sees it through the alarm state. */
  | { readonly kind: 'record'; readonly environment: EnvironmentName; readonly alarm: WatchedAlarm; readonly reason: string }
  /** A critical alarm fired: mark it, and stop the environment's bake now. */
  | { readonly kind: 'interrupt'; readonly environment: EnvironmentName; readonly alarm: WatchedAlarm; readonly reason: string };

/** Decides what an alarm state change means for the environment that owns the alarm. */
export function decideAlarmEvent(change: AlarmStateChange, watched: WatchedAlarmsByEnvironment): AlarmEventDecision {
  for (const [environment, alarms] of Object.entries(watched) as [EnvironmentName, readonly WatchedAlarm[]][]) {
    const matches = alarms.filter((candidate) => candidate.name === change.alarmName);
    if (matches.length === 0) continue;
    const alarm: WatchedAlarm = matches.some((match) => match.severity === 'critical')
      ? { name: change.alarmName, severity: 'critical' }
      : { name: change.alarmName, severity: 'warning' };
    const transition = `${change.alarmName} (${alarm.severity}) ${change.previousState} -> ${change.state}: ${change.reason}`;
    if (change.state === 'ALARM' && alarm.severity === 'critical') {
      return { kind: 'interrupt', environment, alarm, reason: `Critical alarm fired: ${transition}` };
    }
    return { kind: 'record', environment, alarm, reason: `Alarm state changed: ${transition}` };
  }
  return { kind: 'ignore', reason: `Alarm ${change.alarmName} is not watched by any environment.` };
}
