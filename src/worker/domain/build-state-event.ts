/**
 * Reads CodeBuild's "CodeBuild Build State Change" EventBridge event, in the shape AWS documents
 * (https://docs.aws.amazon.com/codebuild/latest/userguide/sample-build-notifications-ref.html):
 * `detail.build-status`, `detail.project-name`, `detail.build-id` (the build's ARN) and
 * `detail.additional-information.environment.environment-variables` (name, type, value), which
 * include the poller's StartBuild overrides. Pure: no AWS SDK.
 */
import { MalformedInputError } from '../../shared/errors.js';
import { BUILD_ENVIRONMENT } from './build-environment.js';

/** The detail-type of the event. */
export const BUILD_STATE_CHANGE = 'CodeBuild Build State Change';

/** What the worker needs from a build state change. */
export interface BuildStateChange {
  /** The build id as StartBuild and CODEBUILD_BUILD_ID give it: `<project>:<uuid>`. */
  readonly buildId: string;
  readonly projectName: string;
  /** IN_PROGRESS, SUCCEEDED, FAILED, FAULT, TIMED_OUT or STOPPED. */
  readonly buildStatus: string;
  /** The work item the poller passed in, when the build was started by the poller. */
  readonly workItemId?: string;
  /** The poller invocation holding the item's lock, released when the build ends. */
  readonly lockOwner?: string;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** The build id inside a build ARN (`arn:aws:codebuild:<region>:<account>:build/<project>:<uuid>`). */
export function buildIdFromArn(arn: string): string | undefined {
  const marker = ':build/';
  const at = arn.indexOf(marker);
  if (!arn.startsWith('arn:') || at < 0) return undefined;
  const id = arn.slice(at + marker.length);
  return /^[^:]+:[^:]+$/.test(id) ? id : undefined;
}

/** Parses the event; throws MalformedInputError naming what is missing. */
export function parseBuildStateChange(event: unknown): BuildStateChange {
  const fail = (what: string): never => {
    throw new MalformedInputError(`Not a "${BUILD_STATE_CHANGE}" event: ${what}. Check the EventBridge rule that targets this function.`, { what });
  };
  const envelope = record(event) ?? fail('the event is not an object');
  if (envelope['detail-type'] !== BUILD_STATE_CHANGE || envelope.source !== 'aws.codebuild') fail(`detail-type ${JSON.stringify(envelope['detail-type'])} from ${JSON.stringify(envelope.source)}`);
  const detail = record(envelope.detail) ?? fail('detail is missing');
  const status = detail['build-status'];
  const project = detail['project-name'];
  const arn = detail['build-id'];
  if (typeof status !== 'string' || typeof project !== 'string' || typeof arn !== 'string') return fail('detail lacks build-status, project-name or build-id');
  const buildId = buildIdFromArn(arn) ?? fail(`build-id ${JSON.stringify(arn)} is not a build ARN`);
  const variables = record(record(record(detail['additional-information'])?.environment))?.['environment-variables'];
  // Only PLAINTEXT values are read: they are the poller's overrides. The values of other types are
  // references (a secret's name), never the secret, but the worker has no use for them.
  const plaintext = (name: string): string | undefined => {
    const value = Array.isArray(variables) ? variables.map(record).find((variable) => variable?.name === name && variable.type === 'PLAINTEXT')?.value : undefined;
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const workItemId = plaintext(BUILD_ENVIRONMENT.workItemId);
  const lockOwner = plaintext(BUILD_ENVIRONMENT.lockOwner);
  return { buildId, projectName: project, buildStatus: status, ...(workItemId === undefined ? {} : { workItemId }), ...(lockOwner === undefined ? {} : { lockOwner }) };
}
