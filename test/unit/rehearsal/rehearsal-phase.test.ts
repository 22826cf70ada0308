/**
 * The rehearsal as npm start prepares it beside synthesis (issue 17, item 2): the emulator and the
 * closed-window variant start at once; whichever way the phase ends (run to its end, failed to run,
 * cancelled because synthesis failed), no emulator and no variant synthesis is left running.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { RecordingOutput } from '../../../src/cli/output.js';
import type { PipelineDeclaration } from '../../../src/local/codepipeline/declaration.js';
import { MotoServerUnavailableError, type MotoServer } from '../../../src/local/moto-server.js';
import { loadRehearsalConfig, REHEARSAL_TIME_FACTOR } from '../../../src/rehearsal/rehearsal-config.js';
import { prepareRehearsal, type RehearsalPreparation } from '../../../src/rehearsal/rehearsal-phase.js';
import { EMULATOR_ACCOUNT, REHEARSAL_REAL_BUDGET_MS, rehearsalClockStart } from '../../../src/rehearsal/run-rehearsal.js';

/** An emulator that counts how often it was started and stopped; it serves nothing. */
function fakeEmulator(): { start: () => Promise<MotoServer>; readonly starts: number; readonly stops: number } {
  let starts = 0;
  let stops = 0;
  return {
    start: () => {
      starts += 1;
      return Promise.resolve({ endpoint: 'http://127.0.0.1:9', reset: () => Promise.resolve(), stop: () => Promise.resolve(void (stops += 1)) });
    },
    get starts() {
      return starts;
    },
    get stops() {
      return stops;
    },
  };
}

/** A variant synthesis that records what it was asked and waits until it is aborted. */
function fakeVariant(): { synthesize: NonNullable<RehearsalPreparation['synthesizeVariant']>; calls: { closedFrom: Date; where: { region: string; account: string }; signal: AbortSignal }[] } {
  const calls: { closedFrom: Date; where: { region: string; account: string }; signal: AbortSignal }[] = [];
  return {
    calls,
    synthesize: (closedFrom, where, signal) => {
      calls.push({ closedFrom, where: { ...where }, signal });
      return new Promise<PipelineDeclaration>((_, reject) => {
        signal.addEventListener('abort', () => {
          reject(new Error('aborted'));
        });
      });
    },
  };
}

/** Waits until the variant's synthesis has been asked for (it starts after the configuration has loaded). */
async function untilCalled(calls: readonly unknown[]): Promise<void> {
  for (let turn = 0; turn < 200 && calls.length === 0; turn += 1) await new Promise((resolve) => setTimeout(resolve, 5));
}

const clockStart = new Date('2026-12-07T05:10:00Z');

describe('prepareRehearsal', () => {
  it('starts the emulator at once, before anything is run', () => {
    const emulator = fakeEmulator();
    prepareRehearsal(['--scenario', 'clean-release'], { cwd: '/nonexistent-kiro-checkout', clockStart, startEmulator: emulator.start, synthesizeVariant: fakeVariant().synthesize });
    expect(emulator.starts).toBe(1);
  });

  it('starts the closed-window variant at once, closed from the rehearsal clock\'s start, in the rehearsal\'s region and the emulator\'s account', async () => {
    const variant = fakeVariant();
    const prepared = prepareRehearsal([], { cwd: '/nonexistent-kiro-checkout', clockStart, startEmulator: fakeEmulator().start, synthesizeVariant: variant.synthesize });
    await untilCalled(variant.calls);
    const config = await loadRehearsalConfig();
    expect(variant.calls).toEqual([{ closedFrom: clockStart, where: { region: config.pipeline.region, account: EMULATOR_ACCOUNT }, signal: expect.any(AbortSignal) as AbortSignal }]);
    await prepared.cancel();
  });

  it('does not synthesize the variant when no chosen scenario needs it', async () => {
    const variant = fakeVariant();
    const prepared = prepareRehearsal(['--scenario', 'clean-release'], { cwd: '/nonexistent-kiro-checkout', clockStart, startEmulator: fakeEmulator().start, synthesizeVariant: variant.synthesize });
    await prepared.cancel();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(variant.calls).toEqual([]);
  });

  it('cancel (synthesis failed) stops the emulator and the variant\'s synthesis', async () => {
    const emulator = fakeEmulator();
    const variant = fakeVariant();
    const prepared = prepareRehearsal(['--scenario', 'closed-deployment-window'], { cwd: '/nonexistent-kiro-checkout', clockStart, startEmulator: emulator.start, synthesizeVariant: variant.synthesize });
    await untilCalled(variant.calls);
    await prepared.cancel();
    expect(emulator.stops).toBe(1);
    expect(variant.calls[0]?.signal.aborted).toBe(true);
  });

  it('a rehearsal that cannot run (no cloud assembly) reports it, exits 2, and stops the emulator once and the variant', async () => {
    const emulator = fakeEmulator();
    const variant = fakeVariant();
    const out = new RecordingOutput();
    const prepared = prepareRehearsal(['--scenario', 'closed-deployment-window'], { cwd: '/nonexistent-kiro-checkout', clockStart, startEmulator: emulator.start, synthesizeVariant: variant.synthesize });
    await untilCalled(variant.calls);
    expect(await prepared.run({ out, phases: [] })).toBe(2);
    expect(out.stderr).toMatch(/^rehearsal: No cloud assembly in .*Run "npm run synth" first/);
    expect(emulator.stops).toBe(1);
    expect(variant.calls[0]?.signal.aborted).toBe(true);
  });

  it('an emulator that did not start leaves no unhandled rejection: run reports the first problem, cancel resolves', async () => {
    const out = new RecordingOutput();
    const failing = (): Promise<MotoServer> => Promise.reject(new MotoServerUnavailableError('moto_server exited with code 1 before it was ready.'));
    const prepared = prepareRehearsal(['--scenario', 'clean-release'], { cwd: '/nonexistent-kiro-checkout', clockStart, startEmulator: failing });
    // The assembly is looked for before the emulator is awaited: a missing one is the first problem named.
    expect(await prepared.run({ out, phases: [] })).toBe(2);
    await expect(prepareRehearsal([], { cwd: '/', clockStart, startEmulator: failing, synthesizeVariant: fakeVariant().synthesize }).cancel()).resolves.toBeUndefined();
  });

  it('aborted while it runs (synthesis failed after the templates were written): stops the emulator and the variant, ends failed, says why', async () => {
    // A cloud assembly with no stacks: enough for the rehearsal to get past reading it to the emulator.
    const cwd = mkdtempSync(join(tmpdir(), 'kiro-rehearsal-abort-'));
    mkdirSync(join(cwd, 'cdk.out'));
    writeFileSync(join(cwd, 'cdk.out', 'manifest.json'), JSON.stringify({ version: '41.0.0', artifacts: {} }));
    try {
      const emulator = fakeEmulator();
      const variant = fakeVariant();
      // The emulator answers only after the abort: the rehearsal must not go on to build its world on it.
      let ready: () => void = () => undefined;
      const slowStart = (): Promise<MotoServer> => new Promise<void>((resolve) => (ready = resolve)).then(emulator.start);
      const abort = new AbortController();
      const out = new RecordingOutput();
      const prepared = prepareRehearsal(['--scenario', 'closed-deployment-window'], { cwd, clockStart, startEmulator: slowStart, synthesizeVariant: variant.synthesize });
      await untilCalled(variant.calls);
      const running = prepared.run({ out, phases: [], signal: abort.signal });
      abort.abort(new Error('synthesis failed'));
      // Stopped on the abort itself, not when the rehearsal next looks.
      expect(variant.calls[0]?.signal.aborted).toBe(true);
      ready();
      expect(await running).toBe(1);
      expect(out.stderr).toBe('rehearsal: aborted, because synthesis failed after the templates were written.');
      expect(out.stdout).not.toContain('one endpoint at');
      expect(emulator.stops).toBe(1);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('arguments that do not parse start nothing, and run reports them with exit 2', async () => {
    const emulator = fakeEmulator();
    const out = new RecordingOutput();
    const prepared = prepareRehearsal(['--scenario', 'chaos'], { cwd: '/', clockStart, startEmulator: emulator.start });
    expect(await prepared.run({ out, phases: [] })).toBe(2);
    expect(emulator.starts).toBe(0);
    expect(out.stderr).toContain('rehearsal: Unknown scenario "chaos"');
  });
});

describe('rehearsalClockStart', () => {
  it('puts the whole real-time budget of rehearsal time before the moment npm start began', () => {
    const started = Date.parse('2026-12-07T15:10:56Z');
    expect(started - rehearsalClockStart(started).getTime()).toBe(REHEARSAL_TIME_FACTOR * REHEARSAL_REAL_BUDGET_MS);
  });
});
