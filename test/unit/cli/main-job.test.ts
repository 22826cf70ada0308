import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ASSEMBLY_DIR, runMainJob } from '../../../src/cli/main-job.js';
import { RecordingOutput } from '../../../src/cli/output.js';
import type { AssemblyStack } from '../../../src/pipeline/adapters/tools/cloud-assembly.js';
import type { GatesRun } from '../../../src/pipeline/adapters/tools/run-gates.js';
import type { GateResult } from '../../../src/pipeline/domain/policy-gates/gate-finding.js';
import type { GateResult as BuildGateResult } from '../../../src/pipeline/domain/build-gates/gate-result.js';
import type { BundleSize } from '../../../src/pipeline/domain/bundles/bundle-size-limit.js';

/** A pipeline stack template in the shape CDK synthesizes (see cdk.out/KiroCd-Pipeline.template.json), cut down to one environment. */
const pipelineTemplate = {
  Resources: {
    PipelineC660917D: {
      Type: 'AWS::CodePipeline::Pipeline',
      Properties: {
        Name: 'kiro-codebuild-worker',
        PipelineType: 'V2',
        ExecutionMode: 'SUPERSEDED',
        Triggers: [{ ProviderType: 'CodeStarSourceConnection', GitConfiguration: { Push: [{ Branches: { Includes: ['main'] } }], SourceActionName: 'GitHub_Source' } }],
        Stages: [
          { Name: 'Source', Actions: [{ Name: 'GitHub_Source', ActionTypeId: { Category: 'Source', Provider: 'CodeStarSourceConnection' }, Configuration: { FullRepositoryId: 'kiro-dev/kiro-codebuild-worker', BranchName: 'main' }, RunOrder: 1 }] },
          { Name: 'Build', Actions: [{ Name: 'Synth', ActionTypeId: { Category: 'Build', Provider: 'CodeBuild' }, Configuration: { ProjectName: { Ref: 'SynthProject' } }, RunOrder: 1 }] },
          {
            Name: 'Approve-Production',
            Actions: [{ Name: 'Approve', ActionTypeId: { Category: 'Approval', Provider: 'Manual' }, RunOrder: 1, TimeoutInMinutes: 1440 }],
          },
          {
            Name: 'Production-Application',
            Actions: [{ Name: 'Deploy', ActionTypeId: { Category: 'Deploy', Provider: 'CloudFormation' }, Configuration: { StackName: 'KiroWorker-Production-Application', ActionMode: 'CHANGE_SET_EXECUTE' }, RunOrder: 2 }],
            OnFailure: { Result: 'ROLLBACK' },
          },
        ],
      },
    },
  },
};

describe('runMainJob', () => {
  let directory: string;
  let pipelineStack: AssemblyStack;
  let runtimeStack: AssemblyStack;

  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'kiro-main-job-'));
    const write = (name: string, template: unknown): AssemblyStack => {
      const templatePath = join(directory, `${name}.template.json`);
      writeFileSync(templatePath, JSON.stringify(template));
      return { stage: '', displayName: name, stackName: name, environment: 'aws://111111111111/us-east-1', templatePath, templateName: `${name}.template.json`, resourceCount: Object.keys((template as { Resources: object }).Resources).length };
    };
    runtimeStack = write('KiroCd-PipelineRuntime', { Resources: { Table: { Type: 'AWS::DynamoDB::Table' } } });
    pipelineStack = write('KiroCd-Pipeline', pipelineTemplate);
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  const clean: GateResult[] = [
    { gate: 'cfn-lint', templatesChecked: 2, findings: [] },
    { gate: 'cfn-guard', templatesChecked: 2, findings: [] },
  ];
  // Stacks in nested stage assemblies are never the pipeline: this one points at the pipeline's template on purpose.
  const nested = (): AssemblyStack => ({ ...pipelineStack, stage: 'KiroCd-Pipeline/Production-Application', stackName: 'KiroWorker-Production-Application', resourceCount: 7 });

  const supplyChainPassed: readonly BuildGateResult[] = [
    { tool: 'secrets', verdict: 'pass', ran: true, findings: [], summary: 'passed: 0 secrets found in 3 files' },
    { tool: 'licences', verdict: 'pass', ran: true, findings: [], summary: 'passed: 0 licence problems in 2 production packages and 9 bundles' },
  ];

  const smallBundles: readonly BundleSize[] = [
    { name: 'PipelineEvents/Recorder', bytes: 160_768, asset: 'asset.1' },
    { name: 'Worker/WorkerBundle', bytes: 358_208, asset: 'asset.2' },
  ];

  async function mainJob(run: GatesRun, supplyChain: readonly BuildGateResult[] = supplyChainPassed, bundles: readonly BundleSize[] = smallBundles): Promise<{ code: number; out: RecordingOutput; assemblyDirs: string[] }> {
    const out = new RecordingOutput();
    const assemblyDirs: string[] = [];
    let clock = 0;
    const code = await runMainJob({
      cwd: directory,
      out,
      now: () => (clock += 1000),
      synthesize: () => Promise.resolve(),
      runGates: (assemblyDir) => {
        assemblyDirs.push(assemblyDir);
        return Promise.resolve(run);
      },
      runSupplyChainGates: () => Promise.resolve(supplyChain),
      bundleSizes: () => bundles,
    });
    return { code, out, assemblyDirs };
  }

  it('prints the pipeline of the synthesized template per environment, then the stacks and the gates, and passes', async () => {
    const { code, out, assemblyDirs } = await mainJob({ stacks: [runtimeStack, pipelineStack, nested()], results: clean });
    expect(code).toBe(0);
    expect(assemblyDirs).toEqual([join(directory, ASSEMBLY_DIR)]);
    const lines = out.stdout.split('\n');
    const pipelineSection = lines.slice(0, lines.indexOf('') === -1 ? undefined : lines.indexOf(''));
    expect(pipelineSection).toEqual([
      'Pipeline kiro-codebuild-worker (V2, SUPERSEDED, push to main):',
      '  pipeline-wide:',
      '    Source',
      '       1. GitHub_Source  CodeStarSourceConnection  kiro-dev/kiro-codebuild-worker@main',
      '    Build',
      '       1. Synth  CodeBuild  ${Ref:SynthProject}',
      '  production:',
      '    Approve-Production',
      '       1. Approve  Manual  timeout 1440 min',
      '    Production-Application',
      '       2. Deploy  CloudFormation  KiroWorker-Production-Application (CHANGE_SET_EXECUTE)',
      '      on failure: ROLLBACK',
    ]);
    expect(out.stdout).toMatch(/\nStacks:\n {2}\(top level\) +KiroCd-PipelineRuntime +1 resources {2}aws:\/\/111111111111\/us-east-1\n/);
    expect(out.stdout).toMatch(/ {2}KiroCd-Pipeline\/Production-Application +KiroWorker-Production-Application +7 resources/);
    expect(out.stdout).toContain('\nPolicy gates:\n  cfn-lint           0 finding(s)');
    expect(out.stdout).toContain('\nBundle sizes (docs/build-gates.md, "Bundle sizes"):\n  Worker/WorkerBundle       349.8 KB   70 %\n  PipelineEvents/Recorder   157.0 KB   31 %\n  (limit 500.0 KB a bundle)\n');
    // The build-stage gates beside the template gates (issue 18, item 5): the two npm start runs with their results, the others named.
    expect(out.stdout).toContain('\nBuild-stage gates (docs/build-gates.md):\n  secrets   passed: 0 secrets found in 3 files\n');
    expect(out.stdout).toMatch(/\n {2}sast {6}in the Build action: kiro-cd gate eslint/);
    expect(out.stdout).toContain('\n  licences  passed: 0 licence problems');
    expect(out.stdout).toMatch(/\n {2}sbom {6}in the Build action: kiro-cd sbom --output-dir cdk.out\/sbom/);
    expect(out.stdout).toContain('Main job passed: zero unaccepted findings.');
    expect(out.stderr).toBe('');
  });

  it('fails when a supply-chain gate blocks, although the policy gates are clean', async () => {
    const blocked: BuildGateResult = { tool: 'secrets', verdict: 'block', ran: true, findings: [{ severity: 'error', id: '@secretlint/secretlint-rule-aws/AWSAccessKeyID', message: 'found AWS Access Key ID: ****', location: 'src/a.ts:1:1', blocking: true, why: 'remove it' }], summary: 'BLOCKED: 1 secrets found in 3 files' };
    const { code, out } = await mainJob({ stacks: [pipelineStack], results: clean }, [blocked]);
    expect(code).toBe(1);
    expect(out.stderr).toContain('✗ blocks error @secretlint/secretlint-rule-aws/AWSAccessKeyID at src/a.ts:1:1');
    expect(out.stdout).toContain('Main job FAILED: 0 unaccepted finding(s); blocked: secrets.');
  });

  it('fails when a bundle is over the size limit, naming it', async () => {
    const { code, out } = await mainJob({ stacks: [pipelineStack], results: clean }, supplyChainPassed, [{ name: 'Worker/WorkerBundle', bytes: 600_000, asset: 'asset.2' }]);
    expect(code).toBe(1);
    expect(out.stdout).toContain('  Worker/WorkerBundle   585.9 KB  117 %  OVER THE LIMIT');
    expect(out.stdout).toContain('Main job FAILED: 0 unaccepted finding(s); bundles over the size limit: Worker/WorkerBundle.');
  });

  it('still shows the pipeline when a gate finds something, and fails', async () => {
    const finding = { gate: 'cfn-lint', ruleId: 'W3005', severity: 'warning', message: 'redundant DependsOn' } as const;
    const { code, out } = await mainJob({ stacks: [pipelineStack], results: [{ gate: 'cfn-lint', templatesChecked: 1, findings: [finding] }] });
    expect(code).toBe(1);
    expect(out.stdout).toContain('Pipeline kiro-codebuild-worker (V2, SUPERSEDED, push to main):');
    expect(out.stdout).toContain('Main job FAILED: 1 unaccepted finding(s).');
  });

  it('fails as the user\'s fault, naming the templates it looked in, when no top-level stack holds the pipeline', async () => {
    const { code, out } = await mainJob({ stacks: [runtimeStack, nested()], results: clean });
    expect(code).toBe(2);
    expect(out.stderr).toContain('main job: No top-level stack of the cloud assembly declares a V2 CodePipeline pipeline (looked in: KiroCd-PipelineRuntime.template.json)');
  });

  it('reports a synthesis failure without running the gates', async () => {
    const out = new RecordingOutput();
    const code = await runMainJob({
      cwd: directory,
      out,
      now: () => 0,
      synthesize: () => Promise.reject(new Error('boom')),
      runGates: () => Promise.reject(new Error('the gates must not run')),
      runSupplyChainGates: () => Promise.reject(new Error('the gates must not run')),
      bundleSizes: () => {
        throw new Error('nothing to measure');
      },
    });
    expect(code).toBe(4);
    expect(out.stderr).toBe('main job: boom');
  });
});
