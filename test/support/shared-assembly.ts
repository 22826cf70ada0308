/**
 * One synthesis of the product per test run, shared by the test files that only read the assembly
 * (the rehearsal, the policy gates over every template, the least-privilege proof, the pipeline
 * layout, the bundle sizes). It is the product exactly as app.ts synthesizes it
 * (synthesize-product.ts), made by the first file that asks for it, in its own worker, into the
 * run's directory that the global set-up provides and removes; the other worker waits for the marker
 * (once-per-run.ts, as for the cross-region app and the CLI bundle). A run of files that never ask
 * (most targeted runs) never pays for a synthesis.
 *
 * In a worker and not, as before, in a child process of the global set-up: the child imported
 * aws-cdk-lib, the app and tsx again (~3–4 of its ~13 CPU seconds), which the worker has loaded or
 * will load for its other files (`isolate: false`), and what it ran was outside the coverage figures.
 * The worker that builds it is busy meanwhile, but the other one waits for it anyway or runs its own
 * files: on two cores the child only took the core the waiting worker left (docs/fast-feedback.md).
 */
import { inject } from 'vitest';
import { buildOncePerRun } from './once-per-run.js';
import { SYNTH_DONE_FILE, SYNTH_FAILED_FILE } from './shared-assembly-files.js';

/** How long a test file waits for the shared synthesis (~15 s idle with validation and cdk-nag; minutes on a busy 2-core machine). */
const WAIT_LIMIT_MS = 300_000;

/** The shared product assembly's directory, synthesized by the first file that asks (test side). Throws with the synthesis's error when it failed. */
export async function productAssembly(): Promise<string> {
  const directory = inject('productAssembly');
  await buildOncePerRun({ what: 'shared synthesis', directory, doneFile: SYNTH_DONE_FILE, failedFile: SYNTH_FAILED_FILE, waitLimitMs: WAIT_LIMIT_MS }, async () => {
    // Loaded here: a file that only reads the assembly built by the other worker needs none of the app.
    const { synthesizeProduct } = await import('./synthesize-product.js');
    await synthesizeProduct(directory);
  });
  return directory;
}

declare module 'vitest' {
  export interface ProvidedContext {
    productAssembly: string;
  }
}
