import { execFile } from 'node:child_process';
import type { StackDiffOutcome } from '../../domain/change-detection/decide-infrastructure-change.js';
import type { StackDiff } from '../../ports/stack-diff.js';

/** Options of {@link CdkStackDiff}. */
export interface CdkStackDiffOptions {
  /** The synthesized cloud assembly (`cdk.out`). */
  readonly app: string;
  readonly cwd: string;
  /**
   * The cdk executable.
   * @default 'cdk' (from PATH; the CLI puts node_modules/.bin first)
   */
  readonly cdk?: string;
  /**
   * Environment of the cdk process (credentials come from here, as for any AWS CLI).
   * @default the current process environment
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /**
   * A local template to compare a stack with instead of the deployed one (`cdk diff --template`),
   * for rehearsals without an AWS account.
   * @default none: compare with the deployed stack
   */
  readonly baselineTemplate?: (stack: string) => string | undefined;
  /**
   * How long one diff may take before it counts as failed.
   * @default 300000 (5 minutes)
   */
  readonly timeoutMs?: number;
}

/** The line cdk prints at the end of every diff it completed. */
const DIFFERENCES = /Number of stacks with differences:\s*(\d+)/;
const MAX_DETAIL = 4000;

/** Outcome from `cdk diff --fail`'s exit code and output; exported for its table test. */
export function interpretCdkDiff(stack: string, exitCode: number | null, output: string): StackDiffOutcome {
  const text = output.trim();
  const differences = DIFFERENCES.exec(text);
  // cdk exits 1 both for "there are differences" (with --fail) and for most failures (no
  // credentials, unknown stack), so the exit code alone cannot tell them apart: only a completed
  // diff prints its closing count.
  if (exitCode === 0 && differences?.[1] === '0') return { stack, status: 'unchanged' };
  if (exitCode === 1 && differences !== null && Number(differences[1]) > 0) {
    return { stack, status: 'changed', detail: clip(text) };
  }
  if (exitCode === 0) {
    return { stack, status: 'error', detail: `cdk diff exited 0 without its closing "Number of stacks with differences" line: ${clip(lastLines(text))}` };
  }
  return { stack, status: 'error', detail: `cdk diff exited ${exitCode === null ? 'on a signal or timeout' : String(exitCode)}: ${clip(lastLines(text)) || 'no output'}` };
}

function lastLines(text: string): string {
  return text.split('\n').filter((line) => line.trim() !== '').slice(-5).join(' / ');
}

function clip(text: string): string {
  return text.length > MAX_DETAIL ? `${text.slice(0, MAX_DETAIL)}...` : text;
}

/**
 * Runs `cdk diff --fail --method=template --app <assembly> <stack>` for one stack. `--fail` makes cdk
 * exit 1 on differences (it exits 0 otherwise); `--method=template` compares with the deployed
 * template through the read-only lookup role instead of creating a change set.
 */
export class CdkStackDiff implements StackDiff {
  constructor(private readonly options: CdkStackDiffOptions) {}

  diff(stack: string): Promise<StackDiffOutcome> {
    const baseline = this.options.baselineTemplate?.(stack);
    const args = ['diff', '--app', this.options.app, '--fail', '--no-notices', ...(baseline === undefined ? ['--method=template'] : ['--template', baseline]), stack];
    return new Promise((resolve) => {
      execFile(
        this.options.cdk ?? 'cdk',
        args,
        {
          cwd: this.options.cwd,
          env: { ...(this.options.env ?? process.env) },
          timeout: this.options.timeoutMs ?? 300_000,
          maxBuffer: 64 * 1024 * 1024,
          encoding: 'utf8',
        },
        (error, stdout, stderr) => {
          const output = `${stdout}\n${stderr}`;
          if (error === null) {
            resolve(interpretCdkDiff(stack, 0, output));
            return;
          }
          const code = typeof error.code === 'number' ? error.code : null;
          if (code === null && typeof error.code === 'string') {
            // The executable could not start at all (ENOENT, EACCES).
            resolve({ stack, status: 'error', detail: `could not run ${this.options.cdk ?? 'cdk'}: ${error.message}` });
            return;
          }
          resolve(interpretCdkDiff(stack, code, output));
        },
      );
    });
  }
}
