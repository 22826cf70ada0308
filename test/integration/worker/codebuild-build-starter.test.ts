import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../../../src/shared/errors.js';
import { CodeBuildBuildStarter } from '../../../src/worker/adapters/codebuild-build-starter.js';
import { motoClientConfig, useFreshMoto } from '../../support/moto.js';

const request = { workItemId: 'wi-1', repository: 'kiro-dev/app', branch: 'kiro/wi-1', lockOwner: 'poller-a' };

/**
 * moto serves StartBuild, but answers timestamps as ISO strings where the CodeBuild JSON protocol
 * has epoch numbers, so SDK v3 cannot parse a successful answer ("Expected real number"). The success
 * path is therefore tested with aws-sdk-client-mock (test/unit/worker/adapters); the emulator still
 * gives the real error answer for a missing project.
 */
describe('CodeBuildBuildStarter against the local emulator', () => {
  useFreshMoto();

  it('reports a missing project as a configuration error naming the fix', async () => {
    const starter = new CodeBuildBuildStarter(new CodeBuildClient(motoClientConfig()), 'absent');
    await expect(starter.start(request)).rejects.toThrow(ConfigurationError);
    await expect(starter.start(request)).rejects.toThrow(/CodeBuild project absent does not exist: deploy the application stack/);
  });
});
