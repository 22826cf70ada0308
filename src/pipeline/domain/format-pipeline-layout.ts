/**
 * The pipeline layout as console lines (`npm start`): a heading, the pipeline-wide stages, then each
 * environment's stages with their conditions and actions.
 *
 * Pure: no CDK, no AWS SDK, no I/O.
 */
import type { LayoutStage, LayoutTrigger, PipelineLayout } from './pipeline-layout.js';
import type { LayoutCondition } from './stage-condition-text.js';

/** `push to main`, `pull request to main, release/*`, `push (no branch filter)`. */
function triggerText(trigger: LayoutTrigger): string {
  return trigger.branches.length === 0 ? `${trigger.event} (no branch filter)` : `${trigger.event} to ${trigger.branches.join(', ')}`;
}

function stageLines(layoutStage: LayoutStage, indent: string): string[] {
  const nameWidth = Math.max(...layoutStage.actions.map((layoutAction) => layoutAction.name.length));
  const providerWidth = Math.max(...layoutStage.actions.map((layoutAction) => layoutAction.provider.length));
  const conditionLine = (condition: LayoutCondition): string => `${indent}  ${condition.when}: ${condition.text}`;
  return [
    `${indent}${layoutStage.name}`,
    ...layoutStage.conditions.filter((condition) => condition.when === 'entry').map(conditionLine),
    ...layoutStage.actions.map((layoutAction) =>
      `${indent}  ${String(layoutAction.runOrder).padStart(2)}. ${layoutAction.name.padEnd(nameWidth)}  ${layoutAction.provider.padEnd(providerWidth)}  ${layoutAction.target ?? ''}`.trimEnd(),
    ),
    ...layoutStage.conditions.filter((condition) => condition.when !== 'entry').map(conditionLine),
  ];
}

/**
 * The layout as console lines: a heading with name, type, execution mode and triggers, then the
 * pipeline-wide stages, then each environment's stages. Each stage lists its entry conditions, its
 * actions (run order, name, provider, target) and its success and failure conditions, in the order
 * CodePipeline applies them.
 */
export function formatPipelineLayout(layout: PipelineLayout): string[] {
  const triggers = layout.triggers.length === 0 ? 'no triggers' : layout.triggers.map(triggerText).join('; ');
  return [
    `Pipeline ${layout.name} (${layout.pipelineType}, ${layout.executionMode}, ${triggers}):`,
    ...(layout.pipelineWide.length === 0 ? [] : ['  pipeline-wide:', ...layout.pipelineWide.flatMap((layoutStage) => stageLines(layoutStage, '    '))]),
    ...layout.environments.flatMap((environment) => [`  ${environment.environment}:`, ...environment.stages.flatMap((layoutStage) => stageLines(layoutStage, '    '))]),
  ];
}
