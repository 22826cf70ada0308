import { spawn } from 'node:child_process';
import type { CommandResult, CommandRunner } from '../ports/command-runner.js';

/** When the runner stops a command at its deadline. */
export interface CommandDeadline {
  /** Milliseconds the command may run. */
  readonly afterMs: number;
  /** Milliseconds between SIGTERM and SIGKILL, so the command can clean up. */
  readonly graceMs: number;
}

/**
 * Runs the implementation command through `/bin/sh -c`, as CodeBuild runs buildspec commands, with the
 * work item in its environment and its output streamed to the build log.
 *
 * The command gets a deadline shorter than the build's timeout: a customer's hanging tests then end
 * as a failed item recorded by the worker, instead of a TIMED_OUT build (which CodeBuild counts in
 * FailedBuilds, the critical `worker-build-failures` alarm) that leaves the item in progress. The
 * command runs in its own process group, so the whole tree it started (npm, node, test runners) is
 * stopped, not only the shell.
 */
export class ShellCommandRunner implements CommandRunner {
  constructor(
    private readonly baseEnvironment: Readonly<Record<string, string | undefined>>,
    private readonly workingDirectory: string,
    private readonly deadline?: CommandDeadline,
  ) {}

  run(command: string, environment: Readonly<Record<string, string>>): Promise<CommandResult> {
    return new Promise((resolve, reject) => {
      const child = spawn('/bin/sh', ['-c', command], {
        cwd: this.workingDirectory,
        env: { ...this.baseEnvironment, ...environment },
        stdio: 'inherit',
        detached: true,
      });
      let timedOut = false;
      const timers: NodeJS.Timeout[] = [];
      const signalGroup = (signal: NodeJS.Signals): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, signal);
        } catch {
          // The group is already gone.
        }
      };
      if (this.deadline !== undefined) {
        const { afterMs, graceMs } = this.deadline;
        timers.push(
          setTimeout(() => {
            timedOut = true;
            signalGroup('SIGTERM');
            timers.push(
              setTimeout(() => {
                signalGroup('SIGKILL');
              }, graceMs),
            );
          }, afterMs),
        );
      }
      const clear = (): void => {
        for (const timer of timers) clearTimeout(timer);
      };
      child.once('error', (error) => {
        clear();
        reject(error);
      });
      child.once('close', (exitCode, signal) => {
        clear();
        // Whatever the command left running in its group goes with it.
        signalGroup('SIGKILL');
        resolve(timedOut ? { exitCode, signal, timedOut } : { exitCode, signal });
      });
    });
  }
}
