import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * scripts/ensure-tools.sh decides whether moto is installed without importing it (the present case is
 * paid by every `npm test`). Run with a python3 that finds moto and one that does not (the same
 * interpreter started with -S, which leaves site-packages out), and a cfn-lint stand-in.
 */
const SCRIPT = join(import.meta.dirname, '..', '..', '..', 'scripts', 'ensure-tools.sh');
const REAL_PYTHON = spawnSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).stdout.trim();
const HAS_MOTO = spawnSync(REAL_PYTHON, ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0;

describe.skipIf(REAL_PYTHON === '' || !HAS_MOTO)('ensure-tools with the tools present or moto missing', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'kiro-ensure-tools-'));
    const stub = (folder: string, name: string, body: string) => {
      mkdirSync(join(directory, folder), { recursive: true });
      writeFileSync(join(directory, folder, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(directory, folder, name), 0o755);
    };
    stub('present', 'python3', `exec "${REAL_PYTHON}" "$@"`);
    stub('present', 'cfn-lint', 'exit 0');
    // Without site-packages: moto cannot be found, nor pip, so the install fails as it would offline.
    stub('missing', 'python3', `exec "${REAL_PYTHON}" -S "$@"`);
    stub('missing', 'cfn-lint', 'exit 0');
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  const run = (folder: string) => spawnSync('bash', [SCRIPT], { env: { PATH: `${join(directory, folder)}:/usr/bin:/bin` }, encoding: 'utf8' });

  it('passes quietly when cfn-lint and moto are installed', () => {
    const result = run('present');
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('sees moto missing, tries to install the pinned version and fails with what to do', () => {
    const result = run('missing');
    expect(result.stderr).toContain('ensure-tools: missing moto[server]==');
    expect(result.stderr).toContain('python3 -m pip install -r tools/python-requirements.txt');
    expect(result.status).toBe(1);
  });
});
