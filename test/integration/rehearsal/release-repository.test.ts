/**
 * The rehearsal's scratch repository on real git: what each commit holds, and that a commit's
 * template and details, which never change, are read from git once however often the rehearsal asks
 * (change detection and the local `cdk diff` ask for the same few commits again and again).
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ReleaseRepository } from '../../../src/rehearsal/release-repository.js';

const now = (): Date => new Date('2026-12-07T09:00:00Z');

describe('ReleaseRepository', () => {
  let repository: ReleaseRepository | undefined;
  let shim: string;
  let originalPath: string | undefined;

  beforeEach(() => {
    // A git first on PATH that logs each of its runs, then runs the real one.
    shim = mkdtempSync(join(tmpdir(), 'kiro-counting-git-'));
    const realGit = execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim();
    writeFileSync(join(shim, 'git'), `#!/bin/sh\necho "$1" >> '${join(shim, 'runs.log')}'\nexec '${realGit}' "$@"\n`);
    chmodSync(join(shim, 'git'), 0o755);
    originalPath = process.env.PATH;
    process.env.PATH = `${shim}${delimiter}${originalPath ?? ''}`;
  });

  afterEach(() => {
    process.env.PATH = originalPath;
    repository?.remove();
    repository = undefined;
    rmSync(shim, { recursive: true, force: true });
  });

  const runs = (): string[] => readFileSync(join(shim, 'runs.log'), 'utf8').trim().split('\n');

  it('builds each infrastructure change on the template the branch head holds', () => {
    const created = ReleaseRepository.create({ Resources: { Table: { Type: 'AWS::DynamoDB::Table' } } }, now);
    repository = created.repository;
    const first = repository.commit('infrastructure-and-application', 'first change');
    const unchanged = repository.commit('application-only', 'application only');
    const second = repository.commit('infrastructure-and-application', 'second change');
    expect(JSON.parse(repository.templateAt(first.id))).toEqual({ Resources: { Table: { Type: 'AWS::DynamoDB::Table' } }, Metadata: { 'kiro:release': 1 } });
    expect(repository.templateAt(unchanged.id)).toBe(repository.templateAt(first.id));
    expect(JSON.parse(repository.templateAt(second.id))).toEqual({ Resources: { Table: { Type: 'AWS::DynamoDB::Table' } }, Metadata: { 'kiro:release': 3 } });
    expect(repository.head()).toBe(second.id);
  });

  it('reads a commit\'s template and details from git once, and a moving name such as HEAD every time', () => {
    const created = ReleaseRepository.create({ Resources: {} }, now);
    repository = created.repository;
    const release = repository.commit('infrastructure-and-application', 'a release');
    rmSync(join(shim, 'runs.log'));
    for (let asked = 0; asked < 3; asked += 1) {
      expect(JSON.parse(repository.templateAt(release.id))).toEqual({ Resources: {}, Metadata: { 'kiro:release': 1 } });
      expect(repository.describe(release.id)).toEqual(release);
      expect(repository.describe(created.initial.id).message).toBe('Initial release of the worker');
    }
    expect(runs()).toEqual(['show', 'log', 'log']);
    expect(repository.describe().id).toBe(release.id);
    expect(repository.describe().id).toBe(release.id);
    expect(runs()).toEqual(['show', 'log', 'log', 'log', 'log']);
  });
});
