/**
 * Questions asked of a finished plan: its CodeBuild actions, the most time its tests can take, and
 * which deployment stages a commit runs given its change-detection verdicts (`kiro-cd plan`, the
 * rehearsal).
 *
 * Pure: no CDK, no AWS SDK, no I/O (lint-enforced boundary).
 */
import { PIPELINE_STAGES } from '../stage-names.js';
import type { PipelinePlan, ShellActionPlan } from './plan-types.js';

/** Every CodeBuild action of the plan, in pipeline order. */
export function shellActions(plan: PipelinePlan): ShellActionPlan[] {
  return plan.stages.flatMap((stage): ShellActionPlan[] => {
    switch (stage.kind) {
      case 'build':
        return [stage.action, ...stage.besideSynth];
      case 'change-detection':
        return [...stage.actions];
      case 'application':
        return [stage.tests];
      case 'infrastructure':
      case 'approval':
        return [];
    }
  });
}

/** Upper bound of the time spent in tests over a whole run (minutes): the TR-8 30-minute budget. */
export function testMinutesUpperBound(plan: PipelinePlan): number {
  return shellActions(plan)
    .filter((action) => action.countsAsTests)
    .reduce((sum, action) => sum + action.timeoutMinutes, 0);
}

/**
 * What a commit deploys, per environment, given the change-detection verdicts: the infrastructure
 * stage runs only when its entry condition passes, i.e. when the exported variable equals the
 * VariableCheck's value. Used to show that an application-only commit deploys no infrastructure.
 */
export function deployedStages(
  plan: PipelinePlan,
  variables: Readonly<Record<string, string>>,
): { readonly stage: string; readonly outcome: 'run' | 'skipped' }[] {
  return plan.stages.flatMap((stage) => {
    if (stage.kind !== 'infrastructure' && stage.kind !== 'application') return [];
    const entry = stage.conditions.beforeEntry;
    const skipped =
      entry?.result === 'SKIP' &&
      entry.rules.some((rule) => rule.kind === 'variable-check' && variables[rule.variable.name] !== rule.value);
    return [{ stage: stage.name, outcome: skipped ? 'skipped' : 'run' }];
  });
}

/**
 * Where the pipeline-wide change detection runs: in CDK Pipelines' asset stage, side by side with
 * the publishing (`beside-assets`), or in a stage of its own after it (`after-assets`). The release
 * duration model reads it, so the model follows the layout the stack renders.
 */
export type ChangeDetectionPlacement = 'beside-assets' | 'after-assets';

/** The {@link ChangeDetectionPlacement} of a plan. */
export function changeDetectionPlacement(plan: PipelinePlan): ChangeDetectionPlacement {
  return plan.stages.some((stage) => stage.kind === 'change-detection' && stage.name === PIPELINE_STAGES.assets) ? 'beside-assets' : 'after-assets';
}
