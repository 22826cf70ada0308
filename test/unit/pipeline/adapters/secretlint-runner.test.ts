import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { installedSecretlint, runSecretlint } from '../../../../src/pipeline/adapters/tools/secretlint-runner.js';

/** secretlint stand-ins (test/fixtures/secrets/fake-secretlint) for the outcomes the real one gives only when broken. */
const fake = (name: string): string => fileURLToPath(new URL(`../../../fixtures/secrets/fake-secretlint/${name}.mjs`, import.meta.url));
const options = { root: '/nowhere', files: ['a.txt'], config: '/nowhere/.secretlintrc.json' };

describe('runSecretlint: every run that gives no report is a failed scan, never an empty one', () => {
  it('finds the installed secretlint module', () => {
    expect(installedSecretlint()).toMatch(/node_modules\/secretlint\/module\/index\.js$/);
  });

  it('a status other than 0 (nothing found) or 1 (findings) is a failed scan, with secretlint\'s first lines', async () => {
    expect(await runSecretlint({ ...options, toolPath: fake('fatal') })).toEqual({ kind: 'failed', problem: 'secretlint ended with status 2: fatal: the engine could not start second line' });
  });

  it('status 0 without a report is a failed scan', async () => {
    expect(await runSecretlint({ ...options, toolPath: fake('no-report') })).toEqual({ kind: 'failed', problem: 'secretlint returned no report' });
  });
});
