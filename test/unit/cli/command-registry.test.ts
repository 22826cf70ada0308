import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ExitCode, type Command, type LazyCommand } from '../../../src/cli/command.js';
import { commands } from '../../../src/cli/commands/index.js';
import { RecordingOutput } from '../../../src/cli/output.js';
import { runCli } from '../../../src/cli/run-cli.js';

const COMMANDS_DIR = fileURLToPath(new URL('../../../src/cli/commands/', import.meta.url));

function isCommand(value: unknown): value is Command {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Command>;
  return typeof candidate.name === 'string' && typeof candidate.summary === 'string' && typeof candidate.run === 'function';
}

/** A lazy command that counts its loads and runs, for checking what runCli loads. */
function countingCommand(name: string): { entry: LazyCommand; loads: () => number; runs: () => number } {
  let loads = 0;
  let runs = 0;
  const command: Command = {
    name,
    summary: `the ${name} command`,
    help: `Usage: ${name}`,
    options: { flag: { type: 'string' } },
    run: () => {
      runs += 1;
      return Promise.resolve(ExitCode.Ok);
    },
  };
  return {
    entry: {
      name,
      summary: command.summary,
      load: () => {
        loads += 1;
        return Promise.resolve(command);
      },
    },
    loads: () => loads,
    runs: () => runs,
  };
}

const context = (out: RecordingOutput) => ({ out, env: {}, cwd: process.cwd() });

describe('the kiro-cd command registry', () => {
  it('each entry loads the command of its name, whose summary is the one the command list prints', async () => {
    for (const entry of commands) {
      const command = await entry.load();
      expect({ name: command.name, summary: command.summary }).toEqual({ name: entry.name, summary: entry.summary });
    }
  });

  it('lists every command that a module of src/cli/commands exports, each once', async () => {
    const exported = new Set<string>();
    for (const file of readdirSync(COMMANDS_DIR).filter((name) => name.endsWith('.ts') && name !== 'index.ts')) {
      const module = (await import(`${COMMANDS_DIR}${file}`)) as Record<string, unknown>;
      for (const value of Object.values(module)) if (isCommand(value)) exported.add(value.name);
    }
    const names = commands.map((entry) => entry.name);
    expect(new Set(names).size).toBe(names.length);
    expect([...exported].sort()).toEqual([...names].sort());
  });
});

describe('runCli with lazily loaded commands', () => {
  it('loads only the command it runs, and passes it the parsed options', async () => {
    const first = countingCommand('first');
    const second = countingCommand('second');
    const out = new RecordingOutput();
    expect(await runCli([first.entry, second.entry], ['second', '--flag', 'x'], context(out))).toBe(ExitCode.Ok);
    expect({ firstLoads: first.loads(), secondLoads: second.loads(), secondRuns: second.runs() }).toEqual({ firstLoads: 0, secondLoads: 1, secondRuns: 1 });
  });

  it('lists every command with its summary for --help, and suggests the nearest for a misspelt one, loading none', async () => {
    const first = countingCommand('first');
    const second = countingCommand('second');
    const help = new RecordingOutput();
    expect(await runCli([first.entry, second.entry], ['--help'], context(help))).toBe(ExitCode.Ok);
    expect(help.stdout).toMatch(/first\s+the first command/);
    expect(help.stdout).toMatch(/second\s+the second command/);
    const misspelt = new RecordingOutput();
    expect(await runCli([first.entry, second.entry], ['secnd'], context(misspelt))).toBe(ExitCode.Usage);
    expect(misspelt.stderr).toContain('did you mean "second"?');
    expect(first.loads() + second.loads()).toBe(0);
  });

  it('prints the help of the loaded command for <command> --help', async () => {
    const only = countingCommand('only');
    const out = new RecordingOutput();
    expect(await runCli([only.entry], ['only', '--help'], context(out))).toBe(ExitCode.Ok);
    expect(out.stdout).toBe('Usage: only');
    expect(only.runs()).toBe(0);
  });

  it('reports a module that cannot be loaded, or that gives another command, as a defect (exit 4)', async () => {
    const broken: LazyCommand = { name: 'broken', summary: 'cannot load', load: () => Promise.reject(new Error('Cannot find module ./broken.js')) };
    const other = countingCommand('other');
    const misnamed: LazyCommand = { name: 'misnamed', summary: 'loads another', load: other.entry.load };
    const brokenOut = new RecordingOutput();
    expect(await runCli([broken], ['broken'], context(brokenOut))).toBe(ExitCode.Internal);
    expect(brokenOut.stderr).toBe('kiro-cd broken: could not load the command: Cannot find module ./broken.js');
    const misnamedOut = new RecordingOutput();
    expect(await runCli([misnamed], ['misnamed'], context(misnamedOut))).toBe(ExitCode.Internal);
    expect(misnamedOut.stderr).toContain('the registry entry "misnamed" loaded the command "other"');
    expect(other.runs()).toBe(0);
  });
});
