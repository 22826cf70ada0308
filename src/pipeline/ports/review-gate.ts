/**
 * Answers a paused Step Functions task (SendTaskSuccess / SendTaskFailure): a reviewer's decision,
 * or the alarm-event handler waking the health monitor because a critical alarm fired.
 */
export interface ReviewGate {
  /** Approves the release paused for review: the bake continues. */
  approve(token: string, actor: string, comment?: string): Promise<void>;
  /** Rejects it: the health monitor fails and the stage rolls back. */
  reject(token: string, actor: string, comment?: string): Promise<void>;
  /** Ends the monitor's watch step at once with a critical-alarm failure. */
  interruptWatch(token: string, alarmName: string, reason: string): Promise<void>;
}

/** Error names the state machine catches; SendTaskFailure sends them. */
export const TASK_ERRORS = {
  reviewRejected: 'KiroCd.ReviewRejected',
  criticalAlarm: 'KiroCd.CriticalAlarm',
} as const;
