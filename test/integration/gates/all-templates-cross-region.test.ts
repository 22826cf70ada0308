import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { environmentsConfig } from '../../../infrastructure/lib/config/environments.js';
import { loadDeploymentConfig } from '../../../infrastructure/lib/config/load-config.js';
import { ARTIFACT_REPLICATION_STACK_ID, buildKiroCdApp } from '../../../infrastructure/lib/kiro-cd-app.js';
import { applyPolicyPlugins } from '../../../infrastructure/lib/policy/apply-policy-plugins.js';
import { runAllGates, type GatesRun } from '../../../src/pipeline/adapters/tools/run-gates.js';
import { decideGates, formatFinding } from '../../../src/pipeline/domain/policy-gates/gate-finding.js';

/**
 * all-templates.test.ts with staging in another region than the pipeline: CodePipeline then needs an
 * artifact bucket in that region (ArtifactReplicationStack), which must pass every gate too. Built-in
 * validation is off here, so the suite keeps one full-validation synthesis (the shared one, which
 * all-templates.test.ts checks); the region-specific stack is still checked by cfn-lint, cfn-guard
 * and cdk-nag. A file of its own, so that on two workers it runs beside the other gates file instead
 * of after it (the two were the longest file of the suite together).
 */
describe('every policy gate over the app with an environment in another region', () => {
  let assembly: string;
  let run: GatesRun;
  beforeAll(async () => {
    assembly = mkdtempSync(join(tmpdir(), 'kiro-gates-xregion-'));
    // As app.ts builds it (policy plugins included), with CDK's built-in CloudFormation validator
    // off (~10 s a synthesis, GROUND.md); cfn-lint still checks every template against the
    // resource specification.
    const app = new App({ outdir: assembly, builtinCloudFormationValidation: false, context: { '@aws-cdk/core:failSynthOnValidationErrors': false } });
    buildKiroCdApp(app, loadDeploymentConfig({ ...environmentsConfig, environments: environmentsConfig.environments.map((e) => (e.name === 'staging' ? { ...e, region: 'us-west-2' } : e)) }));
    await applyPolicyPlugins(app);
    app.synth();
    run = await runAllGates(assembly);
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
