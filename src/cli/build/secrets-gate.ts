import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { unreadableReport, type GateResult } from '../../pipeline/domain/build-gates/gate-result.js';
import { parseSecretsAllowlist } from '../../pipeline/domain/build-gates/secrets-allowlist.js';
import { combineSecretsScans, decideSecrets, parseSecretlintOutput, reportOfFileVersions } from '../../pipeline/domain/build-gates/secrets.js';
import type { SecretsAllowlistEntry } from '../../pipeline/domain/build-gates/secrets-allowlist.js';
import { commitRangeFileVersions, versionFileName, writeFileVersions } from '../../pipeline/adapters/git/commit-range-files.js';
import { filesUnder, trackedFiles } from '../../pipeline/adapters/tools/list-files.js';
import { runSecretlint } from '../../pipeline/adapters/tools/secretlint-runner.js';
import { ConfigurationError } from '../../shared/errors.js';
import { readAllowlistFile } from './allowlist-file.js';

/** The allowlist read when `--allowlist` is not given; optional. */
export const DEFAULT_SECRETS_ALLOWLIST = '.secrets-allowlist.json';
/** secretlint's configuration (the recommended preset) when `--config` is not given; required. */
export const DEFAULT_SECRETLINT_CONFIG = '.secretlintrc.json';

/** What `gate secrets` was asked to do. */
export interface SecretsGateRequest {
  readonly cwd: string;
  /** The folder to scan (every file in it); default: the files git tracks in `cwd`. */
  readonly path?: string;
  readonly allowlist?: string;
  readonly config?: string;
  /** Today as YYYY-MM-DD. */
  readonly today: string;
  /** secretlint's bin script, for tests that take the tool away. */
  readonly toolPath?: string;
  /**
   * Also scan every file version the commits `<since>..HEAD` wrote (the commit range being built).
   * `null`: nothing has been deployed yet, so every commit reachable from HEAD is in the range.
   * @default undefined: the tree only
   */
  readonly since?: string | null;
}

const absolute = (path: string, cwd: string): string => (isAbsolute(path) ? path : resolve(cwd, path));

/**
 * Scans for secrets and decides: the files git tracks in the working directory (or every file under
 * `--path`), secretlint run over exactly those files, and every file must be in its report.
 * Usage errors (a missing config or folder, an invalid allowlist) throw a ConfigurationError (exit 2);
 * a tool that cannot run blocks.
 */
export async function runSecretsGate(request: SecretsGateRequest): Promise<GateResult> {
  const config = absolute(request.config ?? DEFAULT_SECRETLINT_CONFIG, request.cwd);
  await access(config).catch((error: unknown) => {
    throw new ConfigurationError(`${config} cannot be read: the secrets gate needs secretlint's configuration (the recommended preset); pass --config <file>.`, { option: 'config' }, error);
  });
  const root = request.path === undefined ? request.cwd : absolute(request.path, request.cwd);
  let files: readonly string[];
  if (request.path === undefined) {
    const tracked = await trackedFiles(root);
    if (tracked === undefined) throw new ConfigurationError(`${root} is not a git work tree: run the gate in the repository, or scan a folder with --path <dir>.`, { cwd: root });
    files = tracked;
  } else {
    files = await filesUnder(root).catch((error: unknown) => {
      throw new ConfigurationError(`--path ${request.path ?? ''}: cannot list the folder (${(error as NodeJS.ErrnoException).code ?? 'unknown'}).`, { option: 'path' }, error);
    });
  }
  // secretlint never reports on its own configuration files (.secretlintrc*, .secretlintignore), so
  // they are not asked for; everything else must come back in its report.
  files = files.filter((file) => !/(^|\/)\.secretlint(rc[^/]*|ignore)$/.test(file));
  const allowlist = await readAllowlistFile(request.allowlist, DEFAULT_SECRETS_ALLOWLIST, request.cwd, parseSecretsAllowlist);
  if (request.since !== undefined && request.path !== undefined) {
    throw new ConfigurationError('--since scans the history of the git work tree; it cannot be combined with --path (a folder has no history).', { option: 'since' });
  }
  if (files.length === 0) return unreadableReport('secrets', `no files to scan in ${root}: an empty scan shows nothing`);
  const run = await runSecretlint({ root, files, config, ...(request.toolPath === undefined ? {} : { toolPath: request.toolPath }) });
  const tree = run.kind === 'failed' ? unreadableReport('secrets', run.problem) : decideSecrets(parseSecretlintOutput(run.text, root), { scanned: files, allowlist, today: request.today });
  if (request.since === undefined) return tree;
  return combineSecretsScans(tree, ...(await scanCommitRange(request, request.since ?? undefined, config, allowlist)));
}

/**
 * Scans the file versions the commit range wrote: each is written out of git's object store into a
 * private temporary folder (mode 0700: it may hold a secret) as `<commit>/<path>`, secretlint runs
 * over them, and the folder is removed.
 */
async function scanCommitRange(request: SecretsGateRequest, since: string | undefined, config: string, allowlist: readonly SecretsAllowlistEntry[]): Promise<[GateResult, { commits: number; versions: number }]> {
  const range = await commitRangeFileVersions(request.cwd, since);
  const size = { commits: range.commits, versions: range.versions.length };
  if (range.versions.length === 0) return [{ tool: 'secrets', verdict: 'pass', ran: true, findings: [], summary: 'passed: nothing to scan' }, size];
  const folder = await mkdtemp(join(tmpdir(), 'kiro-secrets-range-'));
  try {
    await writeFileVersions(request.cwd, range.versions, folder);
    const scanned = range.versions.map(versionFileName);
    const run = await runSecretlint({ root: folder, files: scanned, config, ...(request.toolPath === undefined ? {} : { toolPath: request.toolPath }) });
    if (run.kind === 'failed') return [unreadableReport('secrets', run.problem), size];
    return [decideSecrets(reportOfFileVersions(parseSecretlintOutput(run.text, folder)), { scanned: range.versions.map((version) => version.path), allowlist, today: request.today }), size];
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}
