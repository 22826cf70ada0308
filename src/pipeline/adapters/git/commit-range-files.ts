import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { ConfigurationError } from '../../../shared/errors.js';

/**
 * The file versions a range of commits added, read out of git's object store. A secret committed
 * and removed again within the range is in none of the files at HEAD, but it is in the history that
 * the push published, so the secrets gate scans every version the range wrote.
 */

/** One version of a file that a commit of the range wrote. */
export interface RangeFileVersion {
  /** The commit that wrote it (full SHA). */
  readonly commit: string;
  /** The file's path in the repository. */
  readonly path: string;
  /** The blob id of this version. */
  readonly blob: string;
}

/** A revision that cannot be mistaken for an option: a hex id, a branch or a tag name, `HEAD~2`. */
const REVISION = /^[A-Za-z0-9][A-Za-z0-9._/^~-]*$/;

/** Runs git in `cwd`; `encoding: 'buffer'` keeps binary blobs byte for byte. */
function git(cwd: string, args: readonly string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('git', [...args], { cwd, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error === null) resolve(stdout);
      else reject(new Error(`git ${args.join(' ')} failed: ${stderr.toString('utf8').trim() || error.message}`, { cause: error }));
    });
  });
}

/**
 * Parses `git log --raw --no-renames --no-abbrev -z --format=%x01%H`: a commit line, then for each
 * changed file `:<mode> <mode> <old blob> <new blob> <status>\0<path>\0`. Deletions (status D) wrote
 * nothing and are skipped; the deleted version was written by an earlier commit and is listed there.
 */
export function parseRawLog(text: string): RangeFileVersion[] {
  const versions: RangeFileVersion[] = [];
  let commit = '';
  const fields = text.split('\0');
  for (let index = 0; index < fields.length; index += 1) {
    let field = fields[index] ?? '';
    const marker = field.indexOf('\u0001');
    if (marker >= 0) {
      // With -z the commit line and the first raw line share a field, separated by a newline.
      const [head = '', ...rest] = field.slice(marker + 1).split('\n');
      commit = head.trim();
      field = rest.join('\n').trim();
    }
    field = field.replace(/^\n+/, '');
    if (!field.startsWith(':')) continue;
    const [, , , blob = '', status = ''] = field.slice(1).split(' ');
    const path = fields[index + 1] ?? '';
    index += 1;
    if (status.startsWith('D') || /^0+$/.test(blob) || path === '') continue;
    versions.push({ commit, path, blob });
  }
  return versions;
}

/**
 * Every file version the commits in `since..until` wrote that the tree at `until` does not hold
 * already (that one the tree scan covers), each blob once. `since` must be a commit of the clone.
 * Without `since` (nothing deployed yet) the range is every commit reachable from `until`.
 * Throws a ConfigurationError (a usage mistake, exit 2) when a revision is not in the clone.
 */
export async function commitRangeFileVersions(cwd: string, since: string | undefined, until = 'HEAD'): Promise<{ readonly commits: number; readonly versions: readonly RangeFileVersion[] }> {
  for (const revision of since === undefined ? [until] : [since, until]) {
    if (!REVISION.test(revision)) throw new ConfigurationError(`--since "${revision}" is not a commit id, branch or tag; pass a full commit SHA.`, { option: 'since', revision });
    await git(cwd, ['cat-file', '-e', `${revision}^{commit}`]).catch((error: unknown) => {
      throw new ConfigurationError(
        `--since: commit ${revision} is not in this clone (${cwd}). The Build action needs a full clone (CodeStar connection with "full clone"); locally, run "git fetch" first.`,
        { option: 'since', revision },
        error,
      );
    });
  }
  const range = since === undefined ? [until] : [`${since}..${until}`];
  const commits = (await git(cwd, ['rev-list', '--count', ...range])).toString('utf8').trim();
  const log = (await git(cwd, ['log', '--raw', '--no-renames', '--no-abbrev', '-z', '--format=%x01%H', ...range, '--'])).toString('utf8');
  const atHead = new Set(
    (await git(cwd, ['ls-tree', '-r', '-z', until]))
      .toString('utf8')
      .split('\0')
      .map((line) => line.split(/\s/)[2] ?? ''),
  );
  const seen = new Set<string>();
  const versions = parseRawLog(log).filter((version) => {
    if (atHead.has(version.blob) || seen.has(version.blob)) return false;
    seen.add(version.blob);
    return true;
  });
  return { commits: Number(commits), versions };
}

/** The relative path a version is written to under the scan folder: `<commit>/<path>`, so two versions of one file never collide. */
export function versionFileName(version: RangeFileVersion): string {
  return `${version.commit}/${version.path}`;
}

/** Writes each version's bytes to `<folder>/<commit>/<path>` for secretlint to scan. */
export async function writeFileVersions(cwd: string, versions: readonly RangeFileVersion[], folder: string): Promise<void> {
  for (const version of versions) {
    const target = join(folder, versionFileName(version));
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, await git(cwd, ['cat-file', 'blob', version.blob]), { mode: 0o600 });
  }
}
