import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { SnsNotifier } from '../../../../src/pipeline/adapters/aws/sns-notifier.js';
import type { CommitInfo, HistoryEvent } from '../../../../src/pipeline/domain/history-model.js';
import { NOTICE_KINDS, type DeploymentNotice } from '../../../../src/pipeline/domain/notice.js';
import { noticesForEvent } from '../../../../src/pipeline/domain/notifications/notices-for-event.js';
import { motoClientConfig, useFreshMoto } from '../../../support/moto.js';

const commit: CommitInfo = { id: '3f2c1b9a8e7d6c5b4a39281706f5e4d3c2b1a090', message: 'Poller: back off when the lock is contended', author: 'Ada Lovelace' };
const base = { pipelineName: 'kiro-codebuild-worker', executionId: '4f9c2a1e-7b3d-4c8e-9a10-2d5e6f7a8b9c', at: '2026-01-05T09:00:00Z' };
const alarms = [{ name: 'KiroWorker-Production-poller-errors', severity: 'critical' as const, state: 'ALARM' as const }];

/** One fact for every notice kind of point 2 (US-6, TR-6, TR-7). */
const facts: HistoryEvent[] = [
  { ...base, kind: 'execution', eventId: '1', state: 'STARTED', triggerType: 'Webhook' },
  { ...base, kind: 'stage', eventId: '2', stage: 'Test-Application', environment: 'test', state: 'SUCCEEDED' },
  { ...base, kind: 'stage', eventId: '3', stage: 'Staging-Application', environment: 'staging', state: 'FAILED' },
  { ...base, kind: 'execution', eventId: '4', state: 'SUCCEEDED' },
  { ...base, kind: 'execution', eventId: '5', state: 'FAILED' },
  { ...base, kind: 'approval', eventId: '6', environment: 'production', decision: 'requested' },
  { ...base, kind: 'health-check', eventId: '7', environment: 'production', verdict: 'pause-for-review', reason: 'Warning alarm poller-duration in ALARM', alarms },
  { ...base, kind: 'health-check', eventId: '8', environment: 'production', verdict: 'fail', reason: 'Critical alarm poller-errors in ALARM', alarms },
  ...(['started', 'succeeded', 'failed'] as const).map((phase, index): HistoryEvent => ({
    ...base, kind: 'rollback', eventId: `9${index}`, rollbackId: 'rb-1', scope: 'stage', phase, environment: 'production', trigger: 'alarm:KiroWorker-Production-poller-errors', reason: 'Critical alarm poller-errors in ALARM',
  })),
];

function noticesOf(fact: HistoryEvent): DeploymentNotice[] {
  return noticesForEvent(fact, {
    commit,
    link: 'https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/pipelines/kiro-codebuild-worker/executions/4f9c/timeline',
    failureReason: 'Action Deploy in stage Staging-Application failed: Deployment d-1 failed',
    failedStage: { stage: 'Staging-Application', environment: 'staging' },
    finalStage: 'Production-Application',
  });
}

async function queueSubscribedTo(sns: SNSClient, sqs: SQSClient, topicArn: string, name: string, filter?: object): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }));
  await sns.send(
    new SubscribeCommand({
      TopicArn: topicArn,
      Protocol: 'sqs',
      Endpoint: attributes.Attributes?.QueueArn,
      ...(filter === undefined ? {} : { Attributes: { FilterPolicy: JSON.stringify(filter) } }),
    }),
  );
  return QueueUrl!;
}

/** The SNS envelope SQS receives (raw delivery off). */
interface SnsEnvelope {
  readonly Subject: string;
  readonly Message: string;
  readonly MessageAttributes: Record<string, { Value: string } | undefined>;
}

async function drain(sqs: SQSClient, queueUrl: string): Promise<SnsEnvelope[]> {
  const received: SnsEnvelope[] = [];
  for (;;) {
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (Messages === undefined || Messages.length === 0) return received;
    received.push(...Messages.map((message) => JSON.parse(message.Body!) as SnsEnvelope));
  }
}

describe('SnsNotifier through the emulator: SNS (KMS topic) to SQS', () => {
  useFreshMoto();

  it('delivers every notice kind with text naming commit, environment, stage and reason', async () => {
    const sns = new SNSClient(motoClientConfig());
    const sqs = new SQSClient(motoClientConfig());
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'kiro-cd-team', Attributes: { KmsMasterKeyId: 'alias/kiro-cd' } }));
    const queueUrl = await queueSubscribedTo(sns, sqs, TopicArn!, 'team-inbox');
    const notifier = new SnsNotifier({ client: sns, teamTopicArn: TopicArn! });

    const notices = facts.flatMap(noticesOf);
    expect(new Set(notices.map((notice) => notice.kind))).toEqual(new Set(NOTICE_KINDS));
    for (const notice of notices) await notifier.notify(notice);

    const messages = await drain(sqs, queueUrl);
    expect(messages).toHaveLength(notices.length);
    for (const notice of notices) {
      const message = messages.find((candidate) => candidate.MessageAttributes.kind?.Value === notice.kind);
      expect(message, notice.kind).toBeDefined();
      const text = message!.Message;
      expect(text).toContain(`Commit:      ${commit.id} "${commit.message!}" by ${commit.author!}`);
      expect(text).toContain(`Environment: ${notice.environment ?? 'none (whole pipeline)'}`);
      expect(text).toContain(`Stage:       ${notice.stage!}`);
      expect(text).toContain(`Reason:      ${notice.reason}`);
      expect(text).toContain('Link:        https://us-east-1.console.aws.amazon.com/codesuite/codepipeline/');
      expect(message!.Subject.length).toBeLessThanOrEqual(100);
    }
  });

  it('also sends environment notices to that environment topic, filterable by attribute', async () => {
    const sns = new SNSClient(motoClientConfig());
    const sqs = new SQSClient(motoClientConfig());
    const team = (await sns.send(new CreateTopicCommand({ Name: 'team' }))).TopicArn!;
    const production = (await sns.send(new CreateTopicCommand({ Name: 'production' }))).TopicArn!;
    const productionInbox = await queueSubscribedTo(sns, sqs, production, 'production-inbox');
    const rollbacksOnly = await queueSubscribedTo(sns, sqs, team, 'rollbacks', { kind: ['rollback-started', 'rollback-failed'] });
    const notifier = new SnsNotifier({ client: sns, teamTopicArn: team, environmentTopicArns: { production } });

    for (const notice of facts.flatMap(noticesOf)) await notifier.notify(notice);

    const toProduction = await drain(sqs, productionInbox);
    expect(new Set(toProduction.map((message) => message.MessageAttributes.environment?.Value))).toEqual(new Set(['production']));
    expect((await drain(sqs, rollbacksOnly)).map((message) => message.MessageAttributes.kind?.Value).sort()).toEqual(['rollback-failed', 'rollback-started']);
  });
});
