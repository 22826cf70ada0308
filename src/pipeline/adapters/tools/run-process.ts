import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { ConfigurationError } from '../../../shared/errors.js';

/** What a finished tool run printed and how it exited. */
export interface ProcessResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a tool and collects its output. A tool that is not installed becomes a ConfigurationError
 * carrying `installHint`, so the user learns how to fix it instead of reading ENOENT.
 */
export function runProcess(
  command: string,
  args: readonly string[],
  options: {
    readonly cwd: string;
    readonly installHint: string;
    readonly env?: NodeJS.ProcessEnv;
    /** Aborting it kills the tool (SIGTERM) and rejects with Node's AbortError. @default never aborted */
    readonly signal?: AbortSignal;
    /** Called with each piece of standard output as it arrives, before the tool ends (it is still collected). @default none */
    readonly onStdout?: (chunk: string) => void;
  },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'], ...(options.signal === undefined ? {} : { signal: options.signal }) });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    // A chunk may end inside a multi-byte character: the decoder holds its first bytes for the next one.
    const decoder = new StringDecoder('utf8');
    child.stdout.on('data', (chunk: Buffer) => {
      stdout.push(chunk);
      options.onStdout?.(decoder.write(chunk));
    });
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'ENOENT'
          ? new ConfigurationError(`${command} is not installed or not on the PATH. ${options.installHint}`, { command }, error)
          : error,
      );
    });
    child.on('close', (code, signal) => {
      resolve({
        exitCode: code ?? (signal === null ? 1 : 128),
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      });
    });
  });
}
