/**
 * One synthesis of the product per test run, shared by the test files that only read the assembly
 * (the rehearsal, the policy gates over every template, the pipeline layout, the bundle sizes). It
 * is the product exactly as app.ts synthesizes it (synthesize-product.ts). It starts when the first such file asks for it (a request
 * file in the shared directory, which the global set-up watches) and runs in a child process, so
 * the test workers go on meanwhile; {@link productAssembly} returns when the marker file appears. A
 * run of files that never ask (most targeted runs) never pays for a synthesis: ~15 s of CPU that
 * competed with the tests on two cores. The full run loses nothing: the rehearsal, which asks, is
 * the first file started (slow-files-first.ts).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { waitForRunProduct } from './once-per-run.js';
import { SYNTH_DONE_FILE, SYNTH_FAILED_FILE, SYNTH_REQUESTED_FILE } from './shared-assembly-files.js';

/** How long a test file waits for the shared synthesis (~15 s idle with validation and cdk-nag; minutes on a busy 2-core machine). */
const WAIT_LIMIT_MS = 300_000;

/** A synthesis running in the background: its output directory, and `dispose` to stop it and remove the directory. */
export interface BackgroundSynthesis {
  readonly directory: string;
  dispose(): void;
}

/** How often the global set-up looks for a request. */
const REQUEST_POLL_MS = 50;

/**
 * Prepares the shared directory and starts synthesize-product.ts in a child process as soon as a
 * test file requests it (global set-up side).
 */
export function startProductSynthesis(repositoryRoot: string): BackgroundSynthesis {
  const directory = mkdtempSync(join(tmpdir(), 'kiro-shared-assembly-'));
  let child: ReturnType<typeof spawnSynthesis> | undefined;
  const watch = setInterval(() => {
    if (child !== undefined || !existsSync(join(directory, SYNTH_REQUESTED_FILE))) return;
    clearInterval(watch);
    child = spawnSynthesis(repositoryRoot, directory);
  }, REQUEST_POLL_MS);
  return {
    directory,
    dispose: () => {
      clearInterval(watch);
      if (child !== undefined && child.exitCode === null) child.kill();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

function spawnSynthesis(repositoryRoot: string, directory: string) {
  const child = spawn(join(repositoryRoot, 'node_modules', '.bin', 'tsx'), ['test/support/synthesize-product.ts', directory], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const fail = (why: string): void => {
    if (existsSync(directory)) writeFileSync(join(directory, SYNTH_FAILED_FILE), `${why}\n${Buffer.concat(stderr).toString('utf8').slice(-4000)}`);
  };
  child.on('error', (error) => {
    fail(`could not start the synthesis: ${error.message}`);
  });
  child.on('close', (code, signal) => {
    if (code !== 0) fail(`synthesis exited with ${code ?? signal ?? 'nothing'}`);
  });
  return child;
}

/** The shared product assembly's directory, once synthesized (test side). Throws with the synthesis's error when it failed. */
export async function productAssembly(): Promise<string> {
  const directory = inject('productAssembly');
  // Idempotent: every asking file writes the same empty request; the set-up starts one synthesis.
  if (!existsSync(join(directory, SYNTH_REQUESTED_FILE))) writeFileSync(join(directory, SYNTH_REQUESTED_FILE), '');
  await waitForRunProduct({ what: 'shared synthesis', directory, doneFile: SYNTH_DONE_FILE, failedFile: SYNTH_FAILED_FILE, waitLimitMs: WAIT_LIMIT_MS });
  return directory;
}

declare module 'vitest' {
  export interface ProvidedContext {
    productAssembly: string;
  }
}
