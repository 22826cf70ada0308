/**
 * What `npm start` says about its own cost: the emulator's calls and busy time per rehearsal step
 * (counted from the endpoint's load reports), and the last line with the whole time and peak memory.
 */
import { describe, expect, it } from 'vitest';
import { formatMainJobCost } from '../../../src/rehearsal/rehearsal-phase.js';
import { EmulatorLoad } from '../../../src/rehearsal/world/rehearsal-world.js';

describe('EmulatorLoad', () => {
  it('counts each call once and the time at least one call waited, overlapping calls counted once', () => {
    let now = 0;
    const load = new EmulatorLoad(() => now);
    load.report(1); // a call starts at 0
    now = 10;
    load.report(2); // a second overlaps it
    now = 30;
    load.report(1);
    now = 40;
    load.report(0); // idle from 40
    now = 100;
    load.report(1); // a third call 100..105
    now = 105;
    load.report(0);
    expect(load.calls).toBe(3);
    expect(load.busy()).toBe(45);
  });

  it('includes a call still waiting in the busy time', () => {
    let now = 0;
    const load = new EmulatorLoad(() => now);
    load.report(1);
    now = 7;
    expect(load.busy()).toBe(7);
    expect(load.calls).toBe(1);
  });
});

describe('formatMainJobCost', () => {
  it('names the whole time and the peak memory of the process tree', () => {
    expect(formatMainJobCost(58_432, 812.6)).toBe('\nnpm start: 58.4 s in all, peak resident memory 813 MiB (the process tree: synthesis, gates, emulator, rehearsal).');
  });

  it('says the memory was not measured rather than printing a number it does not have', () => {
    expect(formatMainJobCost(1000, undefined)).toContain('peak memory not measured');
  });
});
