import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { waitedChildrenCpuSeconds } from '../../support/file-cpu.js';

/** A /proc/<pid>/stat line (proc(5)) with utime 500, stime 60, cutime `cutime`, cstime `cstime` ticks. */
function statLine(comm: string, cutime: number, cstime: number): string {
  return `4242 (${comm}) S 1 4242 4242 0 -1 4194560 9000 300 0 0 500 60 ${String(cutime)} ${String(cstime)} 20 0 11 0 12345 1000000 5000 18446744073709551615`;
}

describe('waitedChildrenCpuSeconds: the waited-for children\'s CPU from /proc/<pid>/stat', () => {
  it.each([
    { why: 'a plain command name', comm: 'node', cutime: 250, cstime: 50, seconds: 3 },
    { why: 'a name with spaces, which splitting the whole line would shift', comm: 'node (vitest 1)', cutime: 120, cstime: 30, seconds: 1.5 },
    { why: 'a name ending in ")", so the name ends at the last one', comm: 'a) b)', cutime: 7, cstime: 3, seconds: 0.1 },
    { why: 'no children yet', comm: 'node', cutime: 0, cstime: 0, seconds: 0 },
  ])('$why', ({ comm, cutime, cstime, seconds }) => {
    expect(waitedChildrenCpuSeconds(statLine(comm, cutime, cstime))).toBeCloseTo(seconds, 5);
  });

  it('refuses a line that is not a stat line, rather than reporting nothing', () => {
    expect(() => waitedChildrenCpuSeconds('not a stat line')).toThrow(/not a \/proc\/<pid>\/stat line/);
  });

  it.runIf(process.platform === 'linux')('counts the CPU of a child process once it has been waited for', () => {
    const before = waitedChildrenCpuSeconds(readFileSync('/proc/self/stat', 'utf8'));
    // Half a second of CPU in the child (user and system); spawnSync waits for it. It reads its CPU
    // between plain loops: read on every turn (a getrusage system call each) until half a second of
    // user time, it had spent 2.7-2.9 s more in the kernel on a loaded machine.
    const child = spawnSync(process.execPath, ['-e', 'for (;;) { for (let i = 0; i < 1e5; i += 1); const { user, system } = process.cpuUsage(); if (user + system >= 500000) break; }']);
    expect(child.status).toBe(0);
    expect(waitedChildrenCpuSeconds(readFileSync('/proc/self/stat', 'utf8')) - before).toBeGreaterThanOrEqual(0.4);
  });
});
