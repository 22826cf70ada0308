import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** Properties of {@link deadLetterAlarm}. */
export interface DeadLetterAlarmProps {
  readonly queue: sqs.IQueue;
  readonly alarmName: string;
  /** What a message in the queue means and what to do about it. */
  readonly description: string;
  /** Who is paged. */
  readonly topic: sns.ITopic;
}

/**
 * An alarm that pages the topic as soon as one message waits in a dead-letter queue: nothing consumes
 * these queues automatically, so a message there is an event the pipeline lost until a person acts.
 */
export function deadLetterAlarm(scope: Construct, id: string, props: DeadLetterAlarmProps): cloudwatch.Alarm {
  const alarm = new cloudwatch.Alarm(scope, id, {
    alarmName: props.alarmName,
    alarmDescription: props.description,
    metric: props.queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
    threshold: 1,
    evaluationPeriods: 1,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
  });
  alarm.addAlarmAction(new actions.SnsAction(props.topic));
  return alarm;
}
