/**
 * A real, temporary git repository standing in for the product's GitHub repository: every scenario
 * commits to it, and change detection runs `git diff` on it. The synthesized infrastructure template
 * of each release is committed too, so the local `cdk diff` compares the template a commit would
 * deploy with the one an environment last deployed, as `cdk diff` compares with CloudFormation.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { StackDiffOutcome } from '../pipeline/domain/change-detection/decide-infrastructure-change.js';
import type { CommitInfo } from '../pipeline/domain/history-model.js';
import type { StackDiff } from '../pipeline/ports/stack-diff.js';
/** What the commit under rehearsal changes in the temporary repository. */
export type CommitChange = 'infrastructure-and-application' | 'application-only';

/** The infrastructure template as each commit synthesizes it (under infrastructure/, so git sees an infrastructure change). */
export const TEMPLATE_PATH = 'infrastructure/cdk.out-snapshot/core.template.json';
const APPLICATION_PATH = 'src/worker/release.ts';
/** A full commit id, which always names the same commit (a branch name or `HEAD` moves). */
const FULL_COMMIT_ID = /^[0-9a-f]{40}$/;

/** The scratch repository. */
export class ReleaseRepository {
  private releases = 0;
  /** The infrastructure template at the branch head, as last written and committed here (nothing else commits to this repository). */
  private headTemplate = '';
  /**
   * What a full commit id names never changes, so each commit's template and details are read from
   * git once: change detection and the local `cdk diff` ask for the same few commits again and again,
   * and every git process costs the process that starts it a copy of its page tables
   * (docs/fast-feedback.md).
   */
  private readonly templates = new Map<string, string>();
  private readonly descriptions = new Map<string, CommitInfo>();

  private constructor(
    /** Working copy. */
    readonly directory: string,
    private readonly author: string,
    /** The rehearsal clock: commits are dated in rehearsal time, so lead times are consistent. */
    private readonly now: () => Date,
  ) {}

  /** Creates the repository with a first commit holding the given infrastructure template. */
  static create(template: unknown, now: () => Date, author = 'Kiro Rehearsal <rehearsal@example.com>'): { repository: ReleaseRepository; initial: CommitInfo } {
    const directory = mkdtempSync(join(tmpdir(), 'kiro-rehearsal-repo-'));
    const repository = new ReleaseRepository(directory, author, now);
    repository.git('init', '--quiet', '--initial-branch=main');
    repository.write(TEMPLATE_PATH, `${JSON.stringify(template, null, 2)}\n`);
    repository.write(APPLICATION_PATH, 'export const RELEASE = 0;\n');
    return { repository, initial: repository.commitAll('Initial release of the worker') };
  }

  /** Commits the next release: always an application change, and an infrastructure change when asked. */
  commit(change: CommitChange, message: string): CommitInfo {
    this.releases += 1;
    this.write(APPLICATION_PATH, `export const RELEASE = ${this.releases};\n`);
    if (change === 'infrastructure-and-application') {
      const template = JSON.parse(this.headTemplate) as { Metadata?: Record<string, unknown> };
      // A new tag value changes the synthesized template, as a real infrastructure change would.
      template.Metadata = { ...template.Metadata, 'kiro:release': this.releases };
      this.write(TEMPLATE_PATH, `${JSON.stringify(template, null, 2)}\n`);
    }
    return this.commitAll(message);
  }

  /** The commit the branch points at. */
  head(): string {
    return this.git('rev-parse', 'HEAD').trim();
  }

  /** A commit's details, as a source action reports them; `revision` defaults to the branch head. */
  describe(revision?: string): CommitInfo {
    const known = revision === undefined ? undefined : this.descriptions.get(revision);
    if (known !== undefined) return known;
    const [id, committedAt, author, ...message] = this.git('log', '-1', '--format=%H%n%cI%n%an%n%s', revision ?? 'HEAD').trim().split('\n');
    const described = { id: id ?? '', message: message.join('\n'), author: author ?? '', committedAt: new Date(committedAt ?? '').toISOString() };
    if (revision !== undefined && FULL_COMMIT_ID.test(revision)) this.descriptions.set(revision, described);
    return described;
  }

  /** True when `ancestor` is in the history of `commit` (a commit is its own ancestor). */
  isAncestor(ancestor: string, commit: string): boolean {
    try {
      this.git('merge-base', '--is-ancestor', ancestor, commit);
      return true;
    } catch {
      return false;
    }
  }

  /** The template a commit would deploy. */
  templateAt(commitId: string): string {
    const known = this.templates.get(commitId);
    if (known !== undefined) return known;
    const template = this.git('show', `${commitId}:${TEMPLATE_PATH}`);
    if (FULL_COMMIT_ID.test(commitId)) this.templates.set(commitId, template);
    return template;
  }

  /** A `cdk diff` stand-in for one environment: the template at `to` against the one deployed at `deployed`. */
  stackDiff(deployed: string | undefined, to: string): StackDiff {
    return {
      diff: (stack): Promise<StackDiffOutcome> => {
        if (deployed === undefined) return Promise.resolve({ stack, status: 'changed', detail: 'nothing deployed yet' });
        try {
          const same = JSON.stringify(JSON.parse(this.templateAt(deployed))) === JSON.stringify(JSON.parse(this.templateAt(to)));
          return Promise.resolve(same ? { stack, status: 'unchanged' } : { stack, status: 'changed', detail: `template differs from ${deployed.slice(0, 8)}` });
        } catch (error) {
          return Promise.resolve({ stack, status: 'error', detail: error instanceof Error ? error.message : String(error) });
        }
      },
    };
  }

  /** Deletes the working copy. */
  remove(): void {
    rmSync(this.directory, { recursive: true, force: true });
  }

  private write(path: string, content: string): void {
    if (path === TEMPLATE_PATH) this.headTemplate = content;
    const full = join(this.directory, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }

  private commitAll(message: string): CommitInfo {
    this.git('add', '--all');
    this.git('commit', '--quiet', '--no-gpg-sign', `--author=${this.author}`, '-m', message);
    const [id, committedAt] = this.git('log', '-1', '--format=%H%n%cI').trim().split('\n');
    return { id: id ?? '', message, author: this.author.replace(/ <.*>$/, ''), committedAt: new Date(committedAt ?? '').toISOString() };
  }

  private git(...args: string[]): string {
    const date = this.now().toISOString();
    return execFileSync('git', args, {
      cwd: this.directory,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_COMMITTER_NAME: 'Kiro Rehearsal',
        GIT_COMMITTER_EMAIL: 'rehearsal@example.com',
        GIT_AUTHOR_DATE: date,
        GIT_COMMITTER_DATE: date,
        GIT_CONFIG_GLOBAL: '/dev/null',
        GIT_CONFIG_NOSYSTEM: '1',
      },
    });
  }
}
