/**
 * The rehearsal cannot drift from what will be deployed: a change to the CDK code that breaks a
 * rollback rule (applied to the built pipeline before synthesis, as an edit of the construct code
 * would be) makes a named rehearsal scenario fail, judged only from what the endpoints recorded,
 * exactly as `npm start` judges it.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pipeline, type CfnPipeline } from 'aws-cdk-lib/aws-codepipeline';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../infrastructure/lib/config/load-config.js';
import { buildKiroCdApp } from '../../../infrastructure/lib/kiro-cd-app.js';
import { RecordingOutput } from '../../../src/cli/output.js';
import { runRehearsal, type RehearsalResult } from '../../../src/rehearsal/run-rehearsal.js';
import type { ScenarioName } from '../../../src/rehearsal/scenario-definition.js';
import { motoEndpoint, resetMoto } from '../../support/moto.js';
import { testApp } from '../../support/test-app.js';

/** One change to the built pipeline's L1 resource, at the stage it names. */
interface PipelineChange {
  readonly stageName: string;
  readonly apply: (pipeline: CfnPipeline, stageIndex: number) => void;
}

/**
 * Synthesizes the product with `changes` applied to the built pipeline, as edits of the CDK code
 * would make it. No Lambda is bundled (testApp()): the rehearsal runs each function's handler from
 * src/ in process (src/rehearsal/world/runtime-functions.ts) and reads only the templates, so the
 * bundles would be 16 esbuild runs nobody reads.
 */
function synthesizeChanged(changes: readonly PipelineChange[]): string {
  const outdir = mkdtempSync(join(tmpdir(), 'kiro-drift-assembly-'));
  const app = testApp({ outdir });
  buildKiroCdApp(app, loadDeploymentConfig());
  const pipeline = app.node.findAll().find((construct): construct is Pipeline => construct instanceof Pipeline);
  if (pipeline === undefined) throw new Error('the app built no pipeline');
  for (const change of changes) {
    const index = pipeline.stages.findIndex((stage) => stage.stageName === change.stageName);
    if (index < 0) throw new Error(`the built pipeline has no stage ${change.stageName}`);
    change.apply(pipeline.node.defaultChild as CfnPipeline, index);
  }
  app.synth();
  return outdir;
}

/**
 * Two changes, each breaking a rule that one scenario rehearses. They share one synthesis and one
 * rehearsal (the baseline release and the two scenarios, ~1 minute on two cores) instead of paying
 * for each twice; each scenario's differences name its own change only, so neither hides the other.
 */
const CHANGES: readonly PipelineChange[] = [
  // The rollback skip: the entry condition that SKIPs Approve-Production when KIRO_ROLLBACK=true.
  { stageName: 'Approve-Production', apply: (pipeline, index) => { pipeline.addPropertyDeletionOverride(`Stages.${index}.BeforeEntry`); } },
  // Staging-Application's OnFailure ROLLBACK.
  { stageName: 'Staging-Application', apply: (pipeline, index) => { pipeline.addPropertyDeletionOverride(`Stages.${index}.OnFailure`); } },
];

const SCENARIOS: readonly ScenarioName[] = ['critical-alarm-stage-rollback', 'failed-stage-rollback-full-rollback'];

describe('drift: a CDK change that breaks a rollback rule makes a named rehearsal scenario fail', () => {
  let result: RehearsalResult;

  beforeAll(async () => {
    await resetMoto();
    result = await runRehearsal({
      cwd: mkdtempSync(join(tmpdir(), 'kiro-drift-cwd-')),
      assemblyDir: synthesizeChanged(CHANGES),
      scenarios: [...SCENARIOS],
      keepEmulator: false,
      out: new RecordingOutput(),
      phases: [],
      startEmulator: () => Promise.resolve({ endpoint: motoEndpoint(), reset: resetMoto, stop: () => Promise.resolve() }),
    });
  }, 600_000);

  function differencesOf(scenario: ScenarioName): readonly string[] {
    const verdict = result.runs.find((run) => run.scenario.name === scenario)?.verdict;
    return verdict?.kind === 'unexpected' ? verdict.differences : [];
  }

  it('the rehearsal fails (npm start would exit 1)', () => {
    expect(result.exitCode).toBe(1);
  });

  it('without the KIRO_ROLLBACK skip on Approve-Production, failed-stage-rollback-full-rollback fails: its restart asks the approver', () => {
    expect(differencesOf('failed-stage-rollback-full-rollback')).toEqual([
      'a "approval-needed" notification was sent, but must not have been.',
      'rollback restart, stage Approve-Production: expected not-run, ListActionExecutions shows Succeeded.',
    ]);
  });

  it("with Staging-Application's OnFailure gone, critical-alarm-stage-rollback fails: CodePipeline no longer rolls the stage back itself", () => {
    expect(differencesOf('critical-alarm-stage-rollback')).toEqual(['stage rollbacks CodePipeline started itself (trigger AutomatedRollback): expected [Staging-Application], it started [].']);
  });
});
