/**
 * The pipeline scenarios run on the local CodePipeline built from the synthesized KiroCd-Pipeline
 * template, and a regression in that template (the way a CDK change would make it) makes a named
 * scenario fail: the rehearsal cannot drift from what will be deployed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../infrastructure/lib/config/load-config.js';
import { buildKiroCdApp } from '../../../infrastructure/lib/kiro-cd-app.js';
import { CompressedClock } from '../../../src/local/compressed-clock.js';
import { findPipelineDeclaration, type PipelineDeclaration } from '../../../src/local/codepipeline/declaration.js';
import { readSynthesizedStacks, type SynthesizedStack } from '../../../src/local/synthesized-templates.js';
import { PIPELINE_SCENARIOS, type PipelineScenario } from '../../../src/rehearsal/scenarios/pipeline-scenario.js';
import { rehearsePipelineScenario } from '../../../src/rehearsal/scenarios/rehearse-pipeline-scenario.js';

const WHERE = { region: 'us-east-1', account: '123456789012' };
let stacks: SynthesizedStack[];

/** The stacks with the pipeline template's stage `stageName` changed by `regress` (a copy; the synthesized files stay). */
function regressed(stageName: string, regress: (stage: Record<string, unknown>) => void): PipelineDeclaration {
  const copy = stacks.map((stack) => ({ ...stack, resources: JSON.parse(JSON.stringify(stack.resources)) as SynthesizedStack['resources'] }));
  const pipeline = copy.flatMap((stack) => Object.values(stack.resources)).find((resource) => resource.Type === 'AWS::CodePipeline::Pipeline');
  const stage = (pipeline?.Properties?.Stages as Record<string, unknown>[] | undefined)?.find((candidate) => candidate.Name === stageName);
  if (stage === undefined) throw new Error(`no stage ${stageName} in the synthesized pipeline`);
  regress(stage);
  return findPipelineDeclaration(copy, WHERE, 'KiroCd-Pipeline');
}

function scenario(name: string): PipelineScenario {
  const found = PIPELINE_SCENARIOS.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no scenario ${name}`);
  return found;
}

let counter = 0;
const rehearse = (declaration: PipelineDeclaration, which: PipelineScenario) =>
  rehearsePipelineScenario(declaration, which, {
    clock: new CompressedClock(100_000, new Date('2026-12-07T10:00:00Z')),
    ids: { next: () => `00000000-0000-4000-9000-${String((counter += 1)).padStart(12, '0')}` },
    ...WHERE,
  });

describe('pipeline scenarios on the synthesized pipeline', () => {
  beforeAll(() => {
    const outdir = mkdtempSync(join(tmpdir(), 'kiro-drift-assembly-'));
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    buildKiroCdApp(app, loadDeploymentConfig());
    app.synth();
    stacks = readSynthesizedStacks(outdir);
  }, 240_000);

  it.each(PIPELINE_SCENARIOS.map((candidate) => [candidate.name]))('%s ends as its data expects, judged from what the local CodePipeline recorded', async (name) => {
    const verdict = await rehearse(findPipelineDeclaration(stacks, WHERE, 'KiroCd-Pipeline'), scenario(name));
    expect(verdict.differences).toEqual([]);
  });

  it('drift: without the KIRO_ROLLBACK skip on Approve-Production, full-rollback-restart-skips-production-approval fails', async () => {
    const declaration = regressed('Approve-Production', (stage) => {
      delete stage.BeforeEntry;
    });
    const verdict = await rehearse(declaration, scenario('full-rollback-restart-skips-production-approval'));
    expect(verdict.differences).toEqual([
      'Approve-Production: expected Skipped, recorded Failed (Approve: The action timed out after 1440 minute(s) (CodePipeline\'s action timeout).).',
      'Production-Application: expected Succeeded, recorded not-run.',
      'approvals asked: expected [], recorded [Approve-Production].',
    ]);
  });

  it("drift: with Staging-Application's OnFailure gone, staging-health-check-fails-stage-rolls-back fails", async () => {
    const declaration = regressed('Staging-Application', (stage) => {
      delete stage.OnFailure;
    });
    const verdict = await rehearse(declaration, scenario('staging-health-check-fails-stage-rolls-back'));
    expect(verdict.differences).toEqual(['rolled back: expected [Staging-Application], recorded [].']);
  });
});
