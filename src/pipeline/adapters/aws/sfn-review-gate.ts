import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { TASK_ERRORS, type ReviewGate } from '../../ports/review-gate.js';

/** Step Functions limits `cause` to 32768 characters and `error` to 256. */
const MAX_CAUSE = 32_768;

/** `ReviewGate` on Step Functions SendTaskSuccess / SendTaskFailure. */
export class SfnReviewGate implements ReviewGate {
  constructor(private readonly client: Pick<SFNClient, 'send'>) {}

  async approve(token: string, actor: string, comment?: string): Promise<void> {
    await this.client.send(new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify({ decision: 'approved', actor, ...(comment === undefined ? {} : { comment }) }) }));
  }

  async reject(token: string, actor: string, comment?: string): Promise<void> {
    await this.client.send(
      new SendTaskFailureCommand({ taskToken: token, error: TASK_ERRORS.reviewRejected, cause: JSON.stringify({ actor, comment: comment ?? '' }).slice(0, MAX_CAUSE) }),
    );
  }

  async interruptWatch(token: string, alarmName: string, reason: string): Promise<void> {
    await this.client.send(new SendTaskFailureCommand({ taskToken: token, error: TASK_ERRORS.criticalAlarm, cause: `${alarmName}: ${reason}`.slice(0, MAX_CAUSE) }));
  }
}
