/**
 * Renders the rehearsal report as one self-contained HTML page: per scenario its verdict, the
 * differences when it ended unexpectedly, and its timeline; then the DORA measures computed from
 * the recorded history. Pure: data in, string out. Every value is escaped, because commit messages,
 * alarm names and reasons come from outside.
 */
import type { OutcomeVerdict } from './outcome.js';
import type { TimelineEntry } from './timeline.js';

/** One DORA measure as shown in the report (the numbers come from the metrics code). */
export interface ReportMeasure {
  readonly name: string;
  /** Already formatted, such as `4.0 per day` or `n/a (no production deployment)`. */
  readonly value: string;
  readonly explanation: string;
}

/** One scenario's section of the report. */
export interface ReportScenario {
  readonly name: string;
  readonly title: string;
  readonly description: string;
  readonly verdict: OutcomeVerdict;
  readonly durationMs: number;
  readonly timeline: readonly TimelineEntry[];
}

/** Everything the report shows. */
export interface RehearsalReport {
  /** ISO-8601 time the rehearsal finished. */
  readonly generatedAt: string;
  readonly scenarios: readonly ReportScenario[];
  readonly measures: readonly ReportMeasure[];
  /** Phase timings, such as synthesis and gates, in milliseconds. */
  readonly phases: readonly { readonly name: string; readonly durationMs: number }[];
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => ENTITIES[character] ?? character);
}

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}

function offset(entry: TimelineEntry, start: number): string {
  return `+${((Date.parse(entry.at) - start) / 1000).toFixed(2)} s`;
}

function renderScenario(scenario: ReportScenario): string {
  const ok = scenario.verdict.kind === 'as-expected';
  const first = scenario.timeline[0];
  const start = first === undefined ? 0 : Date.parse(first.at);
  const rows = scenario.timeline
    .map(
      (entry) =>
        `<tr class="${escapeHtml(entry.kind)}"><td>${escapeHtml(offset(entry, start))}</td><td>${escapeHtml(entry.kind)}</td><td>${escapeHtml(entry.environment ?? '')}</td><td>${escapeHtml(entry.summary)}</td></tr>`,
    )
    .join('\n');
  const differences =
    scenario.verdict.kind === 'unexpected'
      ? `<ul class="differences">${scenario.verdict.differences.map((difference) => `<li>${escapeHtml(difference)}</li>`).join('')}</ul>`
      : '';
  return `<section id="${escapeHtml(scenario.name)}">
<h2>${escapeHtml(scenario.title)} <span class="${ok ? 'pass' : 'fail'}">${ok ? 'as expected' : 'UNEXPECTED'}</span></h2>
<p>${escapeHtml(scenario.description)} <em>(${escapeHtml(scenario.name)}, ${escapeHtml(seconds(scenario.durationMs))})</em></p>
${differences}
<table class="timeline"><thead><tr><th>time</th><th>what</th><th>environment</th><th>detail</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</section>`;
}

/** Renders the whole report. */
export function renderRehearsalReport(report: RehearsalReport): string {
  const failed = report.scenarios.filter((scenario) => scenario.verdict.kind === 'unexpected').length;
  const summary = report.scenarios
    .map(
      (scenario) =>
        `<li><a href="#${escapeHtml(scenario.name)}">${escapeHtml(scenario.title)}</a>: ${scenario.verdict.kind === 'as-expected' ? '<span class="pass">as expected</span>' : '<span class="fail">UNEXPECTED</span>'}</li>`,
    )
    .join('\n');
  const measures = report.measures
    .map((measure) => `<tr><td>${escapeHtml(measure.name)}</td><td>${escapeHtml(measure.value)}</td><td>${escapeHtml(measure.explanation)}</td></tr>`)
    .join('\n');
  const phases = report.phases.map((phase) => `<li>${escapeHtml(phase.name)}: ${escapeHtml(seconds(phase.durationMs))}</li>`).join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Kiro CD rehearsal</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; font-size: 0.9rem; }
.pass { color: #116611; } .fail { color: #b00020; font-weight: bold; }
tr.fired td { background: #fff6e0; } tr.decided td { background: #e8f0ff; } tr.notified td { background: #eefbee; }
.differences li { color: #b00020; }
</style>
</head>
<body>
<h1>Kiro CD rehearsal</h1>
<p>Generated ${escapeHtml(report.generatedAt)}: ${report.scenarios.length - failed} of ${report.scenarios.length} scenarios ended as expected.</p>
<ul>
${summary}
</ul>
<h2>Phases</h2>
<ul>
${phases}
</ul>
<h2>DORA measures (from the recorded history)</h2>
<table><thead><tr><th>measure</th><th>value</th><th>how it is computed</th></tr></thead>
<tbody>
${measures}
</tbody></table>
${report.scenarios.map(renderScenario).join('\n')}
</body>
</html>
`;
}
