/**
 * One synthesis of the product per test run, shared by the test files that only read the assembly
 * (the rehearsal, the policy gates over every template, the pipeline layout, the bundle sizes). It
 * is the product exactly as app.ts synthesizes it (synthesize-product.ts). It starts when the first such file asks for it (a request
 * file in the shared directory, which the global set-up watches) and runs in a child process, so
 * the test workers go on meanwhile; {@link productAssembly} returns when the marker file appears. A
 * run of files that never ask (most targeted runs) never pays for a synthesis: ~15 s of CPU that
 * competed with the tests on two cores. The full run loses nothing: the rehearsal, which asks, is
 * the first file started (slow-files-first.ts).
 *
 * A second variant, the app with staging in another region ({@link crossRegionAssembly}), is
 * synthesized by the same process when asked for, after the product: two test files read that app
 * shape (the cross-region policy gates and the artifact replication stack's tests), and each built
 * it itself before, a whole-app build and synthesis twice in every full run. One process for both,
 * because a process of its own would import aws-cdk-lib and the app's code again (measured: no
 * saving then, docs/fast-feedback.md).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { SYNTH_DONE_FILE, SYNTH_FAILED_FILE, SYNTH_REQUESTED_FILE, type AssemblyVariant } from './shared-assembly-files.js';

/** How long a test file waits for the shared synthesis (~15 s idle with validation and cdk-nag; minutes on a busy 2-core machine). */
const WAIT_LIMIT_MS = 300_000;
const POLL_MS = 100;

/** The syntheses running in the background: each variant's output directory, and `dispose` to stop them and remove the directories. */
export interface BackgroundSyntheses {
  readonly directories: Readonly<Record<AssemblyVariant, string>>;
  dispose(): void;
}

/** How often the global set-up looks for a request. */
const REQUEST_POLL_MS = 50;

/** The variants in the order one synthesis process builds them when both are asked for: the product, which most files wait for, first. */
const VARIANTS: readonly AssemblyVariant[] = ['product', 'cross-region'];

/**
 * Prepares one shared directory per variant and starts synthesize-product.ts in a child process as
 * soon as a test file requests any of them (global set-up side). The one process builds every
 * variant requested, now or later, importing aws-cdk-lib and the app's code once for all of them.
 */
export function startSharedSyntheses(repositoryRoot: string): BackgroundSyntheses {
  const directories = Object.fromEntries(VARIANTS.map((variant) => [variant, mkdtempSync(join(tmpdir(), `kiro-shared-${variant}-assembly-`))])) as Record<AssemblyVariant, string>;
  const ordered = VARIANTS.map((variant) => directories[variant]);
  let child: ReturnType<typeof spawnSynthesis> | undefined;
  const watch = setInterval(() => {
    if (child !== undefined || !ordered.some((directory) => existsSync(join(directory, SYNTH_REQUESTED_FILE)))) return;
    clearInterval(watch);
    child = spawnSynthesis(repositoryRoot, ordered);
  }, REQUEST_POLL_MS);
  return {
    directories,
    dispose: () => {
      clearInterval(watch);
      // The process waits for further requests until it is stopped here.
      if (child !== undefined && child.exitCode === null) child.kill();
      for (const directory of ordered) rmSync(directory, { recursive: true, force: true });
    },
  };
}

function spawnSynthesis(repositoryRoot: string, directories: readonly string[]) {
  const child = spawn(join(repositoryRoot, 'node_modules', '.bin', 'tsx'), ['test/support/synthesize-product.ts', ...directories], {
    cwd: repositoryRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  // Every variant asked for and not finished fails with the process: its waiters must not wait out their limit.
  const fail = (why: string): void => {
    for (const directory of directories) {
      if (existsSync(join(directory, SYNTH_REQUESTED_FILE)) && !existsSync(join(directory, SYNTH_DONE_FILE)) && !existsSync(join(directory, SYNTH_FAILED_FILE))) {
        writeFileSync(join(directory, SYNTH_FAILED_FILE), `${why}\n${Buffer.concat(stderr).toString('utf8').slice(-4000)}`);
      }
    }
  };
  child.on('error', (error) => {
    fail(`could not start the synthesis: ${error.message}`);
  });
  child.on('close', (code, signal) => {
    // Stopped by dispose (SIGTERM) once the run is over; anything else before that is a failure.
    if (code !== 0) fail(`synthesis exited with ${code ?? signal ?? 'nothing'}`);
  });
  return child;
}

/** The shared product assembly's directory, once synthesized (test side). Throws with the synthesis's error when it failed. */
export function productAssembly(): Promise<string> {
  return sharedAssembly(inject('productAssembly'));
}

/**
 * The shared assembly of the app with staging in another region than the pipeline (synthesize-product.ts,
 * `cross-region`), once synthesized (test side): the policy gates over it and the artifact
 * replication stack's tests read the one synthesis instead of building that app each.
 */
export function crossRegionAssembly(): Promise<string> {
  return sharedAssembly(inject('crossRegionAssembly'));
}

async function sharedAssembly(directory: string): Promise<string> {
  // Idempotent: every asking file writes the same empty request; the set-up starts one synthesis.
  if (!existsSync(join(directory, SYNTH_REQUESTED_FILE))) writeFileSync(join(directory, SYNTH_REQUESTED_FILE), '');
  const deadline = Date.now() + WAIT_LIMIT_MS;
  while (Date.now() < deadline) {
    if (existsSync(join(directory, SYNTH_DONE_FILE))) return directory;
    if (existsSync(join(directory, SYNTH_FAILED_FILE))) throw new Error(`The shared synthesis failed: ${readFileSync(join(directory, SYNTH_FAILED_FILE), 'utf8')}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw new Error(`The shared synthesis did not finish within ${WAIT_LIMIT_MS / 1000} s (${directory}).`);
}

declare module 'vitest' {
  export interface ProvidedContext {
    productAssembly: string;
    crossRegionAssembly: string;
  }
}
