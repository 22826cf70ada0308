import { describe, expect, it } from 'vitest';
import { DEFAULT_IMPLEMENTATION_COMMAND, implementationBuildspec, refusingBuildspec } from '../../../../src/worker/domain/implementation-buildspec.js';

describe('implementation buildspecs', () => {
  it('runs the command as the build phase, on the pinned Node.js version', () => {
    expect(JSON.parse(implementationBuildspec(DEFAULT_IMPLEMENTATION_COMMAND, '22'))).toEqual({
      version: '0.2',
      phases: { install: { 'runtime-versions': { nodejs: '22' } }, build: { commands: [DEFAULT_IMPLEMENTATION_COMMAND] } },
    });
  });

  it('keeps a command with quotes and newlines intact (JSON, which CodeBuild reads as YAML)', () => {
    const command = 'echo "a: b" && printf \'%s\\n\' x\nnpm test';
    expect((JSON.parse(implementationBuildspec(command, '22')) as { phases: { build: { commands: string[] } } }).phases.build.commands).toEqual([command]);
  });

  it('refuses an empty command, naming the fix', () => {
    expect(() => implementationBuildspec('  ', '22')).toThrow(/implementation command is empty: give the application stack an implementationCommand/);
  });

  it('the project\'s own buildspec fails a build started without the poller', () => {
    const commands = (JSON.parse(refusingBuildspec('22')) as { phases: { build: { commands: string[] } } }).phases.build.commands;
    expect(commands.at(-1)).toBe('exit 1');
  });
});
