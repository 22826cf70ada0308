import * as chatbot from 'aws-cdk-lib/aws-chatbot';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import type { EnvironmentConfig, EnvironmentName, PipelineSettings } from '../../../../src/shared/config/schema.js';

/** Properties of {@link NotificationTopics}. */
export interface NotificationTopicsProps {
  readonly pipeline: PipelineSettings;
  readonly environments: readonly EnvironmentConfig[];
  /** Customer-managed key (with rotation) that encrypts every topic. */
  readonly key: kms.IKey;
}

/**
 * The team topic (every notice; pipeline-level `notifications`; target of the pipeline alarms) and
 * one topic per environment (that environment's `notifications`). E-mail subscriptions and AWS
 * Chatbot Slack channels come from the configuration; no webhook code.
 */
export class NotificationTopics extends Construct {
  readonly teamTopic: sns.Topic;
  readonly environmentTopics: Readonly<Partial<Record<EnvironmentName, sns.Topic>>>;

  constructor(scope: Construct, id: string, props: NotificationTopicsProps) {
    super(scope, id);
    this.teamTopic = this.topic('Team', `${props.pipeline.name} deployments`, props.key, props.pipeline.notifications);
    const environmentTopics: Partial<Record<EnvironmentName, sns.Topic>> = {};
    for (const environment of props.environments) {
      environmentTopics[environment.name] = this.topic(
        `Env-${environment.name}`,
        `${props.pipeline.name} ${environment.name} deployments`,
        props.key,
        environment.notifications,
      );
    }
    this.environmentTopics = environmentTopics;
  }

  private topic(id: string, displayName: string, key: kms.IKey, notifications: PipelineSettings['notifications']): sns.Topic {
    const topic = new sns.Topic(this, id, { displayName, masterKey: key, enforceSSL: true });
    for (const email of notifications.emails) topic.addSubscription(new subscriptions.EmailSubscription(email));
    if (notifications.slack !== undefined) {
      new chatbot.SlackChannelConfiguration(this, `${id}Slack`, {
        slackChannelConfigurationName: displayName.replace(/[^A-Za-z0-9-_]/g, '-').slice(0, 128),
        slackWorkspaceId: notifications.slack.workspaceId,
        slackChannelId: notifications.slack.channelId,
        notificationTopics: [topic],
        loggingLevel: chatbot.LoggingLevel.ERROR,
      });
    }
    return topic;
  }
}
