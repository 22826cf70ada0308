/**
 * Lays one scenario's timeline out on a drawing: where each lane, bar, mark and axis tick goes, in
 * SVG user units. Pure geometry, kept apart from the markup so that the layout decisions (time scale,
 * packing of overlapping bars and marks, the smallest visible bar) are tested on numbers.
 */
import type { ActionBar, ScenarioTimeline, TimelineMark } from './scenario-timeline.js';

/** The drawing's fixed width; the page scales it down on narrow screens (viewBox). */
export const DRAWING_WIDTH = 1100;
/** Room for the lane names, left of the time axis. */
export const LABEL_WIDTH = 200;
/** A bar never gets narrower than this, so an instantaneous action is still visible. */
export const MIN_BAR_WIDTH = 4;
const PLOT_RIGHT_PADDING = 24;
const ROW = 18;
const BAR_HEIGHT = 12;
const LANE_PADDING = 8;
const MARK_RADIUS = 7;
const MAX_TICKS = 8;
/** Candidate tick spacings in seconds: "round" numbers a reader counts with. */
const TICK_STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400];

/** A lane's place: its row band. */
export interface LaneBox {
  readonly stage: string;
  readonly y: number;
  readonly height: number;
}

/** Where one action bar is drawn. */
export interface BarBox {
  readonly bar: ActionBar;
  readonly stage: string;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** True when the action was still running at the end (no `endedAt`): drawn to the end of the scenario. */
  readonly open: boolean;
  /** Free room right of the bar on its row, up to the next bar or the end of the axis (for a label outside a narrow bar). */
  readonly roomRight: number;
}

/** Where one mark is drawn: a numbered symbol in the band above the lanes, a guide line down to its lane. */
export interface MarkPoint {
  readonly mark: TimelineMark;
  /** 1-based, in time order; the list under the drawing uses the same numbers. */
  readonly number: number;
  readonly x: number;
  readonly y: number;
  readonly radius: number;
  /** Where the guide line ends: the middle of its lane, or the bottom of the lanes for a pipeline-wide mark. */
  readonly guideTo: number;
  /** Seconds since the axis's time 0. */
  readonly offsetSeconds: number;
}

/** One labelled tick of the time axis. */
export interface AxisTick {
  readonly x: number;
  readonly seconds: number;
  readonly label: string;
}

/** The whole drawing. */
export interface TimelineGeometry {
  readonly width: number;
  readonly height: number;
  readonly plotLeft: number;
  readonly plotRight: number;
  readonly lanesTop: number;
  readonly lanesBottom: number;
  readonly axisY: number;
  readonly lanes: readonly LaneBox[];
  readonly bars: readonly BarBox[];
  readonly marks: readonly MarkPoint[];
  readonly ticks: readonly AxisTick[];
  /** Time 0 of the axis (ISO-8601) and the span it covers, in seconds. */
  readonly origin: string;
  readonly spanSeconds: number;
}

/** Formats seconds since the start as a reader says it: `45 s`, `2 min`, `1 min 30 s`, `1 h 5 min`. */
export function formatOffset(seconds: number): string {
  const whole = Math.round(seconds);
  if (whole < 60) return `${Number.isInteger(seconds) || seconds >= 10 ? whole : seconds.toFixed(1)} s`;
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  if (hours > 0) return minutes === 0 ? `${hours} h` : `${hours} h ${minutes} min`;
  return rest === 0 ? `${minutes} min` : `${minutes} min ${rest} s`;
}

/** The smallest round tick spacing that keeps the axis at or under {@link MAX_TICKS} intervals. */
export function tickStep(spanSeconds: number): number {
  return TICK_STEPS.find((step) => spanSeconds / step <= MAX_TICKS) ?? Math.ceil(spanSeconds / MAX_TICKS / 86_400) * 86_400;
}

/**
 * Puts intervals on the fewest rows such that none overlap on a row: each goes on the first row whose
 * last interval ends before it starts (greedy in start order). Returns the row of each, in input order.
 */
export function packRows(intervals: readonly { readonly from: number; readonly to: number }[], gap: number): number[] {
  const rowEnds: number[] = [];
  const rows = new Array<number>(intervals.length).fill(0);
  const byStart = intervals.map((interval, index) => ({ ...interval, index })).sort((a, b) => a.from - b.from || a.index - b.index);
  for (const interval of byStart) {
    let row = rowEnds.findIndex((end) => end + gap <= interval.from);
    if (row < 0) {
      row = rowEnds.length;
      rowEnds.push(interval.to);
    } else {
      rowEnds[row] = interval.to;
    }
    rows[interval.index] = row;
  }
  return rows;
}

function timeOf(iso: string, fallback: number): number {
  const time = Date.parse(iso);
  return Number.isFinite(time) ? time : fallback;
}

/** Lays out one scenario. The axis spans the scenario and anything drawn outside it. */
export function layoutTimeline(timeline: ScenarioTimeline): TimelineGeometry {
  const scenarioStart = timeOf(timeline.startedAt, 0);
  const scenarioEnd = timeOf(timeline.endedAt, scenarioStart);
  const times = [
    scenarioStart,
    scenarioEnd,
    ...timeline.lanes.flatMap((lane) => lane.bars.flatMap((bar) => [timeOf(bar.startedAt, scenarioStart), timeOf(bar.endedAt ?? timeline.endedAt, scenarioEnd)])),
    ...timeline.marks.map((mark) => timeOf(mark.at, scenarioStart)),
  ];
  const start = Math.min(...times);
  const end = Math.max(...times, start + 1000);
  const plotLeft = LABEL_WIDTH;
  const plotRight = DRAWING_WIDTH - PLOT_RIGHT_PADDING;
  const scale = (time: number): number => plotLeft + ((time - start) / (end - start)) * (plotRight - plotLeft);

  const orderedMarks = timeline.marks
    .map((mark, index) => ({ mark, index, time: timeOf(mark.at, start) }))
    .sort((a, b) => a.time - b.time || a.index - b.index);
  const markRows = packRows(
    orderedMarks.map(({ time }) => ({ from: scale(time) - MARK_RADIUS, to: scale(time) + MARK_RADIUS })),
    2,
  );
  const markBandRows = Math.max(1, ...markRows.map((row) => row + 1));
  const lanesTop = markBandRows * ROW + LANE_PADDING;

  const lanes: LaneBox[] = [];
  const bars: BarBox[] = [];
  let y = lanesTop;
  for (const lane of timeline.lanes) {
    const spans = lane.bars.map((bar) => {
      const x = scale(timeOf(bar.startedAt, start));
      const width = Math.max(MIN_BAR_WIDTH, scale(timeOf(bar.endedAt ?? timeline.endedAt, end)) - x);
      return { bar, x, width };
    });
    const rows = packRows(spans.map((span) => ({ from: span.x, to: span.x + span.width })), 1);
    const height = Math.max(1, ...rows.map((row) => row + 1)) * ROW + LANE_PADDING;
    spans.forEach((span, index) => {
      const row = rows[index] ?? 0;
      const right = span.x + span.width;
      const next = Math.min(plotRight, ...spans.filter((other, otherIndex) => rows[otherIndex] === row && other.x >= right && otherIndex !== index).map((other) => other.x));
      bars.push({
        bar: span.bar,
        stage: lane.stage,
        x: span.x,
        y: y + LANE_PADDING / 2 + row * ROW + (ROW - BAR_HEIGHT) / 2,
        width: span.width,
        height: BAR_HEIGHT,
        open: span.bar.endedAt === undefined,
        roomRight: Math.max(0, next - right),
      });
    });
    lanes.push({ stage: lane.stage, y, height });
    y += height;
  }
  const lanesBottom = Math.max(y, lanesTop + ROW);

  const marks = orderedMarks.map(({ mark, time }, index): MarkPoint => {
    const lane = mark.stage === undefined ? undefined : lanes.find((candidate) => candidate.stage === mark.stage);
    return {
      mark,
      number: index + 1,
      x: scale(time),
      y: (markRows[index] ?? 0) * ROW + ROW / 2 + 2,
      radius: MARK_RADIUS,
      guideTo: lane === undefined ? lanesBottom : lane.y + lane.height / 2,
      offsetSeconds: (time - start) / 1000,
    };
  });

  const spanSeconds = (end - start) / 1000;
  const step = tickStep(spanSeconds);
  const ticks: AxisTick[] = [];
  for (let seconds = 0; seconds <= spanSeconds + 1e-9; seconds += step) {
    ticks.push({ x: scale(start + seconds * 1000), seconds, label: formatOffset(seconds) });
  }
  const axisY = lanesBottom + 4;
  return {
    width: DRAWING_WIDTH,
    height: axisY + 44,
    plotLeft,
    plotRight,
    lanesTop,
    lanesBottom,
    axisY,
    lanes,
    bars,
    marks,
    ticks,
    origin: new Date(start).toISOString(),
    spanSeconds,
  };
}
