/**
 * The delivery pipeline's real adapter for the commands that drive it (status, rollback). Apart
 * from runtime-clients.ts so that the commands that only read the deployment history (history,
 * dora, gate) do not load the CodePipeline client's modules (docs/fast-feedback.md, "The CLI loads
 * one command"; test/integration/cli/command-loading.test.ts).
 */
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { CodePipelineControl } from '../../pipeline/adapters/aws/codepipeline-control.js';
import type { PipelineControl } from '../../pipeline/ports/pipeline-control.js';
import type { AwsClientConfig } from './aws-options.js';
import { recordCliCalls } from './cli-caller.js';

/** Opens the delivery pipeline through CodePipeline. */
export function openCodePipeline(client: AwsClientConfig, pipelineName: string): PipelineControl {
  return new CodePipelineControl(recordCliCalls(new CodePipelineClient(client)), pipelineName);
}
