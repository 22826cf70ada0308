import { readFile, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { CloudFormationDeployedTemplates } from '../../pipeline/adapters/aws/cloudformation-deployed-templates.js';
import { isRecord, tryParseJson } from '../../pipeline/domain/build-gates/gate-result.js';
import {
  decidePipelineChange,
  pipelineChangedLine,
  selfMutationStacks,
  type ManifestStack,
  type PipelineStackTemplates,
} from '../../pipeline/domain/change-detection/pipeline-definition-change.js';
import type { DeployedTemplates } from '../../pipeline/ports/deployed-templates.js';
import { loadEnvironmentsFile } from '../../shared/config/environments-file.js';
import { asKiroCdError, ConfigurationError, MalformedInputError } from '../../shared/errors.js';
import { AWS_CLI_OPTIONS, AWS_CLI_OPTIONS_HELP, awsClientConfig, resolveAwsOptions, type AwsClientConfig } from '../aws/aws-options.js';
import { recordCliCalls } from '../aws/cli-caller.js';
import { requiredFlag, stringFlag } from '../build/report-files.js';
import { ExitCode, type Command } from '../command.js';

const USAGE = 'kiro-cd pipeline-changed --stack <pipeline stack> [--assembly cdk.out] [--exported-variables-file <path>] [--json]';

const HELP = [
  `Usage: ${USAGE}`,
  '',
  'Decides whether self-mutation has anything to do: compares the templates this commit synthesized',
  'for the pipeline stack and every stack it depends on (what "cdk deploy <stack>" deploys) with the',
  'ones CloudFormation holds, and writes PIPELINE_CHANGED=true|false for the CodeBuild exported',
  'variable that the UpdatePipeline stage\'s VariableCheck entry condition reads. Any doubt (a stack not',
  'deployed, a template that cannot be read) is a change. Exits 0 with a verdict; 2 on bad usage or an',
  'assembly that cannot be read.',
  '',
  'Options:',
  '  --stack <name>                    the pipeline stack (as the assembly names it)',
  '  --assembly <dir>                  the synthesized cloud assembly (default cdk.out)',
  '  --exported-variables-file <path>  write PIPELINE_CHANGED=true|false there (for "set -a; . <path>")',
  '  --json                            print the decision as JSON',
  '',
  AWS_CLI_OPTIONS_HELP,
  '',
  'See docs/pipeline.md ("Skipping self-mutation").',
].join('\n');

/** What pipeline-changed needs from outside; tests pass fakes. */
export interface PipelineChangedDeps {
  readonly region: () => string | Promise<string>;
  readonly openTemplates: (client: AwsClientConfig) => DeployedTemplates;
}

/** The stack artifacts of a cloud assembly's top-level manifest (the pipeline's stacks live there). */
export async function manifestStacks(assembly: string): Promise<ManifestStack[]> {
  const path = join(assembly, 'manifest.json');
  const text = await readFile(path, 'utf8').catch((error: unknown) => {
    throw new MalformedInputError(`cannot read ${path}: run "npx cdk synth" first, or pass --assembly <directory>.`, { path }, error);
  });
  const manifest = tryParseJson(text);
  if (!isRecord(manifest) || !isRecord(manifest.artifacts)) throw new MalformedInputError(`${path} is not a cloud assembly manifest (no "artifacts"); synthesize again.`, { path });
  return Object.entries(manifest.artifacts).flatMap(([id, artifact]): ManifestStack[] => {
    if (!isRecord(artifact) || artifact.type !== 'aws:cloudformation:stack') return [];
    const properties = isRecord(artifact.properties) ? artifact.properties : {};
    const dependencies = Array.isArray(artifact.dependencies) ? artifact.dependencies.filter((entry): entry is string => typeof entry === 'string') : [];
    const region = typeof artifact.environment === 'string' ? /^aws:\/\/[^/]+\/([a-z0-9-]+)$/.exec(artifact.environment)?.[1] : undefined;
    return [
      {
        id,
        ...(region === undefined ? {} : { region }),
        stackName: typeof properties.stackName === 'string' ? properties.stackName : id,
        templateFile: typeof properties.templateFile === 'string' ? properties.templateFile : `${id}.template.json`,
        dependencies,
      },
    ];
  });
}

async function compare(assembly: string, stack: ManifestStack, templates: DeployedTemplates): Promise<PipelineStackTemplates> {
  const synthesized = tryParseJson(await readFile(join(assembly, stack.templateFile), 'utf8'));
  try {
    const deployed = await templates.template(stack.stackName);
    return { stackName: stack.stackName, synthesized, deployed: deployed === undefined ? { kind: 'missing', reason: 'not deployed yet' } : { kind: 'template', template: deployed } };
  } catch (error) {
    return { stackName: stack.stackName, synthesized, deployed: { kind: 'missing', reason: `the deployed template could not be read: ${asKiroCdError(error).message}` } };
  }
}

/** Builds `kiro-cd pipeline-changed` around its dependencies. */
export function createPipelineChangedCommand(deps: PipelineChangedDeps): Command {
  return {
    name: 'pipeline-changed',
    summary: 'Decide whether self-mutation has anything to deploy (synthesized vs deployed pipeline templates).',
    help: HELP,
    options: { ...AWS_CLI_OPTIONS, stack: { type: 'string' }, assembly: { type: 'string' }, 'exported-variables-file': { type: 'string' }, json: { type: 'boolean' } },
    async run(context, values, positionals) {
      if (positionals.length > 0) throw new ConfigurationError(`pipeline-changed takes no arguments; got "${positionals.join(' ')}". Usage: ${USAGE}`);
      const pipelineStack = requiredFlag(values, 'stack', USAGE);
      const assemblyFlag = stringFlag(values, 'assembly') ?? 'cdk.out';
      const assembly = isAbsolute(assemblyFlag) ? assemblyFlag : resolve(context.cwd, assemblyFlag);
      const stacks = selfMutationStacks(await manifestStacks(assembly), pipelineStack);
      const aws = resolveAwsOptions(values, context.env, { region: await deps.region() });
      const client = awsClientConfig(aws);
      // Each stack is read in its own region (the artifact-bucket stacks live in the environments' regions).
      const decision = decidePipelineChange(await Promise.all(stacks.map((stack) => compare(assembly, stack, deps.openTemplates({ ...client, region: stack.region ?? client.region })))));
      const line = pipelineChangedLine(decision);
      const variablesFile = stringFlag(values, 'exported-variables-file');
      if (variablesFile !== undefined) await writeFile(isAbsolute(variablesFile) ? variablesFile : resolve(context.cwd, variablesFile), `${line}\n`, 'utf8');
      if (values.json === true) context.out.json(decision);
      context.out.info([`Self-mutation of ${pipelineStack}: ${decision.changed ? 'RUNS' : 'SKIPPED'}`, ...decision.reasons.map((reason) => `  - ${reason}`), line].join('\n'));
      return ExitCode.Ok;
    },
  };
}

/** `kiro-cd pipeline-changed` against CloudFormation in the pipeline's region. */
export const pipelineChangedCommand: Command = createPipelineChangedCommand({
  region: async () => (await loadEnvironmentsFile()).pipeline.region,
  openTemplates: (client) => new CloudFormationDeployedTemplates(recordCliCalls(new CloudFormationClient(client))),
});
