/**
 * Creates, in the local AWS emulator, the resources the pipeline's runtime code talks to (DynamoDB
 * tables, SNS topics, SQS queues, CloudWatch alarms) from the synthesized templates: same names,
 * key schemas, indexes, TTL attribute and alarm definitions. Encryption settings are left out on
 * purpose: the emulator has none of the customer keys the templates reference, and the policy gates
 * check encryption on the templates themselves.
 */
import {
  CreateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type CreateTableCommandInput,
  type DynamoDBClient,
  type GlobalSecondaryIndex,
  type KeySchemaElement,
} from '@aws-sdk/client-dynamodb';
import { CreateTopicCommand, SubscribeCommand, type SNSClient } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { PutMetricAlarmCommand, type CloudWatchClient, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import {
  physicalNameOf,
  resolutionContextFor,
  resolveIntrinsics,
  type ResolutionContext,
  type SynthesizedStack,
} from './synthesized-templates.js';

/** The SDK clients provisioning needs, all pointed at the emulator. */
export interface EmulatorClients {
  readonly dynamodb: Pick<DynamoDBClient, 'send'>;
  readonly sns: Pick<SNSClient, 'send'>;
  readonly sqs: Pick<SQSClient, 'send'>;
  readonly cloudwatch: Pick<CloudWatchClient, 'send'>;
}

/** A resource created locally, and where it came from. */
export interface ProvisionedResource {
  readonly stackName: string;
  readonly logicalId: string;
  /** Table or alarm name, topic ARN or queue URL. */
  readonly physicalId: string;
}

/** Everything that was created. */
export interface ProvisionedResources {
  readonly tables: readonly ProvisionedResource[];
  readonly topics: readonly ProvisionedResource[];
  readonly queues: readonly ProvisionedResource[];
  readonly alarms: readonly ProvisionedResource[];
  /** Resolution context per stack, so handler environments resolve to the same names. */
  readonly contexts: Readonly<Record<string, ResolutionContext>>;
}

type Properties = Readonly<Record<string, unknown>>;

function list<T>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** CreateTable input for an `AWS::DynamoDB::Table` (resolved properties). */
export function tableInputFromTable(name: string, properties: Properties): CreateTableCommandInput {
  const indexes = list<Record<string, unknown>>(properties.GlobalSecondaryIndexes).map(
    (index): GlobalSecondaryIndex => ({
      IndexName: String(index.IndexName),
      KeySchema: list<KeySchemaElement>(index.KeySchema),
      Projection: (index.Projection as GlobalSecondaryIndex['Projection']) ?? { ProjectionType: 'ALL' },
    }),
  );
  return {
    TableName: name,
    KeySchema: list<KeySchemaElement>(properties.KeySchema),
    AttributeDefinitions: list<AttributeDefinition>(properties.AttributeDefinitions),
    BillingMode: 'PAY_PER_REQUEST',
    ...(indexes.length === 0 ? {} : { GlobalSecondaryIndexes: indexes }),
  };
}

function ttlAttribute(properties: Properties): string | undefined {
  const specification = properties.TimeToLiveSpecification as { AttributeName?: string; Enabled?: boolean } | undefined;
  return specification?.Enabled === false ? undefined : specification?.AttributeName;
}

function alarmInput(name: string, properties: Properties): PutMetricAlarmCommandInput {
  const keep = [
    'AlarmDescription', 'MetricName', 'Namespace', 'Statistic', 'ExtendedStatistic', 'Period', 'EvaluationPeriods',
    'DatapointsToAlarm', 'Threshold', 'ComparisonOperator', 'TreatMissingData', 'Dimensions', 'Metrics', 'Unit',
  ];
  const input: Record<string, unknown> = { AlarmName: name, ActionsEnabled: false };
  for (const key of keep) if (properties[key] !== undefined) input[key] = properties[key];
  return input as unknown as PutMetricAlarmCommandInput;
}

/**
 * Creates every table, topic, queue and alarm of the given stacks in the emulator. The same
 * physical names are used as in AWS where the template sets one, `<stack>-<logicalId>` otherwise.
 */
export async function provisionFromTemplates(
  stacks: readonly SynthesizedStack[],
  clients: EmulatorClients,
  where: { readonly region: string; readonly account: string },
): Promise<ProvisionedResources> {
  const tables: ProvisionedResource[] = [];
  const topics: ProvisionedResource[] = [];
  const queues: ProvisionedResource[] = [];
  const alarms: ProvisionedResource[] = [];
  const contexts: Record<string, ResolutionContext> = {};
  for (const stack of stacks) {
    const context = resolutionContextFor(stack, where);
    contexts[stack.stackName] = context;
    for (const [logicalId, resource] of Object.entries(stack.resources)) {
      const properties = (resolveIntrinsics(resource.Properties ?? {}, context) ?? {}) as Properties;
      const name = physicalNameOf(logicalId, context);
      const origin = { stackName: stack.stackName, logicalId };
      switch (resource.Type) {
        case 'AWS::DynamoDB::Table':
        case 'AWS::DynamoDB::GlobalTable': {
          await clients.dynamodb.send(new CreateTableCommand(tableInputFromTable(name, properties)));
          const ttl = ttlAttribute(properties);
          if (ttl !== undefined) {
            await clients.dynamodb.send(new UpdateTimeToLiveCommand({ TableName: name, TimeToLiveSpecification: { AttributeName: ttl, Enabled: true } }));
          }
          tables.push({ ...origin, physicalId: name });
          break;
        }
        case 'AWS::SNS::Topic': {
          const created = await clients.sns.send(new CreateTopicCommand({ Name: name }));
          topics.push({ ...origin, physicalId: created.TopicArn ?? '' });
          break;
        }
        case 'AWS::SQS::Queue': {
          const created = await clients.sqs.send(new CreateQueueCommand({ QueueName: name }));
          queues.push({ ...origin, physicalId: created.QueueUrl ?? '' });
          break;
        }
        case 'AWS::CloudWatch::Alarm':
          await clients.cloudwatch.send(new PutMetricAlarmCommand(alarmInput(name, properties)));
          alarms.push({ ...origin, physicalId: name });
          break;
        default:
          break;
      }
    }
  }
  return { tables, topics, queues, alarms, contexts };
}

/**
 * Creates a queue and subscribes it to every given topic with raw delivery, so what the notifier
 * published can be read back exactly as sent (body and message attributes).
 */
export async function subscribeReadBackQueue(
  clients: Pick<EmulatorClients, 'sns' | 'sqs'>,
  topicArns: readonly string[],
  queueName: string,
): Promise<string> {
  const created = await clients.sqs.send(new CreateQueueCommand({ QueueName: queueName }));
  const queueUrl = created.QueueUrl ?? '';
  const attributes = await clients.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  const queueArn = attributes.Attributes?.QueueArn ?? '';
  for (const topicArn of topicArns) {
    await clients.sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'sqs', Endpoint: queueArn, Attributes: { RawMessageDelivery: 'true' } }),
    );
  }
  return queueUrl;
}
