/**
 * Renders the rehearsal report as one self-contained HTML page (inline CSS and SVG, no script, no
 * external resource): a summary of the scenarios' verdicts, the phase timings, the DORA measures
 * computed from the recorded history, then per scenario its timeline picture
 * (src/rehearsal/report/render-timeline-html.ts). Pure: data in, string out; every value escaped.
 */
import { escapeHtml } from './report/escape-html.js';
import { renderScenarioTimeline, renderTimelineLegend, TIMELINE_STYLES } from './report/render-timeline-html.js';
import type { ScenarioTimeline } from './report/scenario-timeline.js';

export { escapeHtml };

/** One DORA measure as shown in the report (the numbers come from the metrics code). */
export interface ReportMeasure {
  readonly name: string;
  /** Already formatted, such as `4.0 per day` or `n/a (no production deployment)`. */
  readonly value: string;
  readonly explanation: string;
}

/** Everything the report shows. */
export interface RehearsalReport {
  /** ISO-8601 wall-clock time the rehearsal finished. */
  readonly generatedAt: string;
  /** One timeline per scenario, in the order they ran. */
  readonly scenarios: readonly ScenarioTimeline[];
  readonly measures: readonly ReportMeasure[];
  /** Phase timings, such as synthesis and gates, in wall-clock milliseconds. */
  readonly phases: readonly { readonly name: string; readonly durationMs: number }[];
  /** How much faster the rehearsal clock runs than the wall clock (it also skips idle time), said next to the times. @default not stated */
  readonly rehearsalTimeFactor?: number;
}

function seconds(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(1)} s`;
}

function verdict(scenario: ScenarioTimeline): string {
  return scenario.passed ? '<span class="pass">as expected</span>' : '<span class="fail">UNEXPECTED</span>';
}

/** Renders the whole report. */
export function renderRehearsalReport(report: RehearsalReport): string {
  const failed = report.scenarios.filter((scenario) => !scenario.passed).length;
  const summary = report.scenarios
    .map((scenario) => `<li><a href="#${escapeHtml(scenario.scenario)}">${escapeHtml(scenario.scenario)}</a>: ${verdict(scenario)}</li>`)
    .join('\n');
  const measures = report.measures
    .map((measure) => `<tr><td>${escapeHtml(measure.name)}</td><td>${escapeHtml(measure.value)}</td><td>${escapeHtml(measure.explanation)}</td></tr>`)
    .join('\n');
  const phases = report.phases.map((phase) => `<li>${escapeHtml(phase.name)}: ${escapeHtml(seconds(phase.durationMs))} (wall clock)</li>`).join('\n');
  const factor = report.rehearsalTimeFactor === undefined ? '' : `, which runs ${report.rehearsalTimeFactor} times faster than the wall clock and skips the time during which nothing is in flight`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Kiro CD rehearsal</title>
<style>
body { font-family: system-ui, sans-serif; margin: 2rem; color: #1b1b1b; max-width: 1200px; }
table { border-collapse: collapse; margin: 0.5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: 0.2rem 0.5rem; text-align: left; vertical-align: top; font-size: 0.9rem; }
details table td { font-size: 0.8rem; overflow-wrap: anywhere; }
.pass { color: #116611; } .fail { color: #b00020; font-weight: bold; }
.differences li { color: #b00020; }
section.scenario { border-top: 1px solid #ddd; margin-top: 1.5rem; }
${TIMELINE_STYLES}
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
<h2>DORA measures (from the recorded history, over rehearsal time)</h2>
<table><thead><tr><th>measure</th><th>value</th><th>how it is computed</th></tr></thead>
<tbody>
${measures}
</tbody></table>
<h2>Timelines</h2>
<p>Every time in the pictures below is <strong>rehearsal time</strong>: the rehearsal clock${escapeHtml(factor)}, counted from each scenario's start. Hover a bar or a mark for its details.</p>
${renderTimelineLegend()}
${report.scenarios.map((scenario, index) => renderScenarioTimeline(scenario, index)).join('\n')}
</body>
</html>
`;
}
