/**
 * Draws one scenario's timeline as HTML with an inline SVG picture: stages as lanes, actions as bars
 * along a rehearsal-time axis (coloured by status, rollback executions hatched), and numbered marks for
 * alarms, rollbacks, approvals, reviews, commits, notices and people's actions, listed under the
 * picture. Pure: data in, markup out; no script, no external resource. Every value is escaped, because
 * stage names, alarm names, reasons and commit messages come from outside.
 */
import { escapeHtml } from './escape-html.js';
import type { ActionBar, ScenarioTimeline, TimelineMark } from './scenario-timeline.js';
import { formatOffset, LABEL_WIDTH, layoutTimeline, type BarBox, type MarkPoint, type TimelineGeometry } from './timeline-layout.js';

/** Fill colour per action status, shared by the bars and the legend. */
export const STATUS_COLOURS: Readonly<Record<ActionBar['status'], string>> = {
  Succeeded: '#2e7d32',
  Failed: '#c62828',
  InProgress: '#1565c0',
  Stopped: '#ef6c00',
  Abandoned: '#616161',
  Skipped: '#bdbdbd',
};

/** Colour per mark kind, shared by the symbols, their guide lines, the list and the legend. */
export const MARK_COLOURS: Readonly<Record<TimelineMark['kind'], string>> = {
  alarm: '#d32f2f',
  rollback: '#6a1b9a',
  approval: '#00796b',
  review: '#f9a825',
  commit: '#37474f',
  notice: '#1e88e5',
  operator: '#8d6e63',
};

const MARK_MEANING: Readonly<Record<TimelineMark['kind'], string>> = {
  alarm: 'alarm',
  rollback: 'rollback',
  approval: 'approval',
  review: 'review',
  commit: 'commit pushed',
  notice: 'notice sent',
  operator: 'operator action',
};

const ROLLBACK_OUTLINE = '#4a148c';
const LANE_NAME_CHARACTERS = 27;
/** Approximate width of one character of the 10-unit bar labels, to decide whether a label fits. */
const LABEL_CHARACTER_WIDTH = 6.2;

/** The report's styles for the timeline pictures (inline in the page's `<style>`). */
export const TIMELINE_STYLES = `
figure.timeline { margin: 0.5rem 0 0.5rem; max-width: 1100px; }
figure.timeline svg { width: 100%; height: auto; display: block; }
figure.timeline figcaption { font-size: 0.85rem; color: #444; margin-top: 0.2rem; }
.lane-name { font-size: 11px; fill: #1b1b1b; }
.bar-label { font-size: 10px; fill: #fff; pointer-events: none; paint-order: stroke; stroke: rgba(0, 0, 0, 0.55); stroke-width: 2px; }
.bar-label.dark { fill: #1b1b1b; stroke: none; }
.axis-label { font-size: 10px; fill: #333; }
.axis-title { font-size: 11px; fill: #333; font-style: italic; }
.mark-number { font-size: 8px; font-weight: bold; fill: #fff; }
.mark-number.dark { fill: #1b1b1b; }
ol.marks { font-size: 0.85rem; columns: 2 32rem; column-gap: 3.5rem; margin: 0.3rem 0 1rem; padding-left: 2.2rem; }
ol.marks li { break-inside: avoid; margin-bottom: 0.15rem; overflow-wrap: anywhere; }
.mark-kind { display: inline-block; min-width: 5.5rem; font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; font-size: 0.85rem; align-items: center; margin: 0.5rem 0 1rem; max-width: 1100px; }
.legend span { display: inline-flex; align-items: center; gap: 0.3rem; }
.legend svg { flex: none; }
`;

function hatchPattern(id: string): string {
  return `<pattern id="${id}" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="2.5" height="6" fill="#fff" fill-opacity="0.55"/></pattern>`;
}

function symbol(kind: TimelineMark['kind'], x: number, y: number, radius: number): string {
  const colour = MARK_COLOURS[kind];
  const at = (dx: number, dy: number): string => `${(x + dx).toFixed(1)},${(y + dy).toFixed(1)}`;
  switch (kind) {
    case 'alarm':
      return `<polygon points="${at(0, -radius - 1)} ${at(radius + 1, radius)} ${at(-radius - 1, radius)}" fill="${colour}"/>`;
    case 'rollback':
      return `<polygon points="${at(0, -radius - 1)} ${at(radius + 1, 0)} ${at(0, radius + 1)} ${at(-radius - 1, 0)}" fill="${colour}"/>`;
    case 'approval':
    case 'operator':
      return `<rect x="${(x - radius).toFixed(1)}" y="${(y - radius).toFixed(1)}" width="${radius * 2}" height="${radius * 2}" rx="${kind === 'operator' ? 0 : 2}" fill="${colour}"/>`;
    case 'notice':
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${radius - 0.75}" fill="#fff" stroke="${colour}" stroke-width="1.5"/>`;
    case 'review':
    case 'commit':
      return `<circle cx="${x.toFixed(1)}" cy="${y.toFixed(1)}" r="${radius}" fill="${colour}"/>`;
  }
}

function numberClass(kind: TimelineMark['kind']): string {
  return kind === 'notice' || kind === 'review' ? 'mark-number dark' : 'mark-number';
}

function shorten(text: string, characters: number): string {
  return text.length <= characters ? text : `${text.slice(0, characters - 1)}…`;
}

function offsetText(geometry: TimelineGeometry, iso: string | undefined): string {
  if (iso === undefined) return 'still running';
  const time = Date.parse(iso);
  return Number.isFinite(time) ? `+${formatOffset((time - Date.parse(geometry.origin)) / 1000)}` : iso;
}

function barTitle(geometry: TimelineGeometry, box: BarBox): string {
  const { bar } = box;
  const type = bar.executionType === 'ROLLBACK' ? ', rollback execution' : '';
  const summary = bar.summary === undefined ? '' : `\n${bar.summary}`;
  return `${box.stage} / ${bar.action}: ${bar.status}${type} (${offsetText(geometry, bar.startedAt)} to ${offsetText(geometry, bar.endedAt)}, execution ${bar.executionId})${summary}`;
}

function renderBar(geometry: TimelineGeometry, box: BarBox, hatchId: string): string {
  const { bar } = box;
  const rollback = bar.executionType === 'ROLLBACK';
  const geometryAttributes = `x="${box.x.toFixed(1)}" y="${box.y.toFixed(1)}" width="${box.width.toFixed(1)}" height="${box.height}"`;
  const labelWidth = bar.action.length * LABEL_CHARACTER_WIDTH + 6;
  const baseline = (box.y + box.height - 2.5).toFixed(1);
  // Inside the bar when it fits; else just right of it when the row has room there; else only in the tooltip and the table.
  const label = labelWidth <= box.width
    ? `<text class="bar-label${bar.status === 'Skipped' ? ' dark' : ''}" x="${(box.x + 3).toFixed(1)}" y="${baseline}">${escapeHtml(bar.action)}</text>`
    : labelWidth <= box.roomRight
      ? `<text class="bar-label dark" x="${(box.x + box.width + 3).toFixed(1)}" y="${baseline}">${escapeHtml(bar.action)}</text>`
      : '';
  return `<g class="bar" data-stage="${escapeHtml(box.stage)}" data-action="${escapeHtml(bar.action)}" data-status="${bar.status}" data-execution-type="${bar.executionType ?? 'STANDARD'}" data-started-at="${escapeHtml(bar.startedAt)}">` +
    `<title>${escapeHtml(barTitle(geometry, box))}</title>` +
    `<rect ${geometryAttributes} rx="2" fill="${STATUS_COLOURS[bar.status]}"${box.open ? ' fill-opacity="0.7"' : ''}/>` +
    (rollback ? `<rect ${geometryAttributes} rx="2" fill="url(#${hatchId})" stroke="${ROLLBACK_OUTLINE}" stroke-width="1.5" stroke-dasharray="3 2"/>` : '') +
    label +
    `</g>`;
}

function renderMark(point: MarkPoint): string {
  const { mark } = point;
  const colour = MARK_COLOURS[mark.kind];
  return `<g class="mark" data-kind="${mark.kind}" data-number="${point.number}"${mark.stage === undefined ? '' : ` data-stage="${escapeHtml(mark.stage)}"`}>` +
    `<title>${escapeHtml(`${point.number}. ${MARK_MEANING[mark.kind]} at +${formatOffset(point.offsetSeconds)}${mark.stage === undefined ? '' : ` in ${mark.stage}`}: ${mark.label}`)}</title>` +
    `<line x1="${point.x.toFixed(1)}" y1="${(point.y + point.radius).toFixed(1)}" x2="${point.x.toFixed(1)}" y2="${point.guideTo.toFixed(1)}" stroke="${colour}" stroke-width="1" stroke-dasharray="2 2" stroke-opacity="0.7"/>` +
    symbol(mark.kind, point.x, point.y, point.radius) +
    `<text class="${numberClass(mark.kind)}" x="${point.x.toFixed(1)}" y="${(point.y + 3).toFixed(1)}" text-anchor="middle">${point.number}</text>` +
    `</g>`;
}

function renderSvg(timeline: ScenarioTimeline, geometry: TimelineGeometry, index: number): string {
  const hatchId = `rollback-hatch-${index}`;
  const lanes = geometry.lanes
    .map((lane, laneIndex) =>
      `<g class="lane" data-stage="${escapeHtml(lane.stage)}">` +
      `<rect x="0" y="${lane.y.toFixed(1)}" width="${geometry.width}" height="${lane.height}" fill="${laneIndex % 2 === 0 ? '#f5f5f5' : '#fff'}"/>` +
      `<text class="lane-name" x="${LABEL_WIDTH - 8}" y="${(lane.y + lane.height / 2 + 4).toFixed(1)}" text-anchor="end"><title>${escapeHtml(lane.stage)}</title>${escapeHtml(shorten(lane.stage, LANE_NAME_CHARACTERS))}</text>` +
      `</g>`,
    )
    .join('');
  const ticks = geometry.ticks
    .map((tick) =>
      `<line x1="${tick.x.toFixed(1)}" y1="${geometry.lanesTop}" x2="${tick.x.toFixed(1)}" y2="${geometry.axisY + 4}" stroke="#ccc" stroke-width="0.75"/>` +
      `<text class="axis-label" x="${tick.x.toFixed(1)}" y="${geometry.axisY + 16}" text-anchor="middle">${escapeHtml(tick.label)}</text>`,
    )
    .join('');
  const axisTitle = `rehearsal time since ${geometry.origin} (the rehearsal clock, not the wall clock)`;
  const bars = geometry.bars.map((box) => renderBar(geometry, box, hatchId)).join('');
  const marks = geometry.marks.map(renderMark).join('');
  const label = `Timeline of ${timeline.scenario}: ${geometry.lanes.length} stages, ${geometry.bars.length} actions, ${geometry.marks.length} marks over ${formatOffset(geometry.spanSeconds)} of rehearsal time`;
  return `<svg class="timeline" role="img" aria-label="${escapeHtml(label)}" viewBox="0 0 ${geometry.width} ${geometry.height}" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg">` +
    `<defs>${hatchPattern(hatchId)}</defs>` +
    lanes +
    ticks +
    `<line class="axis" x1="${geometry.plotLeft}" y1="${geometry.axisY}" x2="${geometry.plotRight}" y2="${geometry.axisY}" stroke="#333" stroke-width="1"/>` +
    `<text class="axis-title" x="${geometry.plotLeft}" y="${geometry.axisY + 34}">${escapeHtml(axisTitle)}</text>` +
    bars +
    marks +
    `</svg>`;
}

function renderMarkList(geometry: TimelineGeometry): string {
  if (geometry.marks.length === 0) return '<p class="marks-empty">No alarms, rollbacks, approvals, reviews, commits, notices or operator actions.</p>';
  const items = geometry.marks
    .map(({ mark, number, offsetSeconds }) =>
      `<li value="${number}" class="mark-item" data-kind="${mark.kind}"><span class="mark-kind" style="color:${MARK_COLOURS[mark.kind]}">${escapeHtml(MARK_MEANING[mark.kind])}</span> ` +
      `+${escapeHtml(formatOffset(offsetSeconds))} · ${escapeHtml(mark.stage ?? 'pipeline-wide')} · ${escapeHtml(mark.label)}</li>`,
    )
    .join('\n');
  return `<ol class="marks">\n${items}\n</ol>`;
}

function renderBarTable(geometry: TimelineGeometry): string {
  const rows = [...geometry.bars]
    .sort((a, b) => Date.parse(a.bar.startedAt) - Date.parse(b.bar.startedAt))
    .map(({ bar, stage }) =>
      `<tr><td>${escapeHtml(offsetText(geometry, bar.startedAt))}</td><td>${escapeHtml(offsetText(geometry, bar.endedAt))}</td><td>${escapeHtml(stage)}</td><td>${escapeHtml(bar.action)}</td>` +
      `<td>${escapeHtml(bar.status)}</td><td>${escapeHtml(bar.executionType ?? '')}</td><td>${escapeHtml(bar.executionId)}</td><td>${escapeHtml(bar.summary ?? '')}</td></tr>`,
    )
    .join('\n');
  return `<details><summary>Every action as a table (${geometry.bars.length})</summary>
<table><thead><tr><th>from</th><th>to</th><th>stage</th><th>action</th><th>status</th><th>execution type</th><th>execution</th><th>summary</th></tr></thead>
<tbody>
${rows}
</tbody></table></details>`;
}

/**
 * Renders one scenario: heading with its verdict, the differences when it did not end as expected,
 * the picture and the numbered list of its marks. `index` keeps the SVG ids unique in the page.
 */
export function renderScenarioTimeline(timeline: ScenarioTimeline, index: number): string {
  const geometry = layoutTimeline(timeline);
  const verdict = timeline.passed ? '<span class="pass">as expected</span>' : '<span class="fail">UNEXPECTED</span>';
  const differences = timeline.differences.length === 0
    ? ''
    : `<ul class="differences">${timeline.differences.map((difference) => `<li>${escapeHtml(difference)}</li>`).join('')}</ul>`;
  const duration = (Date.parse(timeline.endedAt) - Date.parse(timeline.startedAt)) / 1000;
  return `<section class="scenario" id="${escapeHtml(timeline.scenario)}" data-passed="${timeline.passed}">
<h2>${escapeHtml(timeline.scenario)} ${verdict}</h2>
<p>${escapeHtml(timeline.description)} <em>(${escapeHtml(Number.isFinite(duration) ? formatOffset(duration) : '?')} of rehearsal time, from ${escapeHtml(timeline.startedAt)})</em></p>
${differences}
<figure class="timeline">
${renderSvg(timeline, geometry, index)}
<figcaption>Stages top to bottom in pipeline order; times are rehearsal time (the rehearsal clock), counted from ${escapeHtml(geometry.origin)}.</figcaption>
</figure>
${renderMarkList(geometry)}
${renderBarTable(geometry)}
</section>`;
}

/** The legend shared by every picture: bar colours by status, the rollback hatching, the mark symbols. */
export function renderTimelineLegend(): string {
  const swatch = (fill: string, extra = ''): string =>
    `<svg width="26" height="12" viewBox="0 0 26 12" aria-hidden="true"><rect x="0.5" y="0.5" width="25" height="11" rx="2" fill="${fill}"/>${extra}</svg>`;
  const statuses = (Object.keys(STATUS_COLOURS) as ActionBar['status'][]).map(
    (status) => `<span class="legend-item" data-status="${status}">${swatch(STATUS_COLOURS[status])}action ${status}</span>`,
  );
  const rollback = `<span class="legend-item" data-execution-type="ROLLBACK">${swatch(STATUS_COLOURS.Succeeded, `<defs>${hatchPattern('legend-hatch')}</defs><rect x="0.5" y="0.5" width="25" height="11" rx="2" fill="url(#legend-hatch)" stroke="${ROLLBACK_OUTLINE}" stroke-width="1.5" stroke-dasharray="3 2"/>`)}rollback execution (hatched)</span>`;
  const marks = (Object.keys(MARK_COLOURS) as TimelineMark['kind'][]).map(
    (kind) => `<span class="legend-item" data-kind="${kind}"><svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true">${symbol(kind, 9, 9, 7)}</svg>${escapeHtml(MARK_MEANING[kind])}</span>`,
  );
  return `<div class="legend" role="list" aria-label="Legend">${[...statuses, rollback, ...marks].join('')}</div>`;
}
