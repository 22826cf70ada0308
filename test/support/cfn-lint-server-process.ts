/**
 * Starts and stops the run's cfn-lint server (cfn-lint-fork-server.py; what it is for:
 * cfn-lint-server.ts), and counts the CPU of the runs it made for a worker's files. Apart from the
 * client so that neither the global set-up, in Vitest's main process, nor file-cpu.ts loads the gate code.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The server's script, beside this file. */
export const CFN_LINT_FORK_SERVER = fileURLToPath(new URL('./cfn-lint-fork-server.py', import.meta.url));

/** How long the server may take to listen: a bare Python start, ~0.1 s idle; far longer on a busy machine. */
const READY_LIMIT_MS = 60_000;

/** A running server: the socket to reach it at, and how to stop it. */
export interface CfnLintServer {
  readonly socketPath: string;
  /** Stops the server and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts the server (global set-up side) with `env`. It imports cfn-lint only when the first run is asked for. */
export async function startCfnLintServer(env: NodeJS.ProcessEnv = process.env): Promise<CfnLintServer> {
  const directory = mkdtempSync(join(tmpdir(), 'kiro-cfn-lint-'));
  const socketPath = join(directory, 'server.sock');
  const child = spawn('python3', [CFN_LINT_FORK_SERVER, socketPath], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<void>((resolve) => {
    child.once('close', () => {
      resolve();
    });
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`The cfn-lint server did not listen within ${READY_LIMIT_MS / 1000} s. ${stderr}`));
    }, READY_LIMIT_MS);
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString('utf8').includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`The cfn-lint server exited before it listened (exit ${String(child.exitCode)}): ${stderr}`));
    });
  });
  return {
    socketPath,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

let servedCpuSeconds = 0;

/** Adds the CPU seconds of one run the server made for this process (client side). */
export function countServedCpu(seconds: number): void {
  servedCpuSeconds += seconds;
}

/** CPU seconds of the runs the server made for this process: forks of the server, so not in this process's children. */
export function servedCfnLintCpuSeconds(): number {
  return servedCpuSeconds;
}
