import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { EnvironmentName } from '../../domain/history-model.js';
import type { DeploymentNotice } from '../../domain/notice.js';
import { renderNotice } from '../../domain/notifications/render-notice.js';
import type { Notifier } from '../../ports/notifier.js';

/** Constructor arguments of {@link SnsNotifier}. */
export interface SnsNotifierProps {
  readonly client: SNSClient;
  /** The team topic: every notice goes there (pipeline-level subscribers and the team's Slack channel). */
  readonly teamTopicArn: string;
  /**
   * One topic per environment (that environment's `notifications` subscribers). A notice about an
   * environment also goes to its topic.
   * @default no environment topics
   */
  readonly environmentTopicArns?: Readonly<Partial<Record<EnvironmentName, string>>>;
}

/** Value of the `environment` message attribute for notices about the whole pipeline. */
export const PIPELINE_WIDE = 'pipeline';

/**
 * `Notifier` on SNS. The message is published with `MessageStructure: json`, so each protocol gets
 * its own rendering: e-mail and SQS the plain text, HTTPS (AWS Chatbot's endpoint) the Chatbot
 * custom-notification JSON. Attributes `kind` and `environment` let subscriptions filter.
 */
export class SnsNotifier implements Notifier {
  private readonly client: SNSClient;
  private readonly teamTopicArn: string;
  private readonly environmentTopicArns: Readonly<Partial<Record<EnvironmentName, string>>>;

  constructor(props: SnsNotifierProps) {
    this.client = props.client;
    this.teamTopicArn = props.teamTopicArn;
    this.environmentTopicArns = props.environmentTopicArns ?? {};
  }

  async notify(notice: DeploymentNotice): Promise<void> {
    const rendered = renderNotice(notice);
    const message = JSON.stringify({
      default: rendered.text,
      email: rendered.text,
      sqs: rendered.text,
      https: JSON.stringify(rendered.chatbot),
    });
    const environmentTopic = notice.environment === undefined ? undefined : this.environmentTopicArns[notice.environment];
    const topics = environmentTopic === undefined ? [this.teamTopicArn] : [this.teamTopicArn, environmentTopic];
    await Promise.all(
      topics.map((topicArn) =>
        this.client.send(
          new PublishCommand({
            TopicArn: topicArn,
            Subject: rendered.subject,
            Message: message,
            MessageStructure: 'json',
            MessageAttributes: {
              kind: { DataType: 'String', StringValue: notice.kind },
              environment: { DataType: 'String', StringValue: notice.environment ?? PIPELINE_WIDE },
            },
          }),
        ),
      ),
    );
  }
}
