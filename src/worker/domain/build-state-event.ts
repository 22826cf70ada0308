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
  const workItem = Array.isArray(variables)
    ? variables.map(record).find((variable) => variable?.name === BUILD_ENVIRONMENT.workItemId && variable.type === 'PLAINTEXT')?.value
    : undefined;
  return { buildId, projectName: project, buildStatus: status, ...(typeof workItem === 'string' && workItem !== '' ? { workItemId: workItem } : {}) };
}
