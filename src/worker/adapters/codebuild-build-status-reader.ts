import { BatchGetBuildsCommand, type CodeBuildClient } from '@aws-sdk/client-codebuild';
import { ConfigurationError, TransientError } from '../../shared/errors.js';
import type { BuildState, BuildStatusReader } from '../ports/build-status-reader.js';

/** BatchGetBuilds takes at most 100 ids a call (https://docs.aws.amazon.com/codebuild/latest/APIReference/API_BatchGetBuilds.html). */
const IDS_PER_CALL = 100;

/**
 * Reads implementation builds' states with BatchGetBuilds: `buildStatus` IN_PROGRESS is running, any other
 * status (SUCCEEDED, FAILED, FAULT, TIMED_OUT, STOPPED) has ended, and ids in `buildsNotFound`
 * are unknown to CodeBuild (builds are kept for a year).
 */
export class CodeBuildBuildStatusReader implements BuildStatusReader {
  constructor(private readonly client: CodeBuildClient) {}

  async states(buildIds: readonly string[]): Promise<ReadonlyMap<string, BuildState>> {
    const states = new Map<string, BuildState>();
    for (let start = 0; start < buildIds.length; start += IDS_PER_CALL) {
      const ids = buildIds.slice(start, start + IDS_PER_CALL);
      let result;
      try {
        result = await this.client.send(new BatchGetBuildsCommand({ ids }));
      } catch (error) {
        const name = error instanceof Error ? error.name : 'UnknownError';
        if (name === 'AccessDeniedException') {
          throw new ConfigurationError('The poller may not read implementation builds: grant codebuild:BatchGetBuilds on the implementation project to its role.', {}, error);
        }
        throw new TransientError(`CodeBuild BatchGetBuilds failed (${name}); the sweep tries again on the next poll.`, {}, error);
      }
      for (const build of result.builds ?? []) {
        if (build.id === undefined) continue;
        const status = build.buildStatus ?? 'IN_PROGRESS';
        states.set(build.id, status === 'IN_PROGRESS' ? { kind: 'running' } : { kind: 'ended', status });
      }
      for (const id of result.buildsNotFound ?? []) states.set(id, { kind: 'not-found' });
    }
    return states;
  }
}
