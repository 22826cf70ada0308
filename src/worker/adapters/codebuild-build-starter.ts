import { createHash } from 'node:crypto';
import { StartBuildCommand, type CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ConfigurationError, KiroCdError, TransientError } from '../../shared/errors.js';
import { BUILD_ENVIRONMENT } from '../domain/build-environment.js';
import type { BuildRequest, BuildStarter } from '../ports/build-starter.js';

/**
 * The idempotency token of a start: one per lock owner (poller invocation) and item. StartBuild
 * treats a repeated request with the same token, within 5 minutes, as the same request, so an SDK
 * retry after a lost response gets the first build back instead of starting a second one
 * (https://docs.aws.amazon.com/codebuild/latest/APIReference/API_StartBuild.html, `idempotencyToken`).
 */
export function startIdempotencyToken(request: Pick<BuildRequest, 'lockOwner' | 'workItemId'>): string {
  return createHash('sha256').update(`${request.lockOwner}\n${request.workItemId}`).digest('hex');
}

/** Which project to start and what its builds run. */
export interface ImplementationBuildTarget {
  /** The implementation project: its role can write its own logs and read its configured secrets, nothing else. */
  readonly projectName: string;
  /** The buildspec that runs the implementation command, sent as `buildspecOverride` with every start. */
  readonly buildspec: string;
}

/**
 * Starts builds of the implementation project: the customer's command, as `buildspecOverride`, with
 * the work item described in PLAINTEXT environment-variable overrides (nothing secret: an id, the
 * repository, the branch and the lock owner; tokens come from the project's SECRETS_MANAGER
 * variables). StartBuild errors are mapped by whose fault they are
 * (https://docs.aws.amazon.com/codebuild/latest/APIReference/API_StartBuild.html#API_StartBuild_Errors).
 */
export class CodeBuildBuildStarter implements BuildStarter {
  private readonly projectName: string;
  private readonly buildspec: string;

  constructor(
    private readonly client: CodeBuildClient,
    target: ImplementationBuildTarget,
  ) {
    this.projectName = target.projectName;
    this.buildspec = target.buildspec;
  }

  async start(request: BuildRequest): Promise<{ readonly buildId: string }> {
    let buildId: string | undefined;
    try {
      const result = await this.client.send(
        new StartBuildCommand({
          projectName: this.projectName,
          idempotencyToken: startIdempotencyToken(request),
          buildspecOverride: this.buildspec,
          environmentVariablesOverride: [
            { name: BUILD_ENVIRONMENT.workItemId, value: request.workItemId, type: 'PLAINTEXT' },
            { name: BUILD_ENVIRONMENT.repository, value: request.repository, type: 'PLAINTEXT' },
            { name: BUILD_ENVIRONMENT.branch, value: request.branch, type: 'PLAINTEXT' },
            { name: BUILD_ENVIRONMENT.lockOwner, value: request.lockOwner, type: 'PLAINTEXT' },
          ],
        }),
      );
      buildId = result.build?.id;
    } catch (error) {
      throw this.translate(error, request.workItemId);
    }
    if (buildId === undefined) {
      throw new KiroCdError(`CodeBuild StartBuild for project ${this.projectName} answered without a build id.`, {
        code: 'BUILD_ID_MISSING',
        fault: 'internal',
        context: { projectName: this.projectName, workItemId: request.workItemId },
      });
    }
    return { buildId };
  }

  private translate(error: unknown, workItemId: string): KiroCdError {
    const context = { projectName: this.projectName, workItemId };
    const name = error instanceof Error ? error.name : 'UnknownError';
    const message = error instanceof Error ? error.message : String(error);
    switch (name) {
      // The poller validates each item's repository and branch before starting (work-item-validation.ts),
      // so a refused request is the project's or the poller's problem, not the item's.
      case 'InvalidInputException':
        return new ConfigurationError(`CodeBuild refused the StartBuild request for project ${this.projectName} (${message}); check the project and the poller's overrides. The item stays ready.`, context, error);
      case 'ResourceNotFoundException':
        return new ConfigurationError(`CodeBuild project ${this.projectName} does not exist: deploy the application stack or correct IMPLEMENTATION_PROJECT_NAME.`, context, error);
      case 'AccessDeniedException':
        return new ConfigurationError(`The poller may not start builds of ${this.projectName}: grant codebuild:StartBuild on the project to its role.`, context, error);
      default:
        return new TransientError(`CodeBuild StartBuild failed (${name}: ${message}); the item stays ready and is retried on the next poll.`, context, error);
    }
  }
}
