import { describe, expect, it } from 'vitest';
import { ShellCommandRunner } from '../../../src/worker/adapters/shell-command-runner.js';

describe('ShellCommandRunner (real /bin/sh)', () => {
  const runner = new ShellCommandRunner({ PATH: process.env.PATH, BASE: 'base' }, process.cwd());

  it('passes the work item environment over the base environment and reports the exit code', async () => {
    expect(await runner.run('test "$KIRO_WORK_ITEM_ID" = wi-1 && test "$BASE" = base', { KIRO_WORK_ITEM_ID: 'wi-1' })).toEqual({ exitCode: 0, signal: null });
    expect(await runner.run('exit 4', {})).toEqual({ exitCode: 4, signal: null });
  });

  it('reports a signal when the command is killed', async () => {
    expect(await runner.run('kill -TERM $$', {})).toEqual({ exitCode: null, signal: 'SIGTERM' });
  });

  it('rejects when the working directory does not exist', async () => {
    await expect(new ShellCommandRunner({}, '/nonexistent-dir-h1').run('true', {})).rejects.toThrow(/ENOENT/);
  });
});

describe('ShellCommandRunner deadline (issue 13, item 4: a customer command that hangs)', () => {
  const deadline = { afterMs: 300, graceMs: 300 };
  const runner = new ShellCommandRunner({ PATH: process.env.PATH }, process.cwd(), deadline);

  it('stops a hanging command at its deadline and says so', async () => {
    const started = performance.now();
    expect(await runner.run('sleep 30', {})).toEqual({ exitCode: null, signal: 'SIGTERM', timedOut: true });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('kills a command that ignores SIGTERM once the grace period is over, with everything it started', async () => {
    const started = performance.now();
    const result = await runner.run("trap '' TERM; sleep 30 & sleep 30 & wait", {});
    expect(result).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it('leaves a command that finishes in time alone', async () => {
    expect(await runner.run('exit 3', {})).toEqual({ exitCode: 3, signal: null });
  });
});
