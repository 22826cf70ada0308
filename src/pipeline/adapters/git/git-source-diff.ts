import { execFile } from 'node:child_process';
import { KiroCdError } from '../../../shared/errors.js';
import type { SourceDiff } from '../../ports/source-diff.js';

/** `git` could not list the changed files (a commit missing from the clone, not a repository). */
export class GitDiffError extends KiroCdError {
  constructor(message: string, context: Record<string, unknown> = {}, cause?: unknown) {
    super(message, { code: 'GIT_DIFF_FAILED', fault: 'user', context, cause });
  }
}

/** Options of {@link GitSourceDiff}. */
export interface GitSourceDiffOptions {
  /** The working copy to diff in. */
  readonly cwd: string;
  /**
   * The git executable.
   * @default 'git' (from PATH)
   */
  readonly git?: string;
  /**
   * Environment of the git process.
   * @default the current process environment
   */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A commit-ish that cannot be mistaken for an option: a hex id, a branch or a tag name. */
const REVISION = /^[A-Za-z0-9][A-Za-z0-9._/^~-]*$/;

/**
 * Lists changed files with `git diff --name-only --no-renames -z from^{commit} to^{commit}`:
 * `--no-renames` lists both sides of a move (a file moved out of infrastructure/ still counts as an
 * infrastructure change), `-z` keeps unusual file names unquoted, and `^{commit}` makes git refuse
 * anything but two commits. So it is one git process when both commits are in the clone (a process
 * that a large Node.js process starts costs it a copy of its page tables, ~16 ms of CPU per GB
 * resident: docs/fast-feedback.md); only when that fails does it ask which commit is missing, to say so.
 */
export class GitSourceDiff implements SourceDiff {
  constructor(private readonly options: GitSourceDiffOptions) {}

  async changedPaths(from: string, to: string): Promise<string[]> {
    for (const revision of [from, to]) {
      if (!REVISION.test(revision)) {
        throw new GitDiffError(`"${revision}" is not a commit id, branch or tag; pass a full commit SHA.`, { revision });
      }
    }
    let output: string;
    try {
      output = await this.git(['diff', '--name-only', '--no-renames', '-z', `${from}^{commit}`, `${to}^{commit}`, '--']);
    } catch (diffError) {
      await this.requireCommits(from, to);
      throw diffError;
    }
    return output.split('\0').filter((path) => path !== '');
  }

  /** Throws the error that names the first of the revisions that is not a commit of this clone. */
  private async requireCommits(...revisions: readonly string[]): Promise<void> {
    for (const revision of revisions) {
      await this.git(['cat-file', '-e', `${revision}^{commit}`]).catch((error: unknown) => {
        throw new GitDiffError(
          `commit ${revision} is not in this clone. The pipeline needs a full clone (CodeStar connection with "full clone"), not a shallow copy; locally, run "git fetch" first.`,
          { revision },
          error,
        );
      });
    }
  }

  private git(args: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(
        this.options.git ?? 'git',
        [...args],
        { cwd: this.options.cwd, env: { ...(this.options.env ?? process.env) }, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error !== null) {
            reject(new GitDiffError(`git ${args.join(' ')} failed: ${stderr.trim() === '' ? error.message : stderr.trim()}`, { args }, error));
            return;
          }
          resolve(stdout);
        },
      );
    });
  }
}
