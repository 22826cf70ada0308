import { CodeBuildClient, StartBuildCommand } from '@aws-sdk/client-codebuild';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConfigurationError, TransientError } from '../../../../src/shared/errors.js';
import { CodeBuildBuildStarter, startIdempotencyToken } from '../../../../src/worker/adapters/codebuild-build-starter.js';
import { implementationBuildspec } from '../../../../src/worker/domain/implementation-buildspec.js';

const request = { workItemId: 'wi-1', repository: 'kiro-dev/app', branch: 'kiro/wi-1', lockOwner: 'poller-a' };
const TARGET = { projectName: 'implementation', buildspec: implementationBuildspec('npm test', '22') };

describe('CodeBuildBuildStarter request and fault mapping (faults the emulator cannot produce)', () => {
  const codebuild = mockClient(CodeBuildClient);
  afterEach(() => codebuild.reset());
  // The mock patches the client class for the whole process, which the next test file shares (isolate: false).
  afterAll(() => { codebuild.restore(); });
  const starter = () => new CodeBuildBuildStarter(new CodeBuildClient({ region: 'us-east-1' }), TARGET);
  const failure = (name: string) => Object.assign(new Error(`${name} happened`), { name });

  it('returns the id of the started build', async () => {
    codebuild.on(StartBuildCommand).resolves({ build: { id: 'implementation:abc' } });
    expect(await starter().start(request)).toEqual({ buildId: 'implementation:abc' });
  });

  it('passes the work item as plaintext environment variable overrides', async () => {
    codebuild.on(StartBuildCommand).resolves({ build: { id: 'implementation:1' } });
    await starter().start(request);
    expect(codebuild.commandCalls(StartBuildCommand)[0]?.args[0].input).toEqual({
      projectName: 'implementation',
      buildspecOverride: TARGET.buildspec,
      idempotencyToken: startIdempotencyToken(request),
      environmentVariablesOverride: [
        { name: 'KIRO_WORK_ITEM_ID', value: 'wi-1', type: 'PLAINTEXT' },
        { name: 'KIRO_REPOSITORY', value: 'kiro-dev/app', type: 'PLAINTEXT' },
        { name: 'KIRO_BRANCH', value: 'kiro/wi-1', type: 'PLAINTEXT' },
        { name: 'KIRO_LOCK_OWNER', value: 'poller-a', type: 'PLAINTEXT' },
      ],
    });
  });

  it.each([
    // A refused request is the project's problem, not the item's (issue 13, item 10): the cycle stops, the item stays ready.
    ['InvalidInputException', ConfigurationError],
    ['AccessDeniedException', ConfigurationError],
    ['AccountLimitExceededException', TransientError],
    ['ThrottlingException', TransientError],
  ])('maps %s', async (name, type) => {
    codebuild.on(StartBuildCommand).rejects(failure(name));
    await expect(starter().start(request)).rejects.toBeInstanceOf(type);
  });

  it('treats an answer without a build id as an internal fault', async () => {
    codebuild.on(StartBuildCommand).resolves({});
    await expect(starter().start(request)).rejects.toMatchObject({ code: 'BUILD_ID_MISSING', fault: 'internal' });
  });
});
