import { describe, expect, it } from 'vitest';
import {
  decidePipelineChange,
  pipelineChangedLine,
  sameJson,
  selfMutationStacks,
  type ManifestStack,
  type PipelineStackTemplates,
} from '../../../../../src/pipeline/domain/change-detection/pipeline-definition-change.js';

const template = { Resources: { Pipeline: { Type: 'AWS::CodePipeline::Pipeline', Properties: { Stages: [{ Name: 'Source' }, { Name: 'Build' }] } } } };
const deployed = (value: unknown): PipelineStackTemplates['deployed'] => ({ kind: 'template', template: value });

describe('did the pipeline definition change', () => {
  it.each<{ why: string; stacks: PipelineStackTemplates[]; changed: boolean }>([
    { why: 'the same template, keys in another order, is no change', stacks: [{ stackName: 'P', synthesized: { b: 1, a: [1, 2] }, deployed: deployed({ a: [1, 2], b: 1 }) }], changed: false },
    { why: 'a stage added is a change', stacks: [{ stackName: 'P', synthesized: template, deployed: deployed({ Resources: { Pipeline: { Type: 'AWS::CodePipeline::Pipeline', Properties: { Stages: [{ Name: 'Source' }] } } } }) }], changed: true },
    { why: 'array order matters (stage order is the pipeline)', stacks: [{ stackName: 'P', synthesized: [1, 2], deployed: deployed([2, 1]) }], changed: true },
    { why: 'a stack never deployed changes (first self-mutation)', stacks: [{ stackName: 'P', synthesized: template, deployed: { kind: 'missing', reason: 'not deployed' } }], changed: true },
    {
      why: 'one changed dependency (new runtime Lambda code) is enough',
      stacks: [
        { stackName: 'P', synthesized: template, deployed: deployed(template) },
        { stackName: 'R', synthesized: { Code: { S3Key: 'new.zip' } }, deployed: deployed({ Code: { S3Key: 'old.zip' } }) },
      ],
      changed: true,
    },
    { why: 'no stack to compare is a doubt, and a doubt runs self-mutation', stacks: [], changed: true },
  ])('$why', ({ stacks, changed }) => {
    const decision = decidePipelineChange(stacks);
    expect(decision.changed).toBe(changed);
    expect(pipelineChangedLine(decision)).toBe(`PIPELINE_CHANGED=${String(changed)}`);
    expect(decision.reasons.length).toBeGreaterThan(0);
  });

  it.each([
    { left: null, right: {}, same: false },
    { left: { a: 1 }, right: { a: 1, b: undefined }, same: false },
    { left: { a: { b: [1, { c: 'x' }] } }, right: { a: { b: [1, { c: 'x' }] } }, same: true },
    { left: '1', right: 1, same: false },
  ])('sameJson($left, $right) is $same', ({ left, right, same }) => {
    expect(sameJson(left, right)).toBe(same);
  });
});

describe('the stacks self-mutation deploys', () => {
  const stacks: ManifestStack[] = [
    { id: 'Pipeline', stackName: 'KiroCd-Pipeline', templateFile: 'p.json', dependencies: ['Runtime', 'Pipeline.assets'] },
    { id: 'Runtime', stackName: 'KiroCd-PipelineRuntime', templateFile: 'r.json', dependencies: ['Replication', 'Runtime.assets'] },
    { id: 'Replication', stackName: 'KiroCd-Replication', templateFile: 'x.json', dependencies: [] },
    { id: 'Unrelated', stackName: 'KiroWorker-Test-Core', templateFile: 'u.json', dependencies: [] },
  ];

  it('are the pipeline stack and everything it depends on, transitively, and no asset manifest', () => {
    expect(selfMutationStacks(stacks, 'KiroCd-Pipeline').map((stack) => stack.stackName)).toEqual(['KiroCd-Pipeline', 'KiroCd-PipelineRuntime', 'KiroCd-Replication']);
  });

  it('are none when the assembly has no such stack', () => {
    expect(selfMutationStacks(stacks, 'Other')).toEqual([]);
  });
});
