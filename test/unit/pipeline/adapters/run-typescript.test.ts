import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runTypeScript } from '../../../../src/pipeline/adapters/tools/run-typescript.js';

const empty = mkdtempSync(join(tmpdir(), 'kiro-run-typescript-'));
afterAll(() => {
  rmSync(empty, { recursive: true, force: true });
});

describe('runTypeScript', () => {
  it('without tsx in the repository\'s node_modules: the user\'s mistake, with the fix (as the missing tsx command was), and nothing started', async () => {
    await expect(runTypeScript('infrastructure/bin/synth.ts', [], { cwd: empty })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      fault: 'user',
      message: expect.stringContaining('Run "npm ci" first.'),
    });
  });
});
