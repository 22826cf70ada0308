import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGatesOnWorker } from '../../../src/cli/gates-worker.js';
import { RecordingOutput } from '../../../src/cli/output.js';

/**
 * npm start runs the gates on a worker thread, so their synchronous work never stalls the rehearsal's
 * 120x clock on the main thread (docs/main-job-phases.md). The thread runs the real gates phase; a
 * directory with no cloud assembly makes it end at once, which is enough to prove the round trip:
 * its lines come back on their streams and its exit code is the phase's.
 */
describe('runGatesOnWorker', () => {
  const directory = mkdtempSync(join(tmpdir(), 'kiro-gates-worker-'));
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it('runs the gates phase on its own thread and hands back its exit code and lines', async () => {
    const out = new RecordingOutput();
    const code = await runGatesOnWorker(directory, out);
    // The gates phase's own mapping: a missing assembly directory is an internal error (4), printed as the main job's.
    expect(out.stderr).toMatch(/^main job: ENOENT: no such file or directory, scandir '.*kiro-gates-worker-.*\/cdk\.out'$/);
    expect(code).toBe(4);
    expect(out.stdout).toBe('');
  }, 60_000);
});
