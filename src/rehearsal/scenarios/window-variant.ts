/**
 * The pipeline declaration of the closed-deployment-window scenario, synthesized from the
 * rehearsal's variant configuration (rehearsal-config.ts) by the CDK app in a child process
 * (infrastructure/bin/synth-rehearsal-window.ts). `npm start` starts it at its very beginning,
 * beside the main synthesis (src/cli/main-job.ts), closed from the rehearsal clock's start, which it
 * fixes at that moment; the rehearsal awaits it only in the scenario that needs it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTypeScript } from '../../pipeline/adapters/tools/run-typescript.js';
import { KiroCdError } from '../../shared/errors.js';
import { findPipelineDeclaration, type PipelineDeclaration } from '../../local/codepipeline/declaration.js';
import { exportsOf, readSynthesizedStacks } from '../../local/synthesized-templates.js';

/** The variant's synthesis script, relative to the repository root. */
export const WINDOW_SYNTH_SCRIPT = 'infrastructure/bin/synth-rehearsal-window.ts';

/**
 * Starts synthesizing the variant with production's window closed from `closedFrom` (the rehearsal
 * clock's start: the window stays closed for the whole rehearsal, rehearsal-config.ts); resolves to
 * its pipeline declaration, resolved in `where` (the rehearsal's account and region). Aborting
 * `signal` stops the child process (npm start does when its main synthesis fails).
 */
export async function synthesizeClosedWindowDeclaration(closedFrom: Date, where: { readonly region: string; readonly account: string }, signal?: AbortSignal): Promise<PipelineDeclaration> {
  const outdir = mkdtempSync(join(tmpdir(), 'kiro-rehearsal-window-'));
  // The repository this module is part of: the rehearsal's working directory may be anywhere (tests use a temporary one).
  const cwd = fileURLToPath(new URL('../../..', import.meta.url));
  try {
    const result = await runTypeScript(WINDOW_SYNTH_SCRIPT, [outdir, closedFrom.toISOString()], { cwd, ...(signal === undefined ? {} : { signal }) });
    if (result.exitCode !== 0) {
      throw new KiroCdError(`The closed-window variant of the pipeline did not synthesize (exit ${result.exitCode}): ${result.stderr.trim().slice(-2000)}`, { code: 'REHEARSAL_VARIANT_SYNTH_FAILED', fault: 'internal' });
    }
    const stacks = readSynthesizedStacks(outdir);
    // Cross-stack references resolve to the exporting stack's value, as the world resolves the base declaration.
    const resolved = { ...where, exports: exportsOf(stacks, where) };
    return findPipelineDeclaration(stacks, resolved);
  } finally {
    // Only the declaration is kept (in memory): the assembly's files are read once.
    rmSync(outdir, { recursive: true, force: true });
  }
}
