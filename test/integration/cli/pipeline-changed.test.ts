import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPipelineChangedCommand } from '../../../src/cli/commands/pipeline-changed.js';
import { RecordingOutput } from '../../../src/cli/output.js';
import { runCli } from '../../../src/cli/run-cli.js';
import { CloudFormationDeployedTemplates } from '../../../src/pipeline/adapters/aws/cloudformation-deployed-templates.js';
import { motoClientConfig, motoEndpoint, useFreshMoto } from '../../support/moto.js';

// Stand-ins for the pipeline stack and the runtime stack it depends on: resources the emulator's
// CloudFormation can create, so GetTemplate answers with what was really submitted.
const PIPELINE_TEMPLATE = { Resources: { Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'pipeline-stand-in' } } } };
const RUNTIME_TEMPLATE = { Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'runtime-stand-in' } } } };

function writeAssembly(directory: string, pipeline: unknown, runtime: unknown): void {
  const manifest = {
    version: '48.0.0',
    artifacts: {
      'Pipeline.assets': { type: 'cdk:asset-manifest', properties: { file: 'Pipeline.assets.json' } },
      Runtime: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Runtime.template.json', stackName: 'KiroCd-PipelineRuntime' } },
      Pipeline: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Pipeline.template.json', stackName: 'KiroCd-Pipeline' }, dependencies: ['Runtime', 'Pipeline.assets'] },
      Worker: { type: 'aws:cloudformation:stack', properties: { templateFile: 'Worker.template.json', stackName: 'KiroWorker-Test-Core' } },
    },
  };
  writeFileSync(join(directory, 'manifest.json'), JSON.stringify(manifest));
  writeFileSync(join(directory, 'Pipeline.template.json'), JSON.stringify(pipeline, null, 1));
  writeFileSync(join(directory, 'Runtime.template.json'), JSON.stringify(runtime));
  // Not something self-mutation deploys: its difference must not count.
  writeFileSync(join(directory, 'Worker.template.json'), '{"Resources":{}}');
}

// The emulator imports its CloudFormation backend on the first call: seconds idle, tens of seconds on
// a loaded 2-core machine.
describe('kiro-cd pipeline-changed against the emulator CloudFormation', { timeout: 120_000 }, () => {
  useFreshMoto();
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'kiro-pipeline-changed-'));
  });
  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  const run = async (): Promise<{ code: number; variables: string; out: string }> => {
    const command = createPipelineChangedCommand({
      region: () => 'us-east-1',
      openTemplates: () => new CloudFormationDeployedTemplates(new CloudFormationClient(motoClientConfig())),
    });
    const out = new RecordingOutput();
    const code = await runCli([command], ['pipeline-changed', '--stack', 'KiroCd-Pipeline', '--assembly', directory, '--exported-variables-file', join(directory, 'pipeline.env'), '--endpoint-url', motoEndpoint()], {
      out,
      env: {},
      cwd: directory,
    });
    return { code, variables: readFileSync(join(directory, 'pipeline.env'), 'utf8'), out: out.lines.map((line) => line.text).join('\n') };
  };

  const deploy = async (stackName: string, template: unknown): Promise<void> => {
    await new CloudFormationClient(motoClientConfig()).send(new CreateStackCommand({ StackName: stackName, TemplateBody: JSON.stringify(template) }));
  };

  it('says false when both stacks run exactly the synthesized templates (formatting aside)', async () => {
    await deploy('KiroCd-Pipeline', PIPELINE_TEMPLATE);
    await deploy('KiroCd-PipelineRuntime', RUNTIME_TEMPLATE);
    writeAssembly(directory, PIPELINE_TEMPLATE, RUNTIME_TEMPLATE);
    const { code, variables, out } = await run();
    expect(code).toBe(0);
    expect(variables).toBe('PIPELINE_CHANGED=false\n');
    expect(out).toContain('SKIPPED');
  });

  it('says true when a dependency of the pipeline stack changed', async () => {
    await deploy('KiroCd-Pipeline', PIPELINE_TEMPLATE);
    await deploy('KiroCd-PipelineRuntime', RUNTIME_TEMPLATE);
    writeAssembly(directory, PIPELINE_TEMPLATE, { Resources: { Topic: { Type: 'AWS::SNS::Topic', Properties: { TopicName: 'runtime-renamed' } } } });
    const { variables, out } = await run();
    expect(variables).toBe('PIPELINE_CHANGED=true\n');
    expect(out).toContain('KiroCd-PipelineRuntime: the synthesized template differs from the deployed one');
  });

  it('says true when a stack is not deployed (the first self-mutation)', async () => {
    await deploy('KiroCd-Pipeline', PIPELINE_TEMPLATE);
    writeAssembly(directory, PIPELINE_TEMPLATE, RUNTIME_TEMPLATE);
    const { variables, out } = await run();
    expect(variables).toBe('PIPELINE_CHANGED=true\n');
    expect(out).toContain('KiroCd-PipelineRuntime: not deployed yet');
  });

  it('refuses a missing assembly with exit code 2 and a fix', async () => {
    const command = createPipelineChangedCommand({ region: () => 'us-east-1', openTemplates: () => ({ template: () => Promise.resolve(undefined) }) });
    const out = new RecordingOutput();
    const code = await runCli([command], ['pipeline-changed', '--stack', 'KiroCd-Pipeline', '--assembly', join(directory, 'nothing')], { out, env: {}, cwd: directory });
    expect(code).toBe(2);
    expect(out.lines.map((line) => line.text).join('\n')).toContain('run "npx cdk synth" first');
  });
});
