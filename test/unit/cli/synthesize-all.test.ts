/**
 * npm start's entry (src/cli/start.ts) starts synthesis before it loads the rest of the main job
 * (issue 17, item 2): `startSynthesis` holds the synthesis and its "templates written" moment until
 * runMainJob takes them over, whichever comes first. And a typo in the arguments still stops
 * `npm start` before anything runs.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SynthesisProgress } from '../../../src/cli/synthesize-all.js';
import { startSynthesis } from '../../../src/cli/synthesize-all.js';
import { start } from '../../../src/cli/start.js';

/** A synthesis run by hand: the test says when its templates are written and when it ends. */
function manualSynthesis(): { synthesize: (cwd: string, progress: SynthesisProgress) => Promise<void>; writeTemplates: () => void; end: () => void; calls: string[] } {
  const calls: string[] = [];
  let progress: SynthesisProgress | undefined;
  let end: () => void = () => undefined;
  return {
    calls,
    synthesize: (cwd, given) => {
      calls.push(cwd);
      progress = given;
      return new Promise<void>((resolve) => (end = resolve));
    },
    writeTemplates: () => progress?.onTemplatesWritten(),
    end: () => {
      end();
    },
  };
}

describe('startSynthesis', () => {
  it('starts synthesis at once, before it is handed over', () => {
    const manual = manualSynthesis();
    startSynthesis('/checkout', manual.synthesize);
    expect(manual.calls).toEqual(['/checkout']);
  });

  it.each([
    ['the templates were written before the main job had loaded: told at the hand-over', true],
    ['the templates are written after the hand-over: told when they are', false],
  ])('%s', async (_why, writtenFirst) => {
    const manual = manualSynthesis();
    const handOver = startSynthesis('/checkout', manual.synthesize);
    let told = 0;
    if (writtenFirst) manual.writeTemplates();
    const synthesis = handOver('/elsewhere', { onTemplatesWritten: () => (told += 1) });
    if (!writtenFirst) {
      expect(told).toBe(0);
      manual.writeTemplates();
    }
    expect(told).toBe(1);
    manual.end();
    await expect(synthesis).resolves.toBeUndefined();
    // The synthesis under way is handed over, not a second one started.
    expect(manual.calls).toEqual(['/checkout']);
  });

  it('a synthesis that fails before the hand-over is no unhandled rejection, and fails the hand-over', async () => {
    const handOver = startSynthesis('/checkout', () => Promise.reject(new Error('synthesis failed')));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(handOver('/checkout', { onTemplatesWritten: () => undefined })).rejects.toThrow('synthesis failed');
  });
});

describe('start (npm start)', () => {
  it('refuses arguments that do not parse with exit 2, before it clears or synthesizes anything', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'kiro-start-'));
    try {
      mkdirSync(join(cwd, 'cdk.out'));
      writeFileSync(join(cwd, 'cdk.out', 'manifest.json'), '{}');
      expect(await start(['--scenario', 'chaos'], cwd)).toBe(2);
      expect(existsSync(join(cwd, 'cdk.out', 'manifest.json'))).toBe(true);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
