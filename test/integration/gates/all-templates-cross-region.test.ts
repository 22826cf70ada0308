import { beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACT_REPLICATION_STACK_ID } from '../../../infrastructure/lib/kiro-cd-app.js';
import { readCloudAssembly, type AssemblyStack } from '../../../src/pipeline/adapters/tools/cloud-assembly.js';
import { readValidationPlugins, runCfnGuard, runCfnLint } from '../../../src/pipeline/adapters/tools/run-gates.js';
import { decideGates, formatFinding } from '../../../src/pipeline/domain/policy-gates/gate-finding.js';
import type { GateResult } from '../../../src/pipeline/domain/policy-gates/gate-finding.js';
import { templateWithoutAssetHashes } from '../../support/asset-hashes.js';
import { sharedCfnLint } from '../../support/cfn-lint-server.js';
import { crossRegionAssembly } from '../../support/cross-region-assembly.js';
import { productAssembly } from '../../support/shared-assembly.js';

/** The stages whose stacks the staging region does not reach: their templates are the product's own. */
const UNCHANGED_STAGES = ['Test-Application', 'Test-Infrastructure', 'Production-Application', 'Production-Infrastructure'];

/**
 * all-templates.test.ts with staging in another region than the pipeline: CodePipeline then needs an
 * artifact bucket in that region (ArtifactReplicationStack), which must pass every gate too.
 *
 * What it synthesizes and gates, and why that proves the same as gating everything:
 * - The app is the run's one synthesis of it (test/support/cross-region-assembly.ts: policy plugins
 *   on, as app.ts registers them), made by whichever of this file and the artifact replication
 *   stack's tests asks first.
 * - Built-in validation is off (~10 s a synthesis, GROUND.md), so the suite keeps one full-validation
 *   synthesis (the shared one, which all-templates.test.ts checks); cfn-lint still checks every
 *   template it gates against the resource specification of the region its stack deploys to.
 * - No Lambda is bundled (testApp()): no gate reads a bundle; the templates differ from bundled ones
 *   only in the hashes naming each bundle (test/unit/infrastructure/test-app-bundling.test.ts).
 * - cdk-nag runs over the whole app (its report covers every construct). cfn-lint and cfn-guard, whose
 *   findings are per template, run over the templates that differ from the run's shared synthesis of
 *   the product (asset hashes apart): a template identical to one all-templates.test.ts gates in the
 *   same run, for a stack of the same environment (account and region), gets the same findings
 *   (cfn-guard took ~6–16 s of CPU a template on a busy machine, 4 of the 9 templates are the
 *   product's own). Which ones were taken from there is asserted below, so a template cannot
 *   silently stop being gated.
 * A file of its own, so that on two workers it runs beside the other gates file.
 */
describe('every policy gate over the app with an environment in another region', () => {
  let assembly: string;
  let stacks: readonly AssemblyStack[];
  let gated: readonly AssemblyStack[];
  let results: readonly GateResult[];
  beforeAll(async () => {
    // Its own synthesis first: the product's is built by the worker that asks for it first
    // (shared-assembly.ts). In a full run that is the rehearsal's, which starts first and asks at
    // once, so the two run side by side; asked for first here, both would run here, one after the other.
    assembly = await crossRegionAssembly();
    stacks = readCloudAssembly(assembly);
    const product = new Map(readCloudAssembly(await productAssembly()).map((stack) => [stack.templateName, stack]));
    gated = stacks.filter((stack) => {
      const twin = product.get(stack.templateName);
      // Same template and same environment: cfn-lint checks a template against its stack's region (docs/policy-gates.md).
      return twin === undefined || twin.environment !== stack.environment || templateWithoutAssetHashes(twin.templatePath) !== templateWithoutAssetHashes(stack.templatePath);
    });
    const [lint, guard] = await Promise.all([runCfnLint(assembly, gated, sharedCfnLint()), runCfnGuard(assembly, gated)]);
    results = [lint, guard, ...readValidationPlugins(assembly)];
  }, 420_000);

  it('has the artifact bucket stack of that region', () => {
    expect(stacks.map((stack) => stack.stackName)).toContain(`${ARTIFACT_REPLICATION_STACK_ID}-us-west-2`);
    expect(stacks.some((stack) => stack.stackName.startsWith('cross-region-stack'))).toBe(false);
  });

  it('gates every template the region changes; only the test and production stages are the product\'s own, gated by all-templates.test.ts', () => {
    const reused = stacks.filter((stack) => !gated.includes(stack)).map((stack) => stack.stage.split('/').at(-1));
    expect(reused.sort()).toEqual([...UNCHANGED_STAGES].sort());
    expect(gated.map((stack) => stack.stackName)).toEqual(expect.arrayContaining([`${ARTIFACT_REPLICATION_STACK_ID}-us-west-2`, 'KiroCd-Pipeline', 'KiroCd-PipelineRuntime']));
    expect(gated.filter((stack) => stack.stage.endsWith('/Staging-Application') || stack.stage.endsWith('/Staging-Infrastructure'))).toHaveLength(2);
    expect(results.filter((result) => result.gate === 'cfn-lint' || result.gate === 'cfn-guard').map((result) => result.templatesChecked)).toEqual([gated.length, gated.length]);
  });

  it('has zero unaccepted findings in every gate', () => {
    const verdict = decideGates(results);
    expect(verdict.kind === 'fail' ? verdict.blocking.map(formatFinding).join('\n') : '').toBe('');
    expect(results.map((result) => result.gate).sort()).toEqual(['cdk-nag', 'cdk-validation', 'cfn-guard', 'cfn-lint']);
  });
});
