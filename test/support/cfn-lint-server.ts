/**
 * cfn-lint for the test run from one Python process (cfn-lint-fork-server.py): the global set-up
 * starts it (cfn-lint-server-process.ts), a test file lints through {@link sharedCfnLint}, a CfnLintRunner
 * (src/pipeline/adapters/tools/run-gates.ts) that prints what the `cfn-lint` command prints. Each run
 * is a fork of a process that imported cfn-lint once instead of a Python start, ~1.2 CPU-s less a run
 * (docs/fast-feedback.md, "cfn-lint from one process").
 *
 * The server is a child of Vitest's main process, not of a worker: the main process stops it and
 * waits for it at the end of the run, so its CPU and that of every run it forked is counted in the
 * run's (a worker ends without waiting for its children). A file's own share is counted too: the
 * server says what each run cost and servedCfnLintCpuSeconds() (cfn-lint-server-process.ts) adds it up for file-cpu.ts.
 */
import { createConnection } from 'node:net';
import { inject } from 'vitest';
import type { ProcessResult } from '../../src/pipeline/adapters/tools/run-process.js';
import { spawnCfnLint, type CfnLintRunner } from '../../src/pipeline/adapters/tools/run-gates.js';
import { countServedCpu } from './cfn-lint-server-process.js';

/** What the server answers a run. */
type Answer = (ProcessResult & { readonly cpuSeconds: number }) | { readonly unavailable: string };

/** Asks the server at `socketPath` for one run. Rejects when the connection ends without an answer (a run that crashed the fork). */
export function askCfnLintServer(socketPath: string, args: readonly string[], cwd: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = createConnection(socketPath);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('error', reject);
    socket.once('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text) as Answer);
      } catch (error) {
        reject(new Error(`The cfn-lint server's run of "cfn-lint ${args.join(' ')}" ended without an answer: ${text.slice(0, 200)}`, { cause: error }));
      }
    });
    socket.write(`${JSON.stringify({ args, cwd, env: process.env })}\n`);
  });
}

/**
 * cfn-lint through the server at `socketPath`. Where python3 cannot import cfn-lint (installed for
 * another Python), the server says so and this runs `fallback` instead, from then on.
 */
export function cfnLintThrough(socketPath: string, fallback: CfnLintRunner = spawnCfnLint): CfnLintRunner {
  let unavailable = false;
  return async (args, cwd) => {
    if (unavailable) return fallback(args, cwd);
    const answer = await askCfnLintServer(socketPath, args, cwd);
    if ('unavailable' in answer) {
      unavailable = true;
      return fallback(args, cwd);
    }
    countServedCpu(answer.cpuSeconds);
    return { exitCode: answer.exitCode, stdout: answer.stdout, stderr: answer.stderr };
  };
}

/** cfn-lint through the run's server (test side), or the `cfn-lint` command where the server cannot import it. */
export function sharedCfnLint(): CfnLintRunner {
  return cfnLintThrough(inject('cfnLintServer'));
}

declare module 'vitest' {
  export interface ProvidedContext {
    cfnLintServer: string;
  }
}
