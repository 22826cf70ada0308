import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { PIPELINE_RUNTIME_STACK_ID, PIPELINE_STACK_ID } from '../../../infrastructure/lib/kiro-cd-app.js';
import { runAllGates, type GatesRun } from '../../../src/pipeline/adapters/tools/run-gates.js';
import { decideGates, formatFinding } from '../../../src/pipeline/domain/policy-gates/gate-finding.js';
import { sharedCfnLint } from '../../support/cfn-lint-server.js';
import { productAssembly } from '../../support/shared-assembly.js';

/**
 * Every gate over every template of the real product, the environment stacks in the pipeline's
 * nested stage assemblies included. The assembly is the run's shared synthesis
 * (test/support/synthesize-product.ts): the product exactly as infrastructure/bin/app.ts builds it,
 * built-in CloudFormation validation and the policy plugins on — the suite's one full-validation
 * synthesis, which the rehearsal and the layout tests read too instead of synthesizing the same
 * product again. The cross-region variant is all-templates-cross-region.test.ts, a file of its own so
 * that it runs on the other worker at the same time.
 */
describe('every policy gate over the synthesized app', () => {
  let run: GatesRun;
  beforeAll(async () => {
    // cfn-lint through the run's server: the same output as the command, without a Python start (cfn-lint-server.test.ts).
    run = await runAllGates(await productAssembly(), { cfnLint: sharedCfnLint() });
  }, 420_000);

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
