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
