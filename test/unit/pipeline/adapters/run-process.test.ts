/**
 * runProcess's `onStdout` (issue 17, item 2): `npm start` reads synthesis's standard output while it
 * runs, to start the rehearsal on the line that says the templates are written, long before the
 * process ends. Real child processes (node itself), no mocked spawn.
 */
import { describe, expect, it } from 'vitest';
import { runProcess } from '../../../../src/pipeline/adapters/tools/run-process.js';

/** Runs `script` with this Node, recording each piece of output with the time it came. */
async function watch(script: string): Promise<{ pieces: { text: string; at: number }[]; endedAt: number; stdout: string }> {
  const pieces: { text: string; at: number }[] = [];
  const result = await runProcess(process.execPath, ['-e', script], { cwd: process.cwd(), installHint: '', onStdout: (text) => pieces.push({ text, at: Date.now() }) });
  return { pieces, endedAt: Date.now(), stdout: result.stdout };
}

describe('runProcess onStdout', () => {
  it('hands over what the tool printed while it still runs, and still collects all of it', async () => {
    const { pieces, endedAt, stdout } = await watch(`process.stdout.write('first\\n'); setTimeout(() => process.stdout.write('second\\n'), 400);`);
    expect(pieces.map((piece) => piece.text).join('')).toBe('first\nsecond\n');
    expect(stdout).toBe('first\nsecond\n');
    const first = pieces.find((piece) => piece.text.includes('first'));
    // The first line came while the tool was still waiting to print the second.
    expect(endedAt - (first?.at ?? endedAt)).toBeGreaterThanOrEqual(300);
  });

  it('never splits a character that the pipe delivered in two pieces', async () => {
    // '€' is three bytes in UTF-8: the tool writes the first two, waits, then the third.
    const { pieces } = await watch(`const euro = Buffer.from('€'); process.stdout.write(euro.subarray(0, 2)); setTimeout(() => process.stdout.write(euro.subarray(2)), 200);`);
    expect(pieces.map((piece) => piece.text).join('')).toBe('€');
    expect(pieces.every((piece) => !piece.text.includes('\uFFFD'))).toBe(true);
  });
});
