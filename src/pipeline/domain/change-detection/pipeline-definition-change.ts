/**
 * Did the pipeline's own definition change? The Build action answers it for the UpdatePipeline
 * stage, whose entry condition skips self-mutation when nothing it would deploy changed: for an
 * application-only commit that is two minutes of every release (docs/pipeline.md, "Timeouts (TR-8)
 * and expected durations").
 *
 * Self-mutation deploys the pipeline stack and every stack it depends on (`cdk deploy` follows the
 * assembly's dependencies), so each of those is compared: the template this commit synthesized with
 * the one CloudFormation holds. Any doubt changes: a stack not deployed, a template that could not be
 * read, or any difference at all (asset hashes included, so new Lambda code of the pipeline runtime
 * counts as a change). Skipping wrongly would leave the pipeline running an old definition; running
 * it needlessly costs two minutes.
 *
 * Pure: templates in, verdict out.
 */

/** One stack that self-mutation deploys, as synthesized and as deployed. */
export interface PipelineStackTemplates {
  readonly stackName: string;
  /** The template in the synthesized assembly (parsed JSON). */
  readonly synthesized: unknown;
  /** What CloudFormation holds (parsed JSON), or why it could not be read. */
  readonly deployed: { readonly kind: 'template'; readonly template: unknown } | { readonly kind: 'missing'; readonly reason: string };
}

/** The verdict, with one reason per stack. */
export interface PipelineChangeDecision {
  readonly changed: boolean;
  readonly reasons: readonly string[];
}

/** The exported variable the UpdatePipeline entry condition reads. */
export const PIPELINE_CHANGED_VARIABLE = 'PIPELINE_CHANGED';

/** Structural equality of two parsed JSON values; object key order does not matter, array order does. */
export function sameJson(left: unknown, right: unknown): boolean {
  if (left === right) return true;
  if (Array.isArray(left) || Array.isArray(right)) {
    return Array.isArray(left) && Array.isArray(right) && left.length === right.length && left.every((item, index) => sameJson(item, right[index]));
  }
  if (typeof left !== 'object' || typeof right !== 'object' || left === null || right === null) return false;
  const leftKeys = Object.keys(left);
  const rightRecord = right as Record<string, unknown>;
  const leftRecord = left as Record<string, unknown>;
  return leftKeys.length === Object.keys(right).length && leftKeys.every((key) => Object.hasOwn(rightRecord, key) && sameJson(leftRecord[key], rightRecord[key]));
}

/**
 * Changed unless every stack self-mutation would deploy is deployed with exactly the synthesized
 * template. No stacks at all is a doubt too (the assembly did not name the pipeline stack).
 */
export function decidePipelineChange(stacks: readonly PipelineStackTemplates[]): PipelineChangeDecision {
  if (stacks.length === 0) return { changed: true, reasons: ['no pipeline stack found in the assembly: self-mutation runs'] };
  const reasons = stacks.map((stack): { readonly changed: boolean; readonly reason: string } => {
    if (stack.deployed.kind === 'missing') return { changed: true, reason: `${stack.stackName}: ${stack.deployed.reason}` };
    return sameJson(stack.synthesized, stack.deployed.template)
      ? { changed: false, reason: `${stack.stackName}: the deployed template is the synthesized one` }
      : { changed: true, reason: `${stack.stackName}: the synthesized template differs from the deployed one` };
  });
  return { changed: reasons.some((entry) => entry.changed), reasons: reasons.map((entry) => entry.reason) };
}

/** `PIPELINE_CHANGED=true|false`, for `set -a; . <file>` in the buildspec. */
export function pipelineChangedLine(decision: PipelineChangeDecision): string {
  return `${PIPELINE_CHANGED_VARIABLE}=${String(decision.changed)}`;
}

/** One stack artifact of a cloud assembly manifest, as far as self-mutation's reach needs it. */
export interface ManifestStack {
  /** The artifact id (what `dependencies` name). */
  readonly id: string;
  readonly stackName: string;
  readonly templateFile: string;
  /** The region of the stack's environment (`aws://account/region`), when the manifest names one. */
  readonly region?: string;
  /** Artifact ids this one depends on (stacks and asset manifests alike). */
  readonly dependencies: readonly string[];
}

/**
 * The stacks `cdk deploy <pipeline stack>` deploys: the pipeline stack and, transitively, every stack
 * it depends on (asset manifests among the dependencies are not stacks and are left out). Empty when
 * the assembly has no stack of that name.
 */
export function selfMutationStacks(stacks: readonly ManifestStack[], pipelineStackName: string): ManifestStack[] {
  const byId = new Map(stacks.map((stack) => [stack.id, stack]));
  const root = stacks.find((stack) => stack.stackName === pipelineStackName || stack.id === pipelineStackName);
  if (root === undefined) return [];
  const reached = new Map<string, ManifestStack>();
  const visit = (stack: ManifestStack): void => {
    if (reached.has(stack.id)) return;
    reached.set(stack.id, stack);
    for (const dependency of stack.dependencies) {
      const found = byId.get(dependency);
      if (found !== undefined) visit(found);
    }
  };
  visit(root);
  return [...reached.values()];
}
