import type { DeploymentNotice } from '../domain/notice.js';

/** Tells the team (SNS → e-mail and Slack). Implementations render the notice; callers never format text. */
export interface Notifier {
  notify(notice: DeploymentNotice): Promise<void>;
}
