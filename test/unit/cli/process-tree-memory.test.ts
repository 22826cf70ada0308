import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sampleTreeMemory, treeRssKiB } from '../../../src/cli/process-tree-memory.js';

describe.runIf(process.platform === 'linux')('process tree memory (the peak npm start and npm run bench print)', () => {
  it('counts a child process in its parent\'s tree', async () => {
    // A child holding ~64 MiB: the tree's resident memory grows by at least most of it.
    const child = spawn(process.execPath, ['-e', 'const b = Buffer.alloc(64 * 1024 * 1024, 1); process.stdout.write("ready"); setInterval(() => b[0]++, 1000);']);
    try {
      await once(child.stdout, 'data');
      const own = treeRssKiB(child.pid ?? -1);
      expect(own).toBeGreaterThan(48 * 1024);
      expect(treeRssKiB(process.pid)).toBeGreaterThanOrEqual(own);
    } finally {
      child.kill();
    }
  });

  it('gives no memory for a process that does not exist', () => {
    expect(treeRssKiB(2 ** 30)).toBe(0);
  });

  it('reports the peak in MiB when stopped', () => {
    const peak = sampleTreeMemory(process.pid).stop();
    expect(peak).toBeGreaterThan(10);
    expect(peak).toBeLessThan(64 * 1024);
  });
});
