/**
 * A notification as it is read back from the SQS queue subscribed (raw delivery) to the topics:
 * the kind and environment come from the message attributes the notifier sets, the text is the body
 * a subscriber reads, the time is when SQS received it.
 */
import { ENVIRONMENT_NAMES } from '../shared/config/schema.js';
import type { EnvironmentName } from '../pipeline/domain/history-model.js';
import { NOTICE_KINDS, type NoticeKind } from '../pipeline/domain/notice.js';
import { MalformedInputError } from '../shared/errors.js';

/** One notification read back from the queue. */
export interface ReceivedNotice {
  readonly kind: NoticeKind;
  /** Undefined for a notice about the whole pipeline. */
  readonly environment?: EnvironmentName;
  /** The text an e-mail subscriber reads. */
  readonly text: string;
  /** ISO-8601 time the queue received it. */
  readonly at: string;
}

/** The parts of an SQS message the parser reads. */
export interface QueueMessage {
  readonly Body?: string;
  readonly Attributes?: Partial<Record<string, string>>;
  readonly MessageAttributes?: Partial<Record<string, { readonly StringValue?: string }>>;
}

/** Parses one raw-delivered SNS message; throws when it lacks the attributes every notice carries. */
export function parseReceivedNotice(message: QueueMessage): ReceivedNotice {
  const kind = message.MessageAttributes?.kind?.StringValue;
  const foundKind = NOTICE_KINDS.find((candidate) => candidate === kind);
  if (foundKind === undefined) {
    throw new MalformedInputError(`A message on the read-back queue has no known "kind" attribute (got ${JSON.stringify(kind)}); is raw delivery on?`, { kind });
  }
  const environment = ENVIRONMENT_NAMES.find((candidate) => candidate === message.MessageAttributes?.environment?.StringValue);
  const sent = Number(message.Attributes?.SentTimestamp);
  return {
    kind: foundKind,
    ...(environment === undefined ? {} : { environment }),
    text: message.Body ?? '',
    at: new Date(Number.isFinite(sent) ? sent : 0).toISOString(),
  };
}
