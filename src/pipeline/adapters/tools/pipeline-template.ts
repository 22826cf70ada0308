import { readFileSync } from 'node:fs';
import { KiroCdError } from '../../../shared/errors.js';
import { v2PipelineIds } from '../../domain/pipeline-layout.js';
import type { AssemblyStack } from './cloud-assembly.js';

/** The pipeline stack of a cloud assembly and its parsed template. */
export interface PipelineTemplate {
  readonly stack: AssemblyStack;
  readonly template: unknown;
}

/**
 * Finds the pipeline stack among the stacks the gates already read (GatesRun.stacks): the top-level
 * stack whose template declares a CodePipeline pipeline of type V2. Environment stacks live in
 * nested stage assemblies and are never the pipeline, so only top-level templates are opened.
 */
export function readPipelineTemplate(stacks: readonly AssemblyStack[]): PipelineTemplate {
  const topLevel = stacks.filter((stack) => stack.stage === '');
  for (const stack of topLevel) {
    const template: unknown = JSON.parse(readFileSync(stack.templatePath, 'utf8'));
    if (v2PipelineIds(template).length > 0) return { stack, template };
  }
  throw new KiroCdError(
    `No top-level stack of the cloud assembly declares a V2 CodePipeline pipeline (looked in: ${topLevel.map((stack) => stack.templateName).join(', ') || 'no top-level stack'}). Is the pipeline stack part of the app (infrastructure/lib/kiro-cd-app.ts)?`,
    { code: 'PIPELINE_NOT_FOUND', fault: 'user', context: { templates: topLevel.map((stack) => stack.templateName) } },
  );
}
