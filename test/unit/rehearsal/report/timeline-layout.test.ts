import { describe, expect, it } from 'vitest';
import { formatOffset, layoutTimeline, MIN_BAR_WIDTH, packRows, tickStep } from '../../../../src/rehearsal/report/timeline-layout.js';
import type { ScenarioTimeline } from '../../../../src/rehearsal/report/scenario-timeline.js';
import { at, CLEAN_RELEASE, FAILED_ROLLBACK } from '../../../support/scenario-timelines.js';

function scenario(overrides: Partial<ScenarioTimeline>): ScenarioTimeline {
  return { scenario: 's', description: 'd', passed: true, differences: [], startedAt: at(0), endedAt: at(100), lanes: [], marks: [], ...overrides };
}

describe('formatOffset', () => {
  it.each<[number, string, string]>([
    [0, '0 s', 'the origin'],
    [2.5, '2.5 s', 'sub-10-second values keep a decimal, bars that short matter in a one-minute bake'],
    [45, '45 s', 'under a minute in seconds'],
    [60, '1 min', 'whole minutes without seconds'],
    [90, '1 min 30 s', 'minutes and seconds'],
    [3900, '1 h 5 min', 'hours drop the seconds'],
    [7200, '2 h', 'whole hours'],
  ])('%s s reads "%s" (%s)', (seconds, text) => {
    expect(formatOffset(seconds)).toBe(text);
  });
});

describe('tickStep', () => {
  it.each<[number, number, string]>([
    [5, 1, 'a few seconds: every second'],
    [100, 15, 'a hundred seconds: no more than eight intervals'],
    [600, 120, 'ten minutes: every two minutes'],
    [86_400 * 20, 86_400 * 3, 'beyond the table: whole days'],
  ])('%s s of span ticks every %s s (%s)', (span, step) => {
    expect(tickStep(span)).toBe(step);
  });
});

describe('packRows', () => {
  it('puts overlapping intervals on separate rows and reuses a row once it is free', () => {
    expect(packRows([{ from: 0, to: 10 }, { from: 5, to: 15 }, { from: 12, to: 20 }, { from: 16, to: 18 }], 1)).toEqual([0, 1, 0, 1]);
  });

  it('keeps the gap between neighbours on a row', () => {
    expect(packRows([{ from: 0, to: 10 }, { from: 10.5, to: 12 }], 1)).toEqual([0, 1]);
  });
});

describe('layoutTimeline', () => {
  it('draws bars in time order left to right, those that start together (side-by-side actions) at one x, each inside the axis', () => {
    const geometry = layoutTimeline(CLEAN_RELEASE);
    const starts = geometry.bars.map((box) => ({ time: Date.parse(box.bar.startedAt), x: box.x })).sort((a, b) => a.time - b.time);
    for (let index = 1; index < starts.length; index += 1) {
      const [earlier, later] = [starts[index - 1], starts[index]];
      if (later?.time === earlier?.time) expect(later?.x).toBe(earlier?.x);
      else expect(later?.x).toBeGreaterThan(earlier?.x ?? Infinity);
    }
    for (const box of geometry.bars) {
      expect(box.x).toBeGreaterThanOrEqual(geometry.plotLeft);
      expect(box.x + box.width).toBeLessThanOrEqual(geometry.plotRight);
    }
    expect(geometry.lanes.map((lane) => lane.stage)).toEqual(CLEAN_RELEASE.lanes.map((lane) => lane.stage));
  });

  it('gives an instantaneous action the smallest visible width', () => {
    const geometry = layoutTimeline(scenario({ lanes: [{ stage: 'Build', bars: [{ action: 'Build', executionId: 'e', startedAt: at(10), endedAt: at(10), status: 'Failed' }] }] }));
    expect(geometry.bars[0]?.width).toBe(MIN_BAR_WIDTH);
  });

  it('draws an action still running at the end up to the end of the scenario', () => {
    const geometry = layoutTimeline(FAILED_ROLLBACK);
    const running = geometry.bars.find((box) => box.bar.status === 'InProgress');
    expect(running?.open).toBe(true);
    expect((running?.x ?? 0) + (running?.width ?? 0)).toBeCloseTo(geometry.plotRight, 5);
  });

  it('stacks overlapping actions of one lane on separate rows, making the lane taller', () => {
    const overlapping = layoutTimeline(scenario({
      lanes: [{ stage: 'Test-Application', bars: [
        { action: 'Deploy', executionId: 'a', startedAt: at(0), endedAt: at(50), status: 'Succeeded' },
        { action: 'Deploy', executionId: 'b', startedAt: at(20), endedAt: at(60), status: 'Succeeded' },
      ] }],
    }));
    const [first, second] = overlapping.bars;
    expect(second?.y).toBeGreaterThan((first?.y ?? 0) + (first?.height ?? 0));
    const single = layoutTimeline(scenario({ lanes: [{ stage: 'Test-Application', bars: [{ action: 'Deploy', executionId: 'a', startedAt: at(0), endedAt: at(50), status: 'Succeeded' }] }] }));
    expect(overlapping.lanes[0]?.height).toBeGreaterThan(single.lanes[0]?.height ?? Infinity);
  });

  it('numbers marks in time order and leads each to its lane, or across all lanes when it has none', () => {
    const geometry = layoutTimeline(scenario({
      lanes: [{ stage: 'A', bars: [] }, { stage: 'B', bars: [] }],
      marks: [
        { kind: 'rollback', at: at(50), stage: 'B', label: 'later' },
        { kind: 'commit', at: at(0), label: 'first' },
      ],
    }));
    expect(geometry.marks.map((point) => [point.number, point.mark.label])).toEqual([[1, 'first'], [2, 'later']]);
    const laneB = geometry.lanes[1];
    expect(geometry.marks[1]?.guideTo).toBe((laneB?.y ?? 0) + (laneB?.height ?? 0) / 2);
    expect(geometry.marks[0]?.guideTo).toBe(geometry.lanesBottom);
  });

  it('puts marks at the same instant on separate rows of the band, so neither hides the other', () => {
    const geometry = layoutTimeline(scenario({ marks: [{ kind: 'alarm', at: at(10), label: 'a' }, { kind: 'notice', at: at(10), label: 'b' }] }));
    expect(geometry.marks[0]?.y).not.toBe(geometry.marks[1]?.y);
    expect(geometry.lanesTop).toBeGreaterThan(Math.max(...geometry.marks.map((point) => point.y + point.radius)));
  });

  it('widens the axis to anything drawn outside the scenario, and labels ticks from its start', () => {
    const geometry = layoutTimeline(scenario({ marks: [{ kind: 'operator', at: at(160), label: 'late' }] }));
    expect(geometry.spanSeconds).toBe(160);
    expect(geometry.ticks.map((tick) => tick.label)).toEqual(['0 s', '30 s', '1 min', '1 min 30 s', '2 min', '2 min 30 s']);
    expect(geometry.marks[0]?.x).toBeCloseTo(geometry.plotRight, 5);
  });
});
