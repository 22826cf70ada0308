/**
 * One synthesis of the product per test run, shared by the test files that only read the assembly
 * (the rehearsal, the pipeline layout). The global set-up starts it in a child process at once and
 * does not wait for it, so the test workers start in the meantime; a test file that needs the
 * assembly awaits {@link productAssembly}, which returns when the marker file appears.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inject } from 'vitest';
import { SYNTH_DONE_FILE, SYNTH_FAILED_FILE } from './shared-assembly-files.js';

/** How long a test file waits for the shared synthesis (it takes ~5–15 s on a busy 2-core machine). */
const WAIT_LIMIT_MS = 180_000;
const POLL_MS = 100;

/** A synthesis running in the background: its output directory, and `dispose` to stop it and remove the directory. */
export interface BackgroundSynthesis {
  readonly directory: string;
  dispose(): void;
}

/** Starts synthesize-product.ts in a child process (global set-up side). */
export function startProductSynthesis(repositoryRoot: string): BackgroundSynthesis {
  const directory = mkdtempSync(join(tmpdir(), 'kiro-shared-assembly-'));
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
  return {
    directory,
    dispose: () => {
      if (child.exitCode === null) child.kill();
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** The shared product assembly's directory, once synthesized (test side). Throws with the synthesis's error when it failed. */
export async function productAssembly(): Promise<string> {
  const directory = inject('productAssembly');
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
  }
}
