/**
 * Which pipeline structure each commit synthesizes. The rehearsal has one synthesized pipeline; a
 * scenario commit that "changes the pipeline" stands for a commit whose synthesis differs in the
 * pipeline's own definition (as adding an action or a build variable does). Every commit that has
 * such a commit in its history synthesizes the changed structure, so a self-mutation of that
 * commit updates the local pipeline (a new structure version), and a self-mutation of an older
 * commit would update it back.
 */
import type { ActionDeclaration, PipelineDeclaration } from '../../local/codepipeline/declaration.js';

/** The marker build variable a pipeline change adds to the pipeline's first CodeBuild action. */
export const PIPELINE_CHANGE_VARIABLE = 'KIRO_PIPELINE_CHANGE';

/** The declaration after `changes` pipeline changes: the first CodeBuild action carries the marker variable. */
export function changedDeclaration(base: PipelineDeclaration, changes: number): PipelineDeclaration {
  if (changes === 0) return base;
  let done = false;
  const mark = (action: ActionDeclaration): ActionDeclaration => {
    if (done || action.provider !== 'CodeBuild') return action;
    done = true;
    const existing = JSON.parse(action.configuration.EnvironmentVariables ?? '[]') as unknown[];
    return { ...action, configuration: { ...action.configuration, EnvironmentVariables: JSON.stringify([...existing, { name: PIPELINE_CHANGE_VARIABLE, value: String(changes), type: 'PLAINTEXT' }]) } };
  };
  return { ...base, stages: base.stages.map((stage) => ({ ...stage, actions: stage.actions.map(mark) })) };
}

/**
 * The structure a commit synthesizes: the base, changed once per pipeline-changing commit in its
 * history; from a commit that brought a declaration synthesized from another configuration on,
 * that declaration is the base.
 */
export class PipelineStructures {
  private readonly changingCommits: string[] = [];
  private readonly synthesized: { readonly commitId: string; readonly declaration: PipelineDeclaration }[] = [];

  constructor(
    private readonly base: PipelineDeclaration,
    /** True when `ancestor` is in the history of `commit` (itself included). */
    private readonly isAncestor: (ancestor: string, commit: string) => boolean,
  ) {}

  /** Marks `commitId` as a commit that changes the pipeline's definition. */
  markChange(commitId: string): void {
    this.changingCommits.push(commitId);
  }

  /** Marks `commitId` as a commit whose synthesis is `declaration` (its configuration changed the pipeline). */
  markSynthesized(commitId: string, declaration: PipelineDeclaration): void {
    this.synthesized.push({ commitId, declaration });
  }

  declarationFor(commitId: string): PipelineDeclaration {
    const base = this.synthesized.filter((entry) => this.isAncestor(entry.commitId, commitId)).at(-1)?.declaration ?? this.base;
    return changedDeclaration(base, this.changingCommits.filter((changing) => this.isAncestor(changing, commitId)).length);
  }
}
