import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../../infrastructure/lib/config/load-config.js';
import { BUILD_VARIABLES_NAMESPACE } from '../../../../../src/pipeline/domain/pipeline-vocabulary.js';
import { planPipeline } from '../../../../../src/pipeline/domain/plan/pipeline-plan.js';
import { PIPELINE_STAGES } from '../../../../../src/pipeline/domain/stage-names.js';
import { BUILD_MEASUREMENT, formatBuildMeasurement } from '../../../../../src/pipeline/domain/plan/build-measurement.js';
import { STATIC_CHECKS_COMMAND, detectionAction, staticChecksAction } from '../../../../../src/pipeline/domain/plan/codebuild-actions.js';
import { buildStage } from '../../../../../src/pipeline/domain/plan/stage-builders.js';
import { changeDetectionPlacement } from '../../../../../src/pipeline/domain/plan/plan-queries.js';
import {
  applicationMinutes,
  assetsAndDetectionParts,
  buildActionCommandSeconds,
  buildActionMinutes,
  buildMinutes,
  changeDetectionMinutes,
  deployActionsPerStack,
  DOCUMENTED_DURATIONS,
  formatReleaseDurationTable,
  modelReleaseDuration,
} from '../../../../../src/pipeline/domain/plan/release-duration.js';

const config = loadDeploymentConfig();
const environment = (name: string) => {
  const found = config.environments.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(`no environment ${name}`);
  return found;
};

/** The text between `<!-- <marker> -->` and `<!-- /<marker> -->` in docs/pipeline.md. */
function documented(marker: string): string {
  const doc = readFileSync(new URL('../../../../../docs/pipeline.md', import.meta.url), 'utf8');
  const match = new RegExp(`<!-- ${marker} -->\\n([\\s\\S]*?)\\n<!-- /${marker} -->`).exec(doc);
  if (match?.[1] === undefined) throw new Error(`docs/pipeline.md has no ${marker} block`);
  return match[1];
}

/** The table between `<!-- release-duration:<name> -->` markers in docs/pipeline.md. */
function documentedTable(name: string): string {
  return documented(`release-duration:${name}`);
}

describe('the release duration model', () => {
  it.each([
    // An application-only commit changes neither the Core stacks nor the pipeline's own stacks.
    { name: 'application-only', infrastructureChanged: false, pipelineChanged: false },
    { name: 'full', infrastructureChanged: true, pipelineChanged: true },
  ])('gives the $name table docs/pipeline.md shows for environments.ts', ({ name, infrastructureChanged, pipelineChanged }) => {
    expect(documentedTable(name)).toBe(formatReleaseDurationTable(modelReleaseDuration(config, { infrastructureChanged, pipelineChanged })));
  });

  it('totals its parts', () => {
    const model = modelReleaseDuration(config, { infrastructureChanged: true, pipelineChanged: true });
    expect(model.totalMinutes).toBe(model.parts.reduce((sum, part) => sum + part.minutes, 0));
  });

  it('adds one infrastructure part per environment when the Core stacks change', () => {
    const full = modelReleaseDuration(config, { infrastructureChanged: true, pipelineChanged: false });
    const applicationOnly = modelReleaseDuration(config, { infrastructureChanged: false, pipelineChanged: false });
    // One CREATE_UPDATE action per stack: the Core stack update plus one action's overhead.
    expect(full.totalMinutes - applicationOnly.totalMinutes).toBe(config.environments.length * (DOCUMENTED_DURATIONS.infrastructureUpdateMinutes + DOCUMENTED_DURATIONS.deployActionOverheadMinutes));
  });

  it("models the plan's stack deployment: one CloudFormation action per stack, one action's overhead less per deployed stack than a change set", () => {
    expect(planPipeline(config, { healthMonitor: true }).stackDeployment).toBe('direct');
    expect([deployActionsPerStack('direct'), deployActionsPerStack('change-set')]).toEqual([1, 2]);
    const overhead = DOCUMENTED_DURATIONS.deployActionOverheadMinutes;
    for (const [shape, stacksPerEnvironment] of [
      [{ infrastructureChanged: false, pipelineChanged: false }, 1],
      [{ infrastructureChanged: true, pipelineChanged: true }, 2],
    ] as const) {
      const direct = modelReleaseDuration(config, shape).totalMinutes;
      const changeSets = modelReleaseDuration(config, shape, DOCUMENTED_DURATIONS, 'change-set').totalMinutes;
      expect(changeSets - direct).toBe(config.environments.length * stacksPerEnvironment * overhead);
    }
  });

  it('derives each Build action from its measured commands, provisioning and cold caches, to the half minute', () => {
    const build = buildStage(config.pipeline.name);
    const minutes = Object.fromEntries([build.action, ...build.besideSynth].map((action) => [action.name, buildActionMinutes(DOCUMENTED_DURATIONS, action)]));
    // Synth: 33 + 10 + 1 + 7 + 3 = 54 s, + 1 + 0.5 = 2.4 -> 2.5. UnitTests: 33 + 89 = 122 s, + 1.5 = 3.53 -> 3.5.
    // StaticChecks: 33 + max(19, 39) = 72 s, + 1.5 = 2.7 -> 2.5.
    expect(minutes).toEqual({ Synth: 2.5, UnitTests: 3.5, StaticChecks: 2.5 });
  });

  it('takes the Build stage as long as its slowest action, because they run side by side', () => {
    expect(buildMinutes(DOCUMENTED_DURATIONS)).toBe(3.5);
    // Faster tests move the stage until another action is the slowest: 60 s of vitest gives UnitTests
    // 33 + 60 = 93 s, + 1.5 = 3.05 -> 3; at 1 s (2 min) Synth and StaticChecks' 2.5 are the slowest, and
    // the tests alone cannot take it lower.
    expect(buildMinutes({ ...DOCUMENTED_DURATIONS, buildCommandSeconds: { ...DOCUMENTED_DURATIONS.buildCommandSeconds, vitest: 60 } })).toBe(3);
    expect(buildMinutes({ ...DOCUMENTED_DURATIONS, buildCommandSeconds: { ...DOCUMENTED_DURATIONS.buildCommandSeconds, vitest: 1 } })).toBe(2.5);
    // Slower policy gates lengthen the synth action only: 5 minutes of gates make it the slowest (33 + 10 + 1 + 300 + 3 = 347 s, + 1.5 = 7.28 -> 7.5).
    expect(buildMinutes({ ...DOCUMENTED_DURATIONS, buildCommandSeconds: { ...DOCUMENTED_DURATIONS.buildCommandSeconds, policyGates: 300 } })).toBe(7.5);
  });

  it('gives the former one-action Build 4.5 minutes: the split saves 1', () => {
    const build = buildStage(config.pipeline.name);
    const actions = [build.action, ...build.besideSynth];
    // Every command on one machine, installed once: 33 + max(19, 39) + 89 + 10 + 1 + 7 + 3 = 182 s, + 1.5 = 4.53 -> 4.5.
    const oneMachine = { ...build.action, installCommands: build.action.installCommands, commands: actions.flatMap((action) => action.commands) };
    expect(buildActionMinutes(DOCUMENTED_DURATIONS, oneMachine)).toBe(4.5);
    expect(buildActionMinutes(DOCUMENTED_DURATIONS, oneMachine) - buildMinutes(DOCUMENTED_DURATIONS, build)).toBe(1);
  });

  it('takes the Build from the one measured place, which docs/pipeline.md shows', () => {
    expect(DOCUMENTED_DURATIONS.buildCommandSeconds).toBe(BUILD_MEASUREMENT.commandSeconds);
    expect(documented('build-measurement')).toBe(formatBuildMeasurement());
  });

  it('charges the slower of the type-check and ESLint because StaticChecks runs them side by side, and both when it would not', () => {
    const checks = staticChecksAction(config.pipeline.name);
    expect(checks.commands).toContain(STATIC_CHECKS_COMMAND);
    const oneAfterTheOther = { ...checks, commands: checks.commands.flatMap((command) => (command === STATIC_CHECKS_COMMAND ? ['npm run typecheck', 'npx eslint .'] : [command])) };
    // Two 2-minute checks: side by side they cost 2 minutes, one after the other 4.
    const durations = { ...DOCUMENTED_DURATIONS, buildCommandSeconds: { ...DOCUMENTED_DURATIONS.buildCommandSeconds, typecheck: 120, lint: 120 } };
    expect(buildActionMinutes(durations, oneAfterTheOther) - buildActionMinutes(durations, checks)).toBe(2);
  });

  it('charges no install where an action installs nothing, and npm ci where it does', () => {
    const checks = staticChecksAction(config.pipeline.name);
    const seconds = DOCUMENTED_DURATIONS.buildCommandSeconds;
    expect(buildActionCommandSeconds(seconds, checks)).toBe(seconds.npmCi + Math.max(seconds.typecheck, seconds.lint));
    expect(buildActionCommandSeconds(seconds, { ...checks, installCommands: [] })).toBe(Math.max(seconds.typecheck, seconds.lint));
  });

  it("charges the change detection no npm ci, because the plan's Detect actions run the Build's bundle instead", () => {
    const actions = config.environments.map((entry) => detectionAction(entry, {}));
    // Provisioning 1 + git diff and cdk diff 1.5.
    expect(changeDetectionMinutes(DOCUMENTED_DURATIONS, actions)).toBe(2.5);
    // An action that still ran npm ci would hold the whole stage (side by side: the longest counts).
    const withNpmCi = [...actions.slice(1), { ...actions[0]!, installCommands: ['npm ci'] }];
    expect(changeDetectionMinutes(DOCUMENTED_DURATIONS, withNpmCi)).toBe(3);
  });

  it('reads from the plan that the change detection runs beside the asset publishing: the Assets stage takes the longer of the two, 2 minutes less than one after the other', () => {
    const plan = planPipeline(config);
    expect(changeDetectionPlacement(plan)).toBe('beside-assets');
    const shape = { infrastructureChanged: false, pipelineChanged: false };
    const beside = modelReleaseDuration(config, shape);
    expect(beside.parts).toContainEqual({ part: 'Assets: FileAssets beside the Detect actions', minutes: Math.max(DOCUMENTED_DURATIONS.assetPublishingMinutes, 2.5) });
    // The former layout: the same actions in a stage of their own after the publishing.
    const former = { ...plan, stages: plan.stages.map((entry) => (entry.kind === 'change-detection' ? { ...entry, name: 'Detect-Changes' } : entry)) };
    expect(changeDetectionPlacement(former)).toBe('after-assets');
    const after = modelReleaseDuration(config, shape, DOCUMENTED_DURATIONS, undefined, former);
    expect(after.parts.map((entry) => entry.part)).toEqual(expect.arrayContaining(['Assets (one action)', 'Detect-Changes (environments side by side)']));
    expect(after.totalMinutes - beside.totalMinutes).toBe(2);
  });

  it('models the stage of a slower asset publishing as the publishing, not the detection', () => {
    const slowAssets = { ...DOCUMENTED_DURATIONS, assetPublishingMinutes: 4 };
    const parts = assetsAndDetectionParts(slowAssets, config.environments.map((entry) => detectionAction(entry, {})), 'beside-assets');
    expect(parts).toEqual([{ part: 'Assets: FileAssets beside the Detect actions', minutes: 4 }]);
  });

  it.each([
    // Deploy: the 3-minute stack update plus one CREATE_UPDATE action's 0.5.
    { why: 'the bake (5 min + polling) is longer than the integration suite', name: 'test', inPipelineAccount: false, expected: 3.5 + 5.5 },
    { why: 'the e2e suite (6 min) is longer than the bake', name: 'staging', inPipelineAccount: false, expected: 3.5 + 6 },
    { why: 'an environment in the pipeline account adds the final alarm check', name: 'production', inPipelineAccount: true, expected: 3.5 + 5.5 + 1 },
  ])('application stage: $why', ({ name, inPipelineAccount, expected }) => {
    expect(applicationMinutes(environment(name), inPipelineAccount, DOCUMENTED_DURATIONS)).toBe(expected);
  });

  it('follows the configured health-check duration (a 10-minute bake outlasts every suite)', () => {
    const long = { ...environment('test'), healthCheck: { ...environment('test').healthCheck, durationSeconds: 600 } };
    expect(applicationMinutes(long, false, DOCUMENTED_DURATIONS)).toBe(3.5 + 10.5);
    // A change set's two actions: the same stage, one action's overhead longer.
    expect(applicationMinutes(long, false, DOCUMENTED_DURATIONS, 'change-set')).toBe(4 + 10.5);
  });

  it('counts the final alarm check for an environment in the pipeline account, from the configuration', () => {
    const shared = { ...config, environments: config.environments.map((entry) => ({ ...entry, account: config.pipeline.account })) };
    const base = modelReleaseDuration(config, { infrastructureChanged: false, pipelineChanged: false }).totalMinutes;
    expect(modelReleaseDuration(shared, { infrastructureChanged: false, pipelineChanged: false }).totalMinutes).toBe(base + config.environments.length * DOCUMENTED_DURATIONS.finalAlarmCheckMinutes);
  });

  it('charges self-mutation only when the pipeline changes, as the plan skips it otherwise', () => {
    const unchanged = modelReleaseDuration(config, { infrastructureChanged: false, pipelineChanged: false });
    const changed = modelReleaseDuration(config, { infrastructureChanged: false, pipelineChanged: true });
    expect(changed.totalMinutes - unchanged.totalMinutes).toBe(DOCUMENTED_DURATIONS.selfMutationMinutes - DOCUMENTED_DURATIONS.skippedStageMinutes);
    // The model's skip is the plan's: UpdatePipeline enters only when the Build said PIPELINE_CHANGED=true.
    const updatePipeline = planPipeline(config, { healthMonitor: true }).managedStages.find((stage) => stage.name === PIPELINE_STAGES.updatePipeline);
    expect(updatePipeline?.conditions.beforeEntry).toMatchObject({
      result: 'SKIP',
      rules: expect.arrayContaining([expect.objectContaining({ kind: 'variable-check', variable: { producer: BUILD_VARIABLES_NAMESPACE, name: 'PIPELINE_CHANGED' }, operator: 'EQ', value: 'true' })]),
    });
  });
});
