/**
 * Synthesis as a phase of `npm start`: `npm run synth` in a child process, into a cloud assembly
 * cleared first, with its "templates written" line passed on as it comes. Kept apart from
 * main-job.ts, and light (Node built-ins, runTypeScript, the product's errors), so that src/cli/start.ts
 * can start synthesis in the first moments of `npm start`, before it loads the gates and the
 * rehearsal (main-job.ts and what it imports took 3.2–4.1 s to load at load average 11).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { runTypeScript } from '../pipeline/adapters/tools/run-typescript.js';
import { KiroCdError } from '../shared/errors.js';
import { TEMPLATES_WRITTEN_LINE, watchForLine } from '../shared/templates-written-line.js';

/** Where `npm run synth` writes the cloud assembly. */
export const ASSEMBLY_DIR = 'cdk.out';

/** What synthesis tells its caller before it ends. */
export interface SynthesisProgress {
  /**
   * Called at most once, when every template of the cloud assembly is written and CDK's validation
   * has not yet begun (synth.ts prints TEMPLATES_WRITTEN_LINE then). The templates are final from
   * then on; validation only reads them and adds `validation-report.json`.
   */
  readonly onTemplatesWritten: () => void;
}

/**
 * Synthesizes every environment with `npm run synth`'s script (infrastructure/bin/synth.ts, run by
 * this Node.js with tsx's loader: run-typescript.ts) into a cloud
 * assembly cleared first, so the gates and the rehearsal can never read templates (or a validation
 * report) left by an earlier run. CDK is told not to fail the synthesis on validation findings
 * (context `@aws-cdk/core:failSynthOnValidationErrors`), so the gates can report cdk-nag's findings
 * next to the others instead of stopping at the first tool; any other failure stops the main job
 * with synthesis's own message. Synthesis's standard output is read as it comes, for the line that
 * says the templates are written (`progress.onTemplatesWritten`).
 */
export async function synthesizeAll(cwd: string, progress?: SynthesisProgress): Promise<void> {
  const outdir = join(cwd, ASSEMBLY_DIR);
  rmSync(outdir, { recursive: true, force: true });
  const result = await runTypeScript('infrastructure/bin/synth.ts', [], {
    cwd,
    env: { ...process.env, CDK_OUTDIR: outdir, CDK_CONTEXT_JSON: JSON.stringify({ '@aws-cdk/core:failSynthOnValidationErrors': false }) },
    ...(progress === undefined ? {} : { onStdout: watchForLine(TEMPLATES_WRITTEN_LINE, progress.onTemplatesWritten) }),
  });
  if (result.exitCode === 0) return;
  const shown = result.stderr.trim().slice(-3000);
  // synth.ts exits 2 for a configuration mistake and has printed only the problems.
  if (result.exitCode === 2) throw new KiroCdError(shown, { code: 'CONFIG_INVALID', fault: 'user' });
  throw new KiroCdError(`Synthesis failed (exit ${result.exitCode}):\n${shown}`, { code: SYNTH_FAILED, fault: 'internal' });
}

/** Code of the error {@link synthesizeAll} throws when the CDK app itself failed; the main job exits 1. */
export const SYNTH_FAILED = 'SYNTH_FAILED';

/**
 * Starts {@link synthesizeAll} now and returns it in the shape `runMainJob`'s `synthesize` takes, to be
 * handed over once the rest of the main job has loaded: the returned function gives the synthesis
 * already under way (whatever directory it is then asked for: the one given here is used) and passes
 * on its "templates written" moment, at once if it has already come. Called at most once.
 * `synthesize` is replaceable for tests. @default synthesizeAll
 */
export function startSynthesis(cwd: string, synthesize: (cwd: string, progress: SynthesisProgress) => Promise<void> = synthesizeAll): (cwd: string, progress: SynthesisProgress) => Promise<void> {
  let written = false;
  let listener: (() => void) | undefined;
  const synthesis = synthesize(cwd, {
    onTemplatesWritten: () => {
      written = true;
      listener?.();
    },
  });
  // Awaited by runMainJob; until it is handed over, a failure must not count as unhandled.
  synthesis.catch(() => undefined);
  return (_cwd, progress) => {
    if (written) progress.onTemplatesWritten();
    else listener = progress.onTemplatesWritten;
    return synthesis;
  };
}
