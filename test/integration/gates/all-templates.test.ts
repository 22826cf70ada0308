import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentsConfig } from '../../../infrastructure/lib/config/environments.js';
import { loadDeploymentConfig } from '../../../infrastructure/lib/config/load-config.js';
import type { DeploymentConfig } from '../../../src/shared/config/schema.js';
import { ARTIFACT_REPLICATION_STACK_ID, buildKiroCdApp, PIPELINE_RUNTIME_STACK_ID, PIPELINE_STACK_ID } from '../../../infrastructure/lib/kiro-cd-app.js';
import { applyPolicyPlugins } from '../../../infrastructure/lib/policy/apply-policy-plugins.js';
import { runAllGates, type GatesRun } from '../../../src/pipeline/adapters/tools/run-gates.js';
import { decideGates, formatFinding } from '../../../src/pipeline/domain/policy-gates/gate-finding.js';

/**
 * The single full-validation synthesis of the suite (built-in CloudFormation validation on): the
 * real product, built by buildKiroCdApp and registered through applyPolicyPlugins exactly as
 * infrastructure/bin/app.ts does, then every gate over every template, the environment stacks in
 * the pipeline's nested stage assemblies included.
 */
/**
 * Synthesizes the product for `config` as app.ts does (policy plugins included) and runs every gate.
 * `builtinValidation: false` switches off CDK's built-in CloudFormation validator (~10 s a synthesis,
 * GROUND.md); cfn-lint still checks every template against the resource specification.
 */
async function gatesOver(outdir: string, config: DeploymentConfig, builtinValidation = true): Promise<GatesRun> {
  const app = new App({ outdir, builtinCloudFormationValidation: builtinValidation, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
  buildKiroCdApp(app, config);
  await applyPolicyPlugins(app);
  app.synth();
  return runAllGates(outdir);
}

describe('every policy gate over the synthesized app', () => {
  let assembly: string;
  let run: GatesRun;
  beforeAll(async () => {
    assembly = mkdtempSync(join(tmpdir(), 'kiro-gates-'));
    run = await gatesOver(assembly, loadDeploymentConfig());
  }, 420_000);
  afterAll(() => {
    rmSync(assembly, { recursive: true, force: true });
  });

  it('found the pipeline and runtime stacks and both stacks of each environment in the pipeline stages', () => {
    const stacks = run.stacks.map((stack) => `${stack.stage}/${stack.stackName}`).sort();
    expect(stacks.filter((name) => name.startsWith('/')).sort()).toEqual([`/${PIPELINE_STACK_ID}`, `/${PIPELINE_RUNTIME_STACK_ID}`].sort());
    const nested = run.stacks.filter((stack) => stack.stage !== '');
    expect(nested.map((stack) => stack.stage).sort()).toEqual(
      ['Production-Application', 'Production-Infrastructure', 'Staging-Application', 'Staging-Infrastructure', 'Test-Application', 'Test-Infrastructure'].map((stage) => `${PIPELINE_STACK_ID}/${stage}`),
    );
  });

  it('runs every CodeBuild action of every template on Node.js 22 (issue 14, item 12)', () => {
    const projects = run.stacks.flatMap((stack) => {
      const template = JSON.parse(readFileSync(stack.templatePath, 'utf8')) as { Resources?: Record<string, { Type: string; Properties?: { Source?: { BuildSpec?: unknown } } }> };
      return Object.entries(template.Resources ?? {})
        .filter(([, resource]) => resource.Type === 'AWS::CodeBuild::Project')
        .map(([id, resource]) => {
          // The buildspec is a JSON or YAML string, an Fn::Join of one, or (CDK Pipelines' asset
          // publishing) the name of a file beside the template: look for its runtime-versions either way.
          const given = resource.Properties?.Source?.BuildSpec ?? '';
          const file = typeof given === 'string' && /^buildspec-[\w-]+\.yaml$/.test(given) ? join(dirname(stack.templatePath), given) : undefined;
          const buildSpec = file === undefined ? JSON.stringify(given) : readFileSync(file, 'utf8');
          const nodejs = /runtime-versions[\s\S]{0,80}?nodejs\W{0,12}(\d+)/.exec(buildSpec)?.[1];
          return `${stack.stackName}/${id}: nodejs ${nodejs ?? 'not pinned'}`;
        });
    });
    expect(projects.length).toBeGreaterThanOrEqual(9);
    expect(projects.filter((project) => !project.endsWith(': nodejs 22'))).toEqual([]);
  });

  it('has zero unaccepted findings in every gate', () => {
    const verdict = decideGates(run.results);
    const listed = verdict.kind === 'fail' ? verdict.blocking.map(formatFinding).join('\n') : '';
    expect(listed).toBe('');
    expect(run.results.map((result) => result.gate).sort()).toEqual(['cdk-nag', 'cdk-validation', 'cfn-guard', 'cfn-lint']);
  });
});

/**
 * The same, with staging in another region than the pipeline: CodePipeline then needs an artifact
 * bucket in that region (ArtifactReplicationStack), which must pass every gate too. Built-in
 * validation is off here, so the suite keeps one full-validation synthesis (the one above); the
 * region-specific stack is still checked by cfn-lint, cfn-guard and cdk-nag.
 */
describe('every policy gate over the app with an environment in another region', () => {
  let assembly: string;
  let run: GatesRun;
  beforeAll(async () => {
    assembly = mkdtempSync(join(tmpdir(), 'kiro-gates-xregion-'));
    run = await gatesOver(
      assembly,
      loadDeploymentConfig({ ...environmentsConfig, environments: environmentsConfig.environments.map((e) => (e.name === 'staging' ? { ...e, region: 'us-west-2' } : e)) }),
      false,
    );
  }, 420_000);
  afterAll(() => {
    rmSync(assembly, { recursive: true, force: true });
  });

  it('has the artifact bucket stack of that region and zero unaccepted findings in every gate', () => {
    expect(run.stacks.map((stack) => stack.stackName)).toContain(`${ARTIFACT_REPLICATION_STACK_ID}-us-west-2`);
    expect(run.stacks.some((stack) => stack.stackName.startsWith('cross-region-stack'))).toBe(false);
    const verdict = decideGates(run.results);
    expect(verdict.kind === 'fail' ? verdict.blocking.map(formatFinding).join('\n') : '').toBe('');
  });
});
