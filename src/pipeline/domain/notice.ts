import type { CommitInfo, EnvironmentName } from './history-model.js';

/** Every event the team is told about (US-6, TR-6, TR-7). */
export const NOTICE_KINDS = [
  'execution-started',
  'stage-succeeded',
  'stage-failed',
  'deployment-succeeded',
  'deployment-failed',
  'approval-needed',
  'review-needed',
  'health-check-failed',
  'rollback-started',
  'rollback-succeeded',
  'rollback-failed',
] as const;
export type NoticeKind = (typeof NOTICE_KINDS)[number];

/**
 * A structured notification: what happened, to which commit, where, and why. A notifier adapter
 * renders it (see the message formatter) for e-mail and Slack; producers never write prose.
 */
export interface DeploymentNotice {
  readonly kind: NoticeKind;
  readonly pipelineName: string;
  readonly executionId: string;
  readonly commit?: CommitInfo;
  readonly environment?: EnvironmentName;
  readonly stage?: string;
  /** Short outcome such as `SUCCEEDED`, `FAILED`, `ROLLING_BACK`. */
  readonly outcome: string;
  /** Why it happened, in one sentence. */
  readonly reason: string;
  /** Link to the execution in the console (or another page that explains it). */
  readonly link?: string;
  /** Extra lines (alarms that fired, what changed per stack, test results ...). */
  readonly details?: readonly string[];
  /** ISO-8601 time of the event. */
  readonly at: string;
}
