import { spawn } from 'node:child_process';
import type { CommandResult, CommandRunner } from '../ports/command-runner.js';

/**
 * Runs the implementation command through `/bin/sh -c`, as CodeBuild runs buildspec commands, with the
 * work item in its environment and its output streamed to the build log.
 */
export class ShellCommandRunner implements CommandRunner {
  constructor(
    private readonly baseEnvironment: Readonly<Record<string, string | undefined>>,
    private readonly workingDirectory: string,
  ) {}

  run(command: string, environment: Readonly<Record<string, string>>): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command], {
        cwd: this.workingDirectory,
        env: { ...this.baseEnvironment, ...environment },
        stdio: 'inherit',
      });
      child.once('error', reject);
      child.once('close', (exitCode, signal) => {
        resolve({ exitCode, signal });
      });
    });
  }
}
