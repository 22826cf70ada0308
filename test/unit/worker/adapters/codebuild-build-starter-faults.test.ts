/**
 * StartBuild through the real SDK client and its retry strategy, with network faults injected under
 * it (a separate file: aws-sdk-client-mock would replace the client's send and skip the retries).
 */
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { describe, expect, it } from 'vitest';
import { CodeBuildBuildStarter, startIdempotencyToken } from '../../../../src/worker/adapters/codebuild-build-starter.js';
import { implementationBuildspec } from '../../../../src/worker/domain/implementation-buildspec.js';
import { FaultInjectingHandler } from '../../../support/fault-injecting-handler.js';
import { FakeCodeBuildStart } from '../../../support/fake-codebuild-start.js';

const request = { workItemId: 'wi-1', repository: 'kiro-dev/app', branch: 'kiro/wi-1', lockOwner: 'poller-a' };
const TARGET = { projectName: 'implementation', buildspec: implementationBuildspec('npm test', '22') };

describe('CodeBuildBuildStarter under network faults, through the SDK retry strategy (issue 13, item 3)', () => {
  const client = (handler: FaultInjectingHandler) =>
    new CodeBuildClient({ region: 'us-east-1', credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' }, maxAttempts: 3, requestHandler: handler });

  it('a lost StartBuild answer, retried by the SDK, starts one build, not two', async () => {
    const codebuild = new FakeCodeBuildStart();
    const handler = new FaultInjectingHandler(codebuild, (_target, attempt) => (attempt === 1 ? 'lost-response' : undefined));
    const { buildId } = await new CodeBuildBuildStarter(client(handler), TARGET).start(request);
    expect(handler.requests).toHaveLength(2);
    expect(codebuild.builds).toHaveLength(1);
    expect(buildId).toBe('implementation:build-1');
  });

  it('a throttled StartBuild is retried by the SDK with the same token', async () => {
    const codebuild = new FakeCodeBuildStart();
    const handler = new FaultInjectingHandler(codebuild, (_target, attempt) => (attempt === 1 ? 'throttle' : undefined));
    await new CodeBuildBuildStarter(client(handler), TARGET).start(request);
    const tokens = handler.requests.map((sent) => (JSON.parse(sent.body) as { idempotencyToken?: string }).idempotencyToken);
    expect(tokens).toEqual([startIdempotencyToken(request), startIdempotencyToken(request)]);
    expect(codebuild.builds).toHaveLength(1);
  });

  it('gives each lock owner and item its own token, so a later poll starts a new build', () => {
    expect(startIdempotencyToken(request)).not.toBe(startIdempotencyToken({ ...request, lockOwner: 'poller-b' }));
    expect(startIdempotencyToken(request)).not.toBe(startIdempotencyToken({ ...request, workItemId: 'wi-2' }));
    expect(startIdempotencyToken(request)).toMatch(/^[0-9a-f]{64}$/);
  });
});
