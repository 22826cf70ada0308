import { describe, expect, it } from 'vitest';
import { deploymentRegionOf, groupByDeploymentRegion } from '../../../../../src/pipeline/domain/policy-gates/deployment-region.js';
import { MalformedInputError } from '../../../../../src/shared/errors.js';

describe('deploymentRegionOf', () => {
  it.each([
    ['aws://111111111111/us-east-1', 'us-east-1', 'the pipeline region'],
    ['aws://333333333333/us-west-2', 'us-west-2', 'a stage in another region (the artifact replication case)'],
    ['aws://unknown-account/unknown-region', undefined, 'an environment-agnostic stack: the deploying CLI picks the region'],
    ['aws://unknown-account/eu-central-1', 'eu-central-1', 'a region without an account is still a region'],
  ] as const)('%s → %s (%s)', (environment, region, _why) => {
    expect(deploymentRegionOf(environment)).toBe(region);
  });

  it.each([
    ['us-east-1', 'a bare region'],
    ['aws://111111111111', 'no region'],
    ['aws://111111111111/us-east-1/extra', 'a path after the region'],
    ['', 'nothing'],
  ])('rejects %j (%s) as a malformed assembly', (environment) => {
    expect(() => deploymentRegionOf(environment)).toThrow(MalformedInputError);
  });
});

describe('groupByDeploymentRegion', () => {
  const stack = (name: string, environment: string) => ({ name, environment });

  it('puts stacks of one region in one group, groups in first-appearance order, stacks in their order', () => {
    const groups = groupByDeploymentRegion([
      stack('test', 'aws://222222222222/us-east-1'),
      stack('staging', 'aws://333333333333/us-west-2'),
      stack('agnostic', 'aws://unknown-account/unknown-region'),
      stack('pipeline', 'aws://111111111111/us-east-1'),
      stack('replication', 'aws://111111111111/us-west-2'),
    ]);
    expect(groups.map((group) => [group.region, group.members.map((member) => member.name)])).toEqual([
      ['us-east-1', ['test', 'pipeline']],
      ['us-west-2', ['staging', 'replication']],
      [undefined, ['agnostic']],
    ]);
  });

  it('has no group for no stacks', () => {
    expect(groupByDeploymentRegion([])).toEqual([]);
  });
});
