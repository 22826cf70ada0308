import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { manifestStacks } from '../../../src/cli/commands/pipeline-changed.js';
import { selfMutationStacks, type ManifestStack } from '../../../src/pipeline/domain/change-detection/pipeline-definition-change.js';
import { PIPELINE_STACK_NAMES } from '../../../src/pipeline/domain/pipeline-vocabulary.js';
import { productAssembly } from '../../support/shared-assembly.js';

interface PolicyResource {
  readonly Type: string;
  readonly Properties: { readonly PolicyDocument: { readonly Statement: readonly { readonly Sid?: string; readonly Action: string | readonly string[]; readonly Resource: unknown }[] } };
}

/**
 * The Build's `kiro-cd pipeline-changed` reads the deployed template of every stack self-mutation
 * deploys. If the Build's role may not read one of them, every comparison is a doubt and UpdatePipeline
 * always runs: safe, but the saving is silently lost. So the role's GetTemplate resources must be
 * exactly the stacks the real assembly makes the pipeline stack depend on.
 */
describe('the Build may read the templates of exactly the stacks self-mutation deploys', () => {
  let assembly: string;
  let reached: ManifestStack[];
  beforeAll(async () => {
    assembly = await productAssembly();
    reached = selfMutationStacks(await manifestStacks(assembly), PIPELINE_STACK_NAMES.pipeline);
  }, 300_000);

  it('finds the pipeline stack and its runtime stack in the synthesized assembly', () => {
    expect(reached.map((stack) => stack.stackName)).toEqual(expect.arrayContaining([PIPELINE_STACK_NAMES.pipeline, PIPELINE_STACK_NAMES.runtime]));
  });

  it('grants cloudformation:GetTemplate on those stacks, by name, and nothing else', () => {
    const template = JSON.parse(readFileSync(join(assembly, `${PIPELINE_STACK_NAMES.pipeline}.template.json`), 'utf8')) as { Resources: Record<string, PolicyResource> };
    const statements = Object.values(template.Resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .flatMap((resource) => resource.Properties.PolicyDocument.Statement)
      .filter((statement) => statement.Sid === 'ReadPipelineStackTemplates');
    expect(statements).toHaveLength(1);
    expect(statements[0]?.Action).toBe('cloudformation:GetTemplate');
    const names = (JSON.stringify(statements[0]?.Resource).match(/:stack\/([A-Za-z0-9-]+)\/\*/g) ?? []).map((arn) => arn.slice(':stack/'.length, -'/*'.length));
    expect(names.sort()).toEqual(reached.map((stack) => stack.stackName).sort());
  });
});
