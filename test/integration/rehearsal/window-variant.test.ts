/**
 * The closed-window variant's synthesis is a child process that npm start begins beside its main
 * synthesis; when that main synthesis fails, npm start aborts it, and the child must then really stop
 * (tsx passes the signal on to the node process it runs) instead of burning a core for ~17 s more.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { synthesizeClosedWindowDeclaration } from '../../../src/rehearsal/scenarios/window-variant.js';

/** Process ids whose command line contains `marker` (Linux /proc). */
function processesWith(marker: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(marker);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('synthesizeClosedWindowDeclaration', () => {
  it('stops its child process when aborted, and rejects with AbortError', async () => {
    // A closing time no other run uses, to find this run's processes by their command line.
    const closedFrom = new Date(Date.UTC(2031, 0, 2, 3, 4, 5, Math.floor(Math.random() * 1000)));
    const marker = closedFrom.toISOString();
    const abort = new AbortController();
    const synthesis = synthesizeClosedWindowDeclaration(closedFrom, { region: 'us-east-1', account: '123456789012' }, abort.signal);
    for (let turn = 0; turn < 100 && processesWith(marker).length === 0; turn += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(processesWith(marker).length).toBeGreaterThan(0);
    abort.abort();
    await expect(synthesis).rejects.toMatchObject({ name: 'AbortError' });
    for (let turn = 0; turn < 100 && processesWith(marker).length > 0; turn += 1) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(processesWith(marker)).toEqual([]);
  });
});
