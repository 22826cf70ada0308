/**
 * The gates phase of `npm start` on its own thread. The rehearsal runs on the main thread with a
 * clock REHEARSAL_TIME_FACTOR (240) times faster than the wall clock, held only while emulator calls wait: synchronous work
 * on that thread (the gates parse tool output, read the IAM action list, the lock file and every
 * template) stalled its event loop by up to 2.7 s when they ran there side by side (measured under
 * load), which at 240x is eleven minutes of rehearsal time passing at once. Run here, the gates
 * compete for a core but never stop the rehearsal's clock or its sockets.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { replayLines, type Output, type RecordedLine } from './output.js';

/** What the worker sends back when the gates have ended. */
export interface GatesOutcome {
  readonly code: number;
  readonly lines: readonly RecordedLine[];
}

/** The file of tsx's ESM API (`tsx/esm/api`, its `import` condition), as tsx's package.json exports it. */
function tsxEsmApi(): string {
  const manifest = createRequire(import.meta.url).resolve('tsx/package.json');
  const exported = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']?.import.default;
  if (exported === undefined) throw new Error(`tsx (${manifest}) exports no ESM API: run "npm ci".`);
  return join(dirname(manifest), exported);
}

/**
 * Runs the gates phase (src/cli/main-job.ts `runGatesPhase`, every gate with its default tool) over
 * the cloud assembly in `cwd` on a worker thread, then writes its lines to `out` in order; resolves
 * to its exit code. A worker that dies is the tool's fault: exit code 4 with the reason.
 */
export function runGatesOnWorker(cwd: string, out: Output): Promise<number> {
  // The worker runs TypeScript like this process does: tsx's loader, registered inside the thread.
  const tsx = pathToFileURL(tsxEsmApi()).href;
  const entry = new URL('./gates-worker-thread.js', import.meta.url).href;
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); });`;
  return new Promise((resolve) => {
    let settled = false;
    const worker = new Worker(bootstrap, { eval: true, workerData: { cwd } });
    worker.once('message', (outcome: GatesOutcome) => {
      settled = true;
      replayLines(outcome.lines, out);
      resolve(outcome.code);
    });
    worker.once('error', (error) => {
      if (settled) return;
      settled = true;
      out.error(`main job: the gates' worker thread failed: ${error.message}`);
      resolve(4);
    });
    worker.once('exit', (exitCode) => {
      if (settled) return;
      settled = true;
      out.error(`main job: the gates' worker thread exited (code ${exitCode}) without a result.`);
      resolve(4);
    });
  });
}
