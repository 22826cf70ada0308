import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AssemblyStack } from '../../../src/pipeline/adapters/tools/cloud-assembly.js';
import { runCfnLint } from '../../../src/pipeline/adapters/tools/run-gates.js';
import type { GateResult } from '../../../src/pipeline/domain/policy-gates/gate-finding.js';
import { sharedCfnLint } from '../../support/cfn-lint-server.js';

/**
 * The real cfn-lint over templates of its own, in one runCfnLint call (two cfn-lint runs, one a
 * region, forks of the run's cfn-lint server: cfn-lint-server.test.ts shows they print what the
 * command prints), which every case below reads.
 *
 * Regions: cfn-lint checks each template against the resource specification of the region its stack
 * deploys to (the environment in the cloud assembly's manifest), not against its default region's.
 * The resource types come from cfn-lint 1.51's bundled provider schemas
 * (cfnlint/data/schemas/providers/<region>.py): Amazon ECR Public's repositories exist only in
 * us-east-1, AWS Device Farm's projects only in us-west-2.
 */
describe('the cfn-lint gate', () => {
  const directory = mkdtempSync(join(tmpdir(), 'kiro-lint-gate-'));
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });
  const stackIn = (name: string, region: string, resources: Record<string, unknown>): AssemblyStack => {
    const file = `${name}.template.json`;
    writeFileSync(join(directory, file), JSON.stringify({ Resources: resources }, null, 1));
    return { stage: '', displayName: name, stackName: name, environment: `aws://123456789012/${region}`, templatePath: join(directory, file), templateName: file, resourceCount: Object.keys(resources).length };
  };
  const publicRepository = (name: string, region: string): AssemblyStack => stackIn(name, region, { Repository: { Type: 'AWS::ECR::PublicRepository', Properties: { RepositoryName: 'kiro' } } });
  const deviceFarmProject = (name: string, region: string): AssemblyStack => stackIn(name, region, { Project: { Type: 'AWS::DeviceFarm::Project', Properties: { Name: 'kiro' } } });
  // s3:GetObjectAnnotation is in AWS's Service Authorization Reference but not in cfn-lint 1.51's action list.
  const iamPolicy = stackIn('policy-in-virginia', 'us-east-1', {
    Policy: {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: { PolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: ['s3:GetObject', 's3:GetObjectAnnotation', 's3:GetObjct'], Resource: '*' }] } },
    },
  });
  const stacks = [
    publicRepository('public-in-oregon', 'us-west-2'),
    deviceFarmProject('device-farm-in-virginia', 'us-east-1'),
    deviceFarmProject('device-farm-in-oregon', 'us-west-2'),
    publicRepository('public-in-virginia', 'us-east-1'),
    iamPolicy,
  ];
  let result: GateResult;
  beforeAll(async () => {
    result = await runCfnLint(directory, stacks, sharedCfnLint());
  }, 120_000);

  it("reports a resource type the stack's region lacks and not one only the default region lacks, templates of two regions in one call, in stack order", () => {
    const e3006 = result.findings.filter((finding) => finding.ruleId === 'E3006');
    expect(e3006.map((finding) => `${finding.template ?? ''} ${finding.message}`)).toEqual([
      "public-in-oregon.template.json Resource type 'AWS::ECR::PublicRepository' does not exist in 'us-west-2'",
      "device-farm-in-virginia.template.json Resource type 'AWS::DeviceFarm::Project' does not exist in 'us-east-1'",
    ]);
    expect(e3006.every((finding) => finding.severity === 'error' && finding.acceptedBecause === undefined)).toBe(true);
    expect(result.templatesChecked).toBe(stacks.length);
  });

  it("accepts an IAM action newer than cfn-lint's list, naming it, and keeps a typo of the same service as a finding", () => {
    const w3037 = result.findings.filter((finding) => finding.ruleId === 'W3037');
    expect(w3037.map((finding) => [finding.template, finding.message.slice(0, finding.message.indexOf(' ')), finding.acceptedBecause !== undefined])).toEqual([
      ['policy-in-virginia.template.json', "'getobjectannotation'", true],
      ['policy-in-virginia.template.json', "'getobjct'", false],
    ]);
    expect(w3037[0]?.acceptedBecause).toContain('s3:getobjectannotation');
  });
});
