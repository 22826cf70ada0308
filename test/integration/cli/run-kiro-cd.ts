import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { kiroCdBundle } from '../../support/cli-bundle.js';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** What a `kiro-cd` process printed and how it exited. */
export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * How the process starts: `bundle`, the run's esbuild bundle of src/cli/kiro-cd.ts
 * (test/support/cli-bundle.ts: the same sources without tsx's per-module cost), or `bin`, the
 * launcher users run (`node bin/kiro-cd.js`, through tsx). cli-bundle.test.ts holds the two to the
 * same output; command-loading.test.ts runs `bin`.
 */
export type CliLauncher = 'bundle' | 'bin';

/**
 * Runs `kiro-cd <args>` as a real process, with dummy credentials (the emulator accepts any) and no
 * AWS profile of the machine, so nothing outside the test is ever reached. The SDK's Node-version
 * notice is not switched off here: the CLI must keep it out of its output itself.
 */
export async function runKiroCd(args: readonly string[], env: Readonly<Record<string, string>> = {}, launcher: CliLauncher = 'bundle'): Promise<CliRun> {
  const script = launcher === 'bin' ? 'bin/kiro-cd.js' : await kiroCdBundle(ROOT);
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: '/nonexistent',
        AWS_ACCESS_KEY_ID: 'testing',
        AWS_SECRET_ACCESS_KEY: 'testing',
        ...env,
      },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, stdout, stderr });
    });
  });
}
