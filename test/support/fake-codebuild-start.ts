/**
 * A scripted CodeBuild StartBuild endpoint (JSON protocol), written down from the API reference
 * (https://docs.aws.amazon.com/codebuild/latest/APIReference/API_StartBuild.html): every request
 * without an `idempotencyToken` starts a new build; a request repeating a token seen before (within
 * its 5 minutes) gets the build that token started, not a new one. The answer's timestamps are epoch
 * seconds, as the protocol has them.
 */
import { bodyText, jsonResponse, type SdkHttpRequest, type SdkHttpResponse, type SdkRequestHandler } from './fault-injecting-handler.js';

export class FakeCodeBuildStart implements SdkRequestHandler {
  /** Every build started, in order. */
  readonly builds: { readonly id: string; readonly token?: string }[] = [];

  handle(request: SdkHttpRequest): Promise<{ response: SdkHttpResponse }> {
    const input = JSON.parse(bodyText(request.body) || '{}') as { projectName: string; idempotencyToken?: string };
    const seen = input.idempotencyToken === undefined ? undefined : this.builds.find((build) => build.token === input.idempotencyToken);
    const build = seen ?? { id: `${input.projectName}:build-${this.builds.length + 1}`, ...(input.idempotencyToken === undefined ? {} : { token: input.idempotencyToken }) };
    if (seen === undefined) this.builds.push(build);
    return Promise.resolve(jsonResponse(200, { build: { id: build.id, buildStatus: 'IN_PROGRESS', startTime: 1767225600 } }));
  }
}
