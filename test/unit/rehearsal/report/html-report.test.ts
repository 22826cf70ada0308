import { describe, expect, it } from 'vitest';
import { escapeHtml, renderRehearsalReport } from '../../../../src/rehearsal/html-report.js';
import { renderScenarioTimeline, STATUS_COLOURS } from '../../../../src/rehearsal/report/render-timeline-html.js';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { planPipeline } from '../../../../src/pipeline/domain/plan/pipeline-plan.js';
import { CHANGE_DETECTION_STAGE } from '../../../../src/pipeline/domain/pipeline-vocabulary.js';
import { PIPELINE_STAGES } from '../../../../src/pipeline/domain/stage-names.js';
import { at, CLEAN_RELEASE, FAILED_ROLLBACK, SCENARIO_TIMELINES } from '../../../support/scenario-timelines.js';

const page = renderRehearsalReport({
  generatedAt: '2026-11-10T10:00:00Z',
  phases: [{ name: 'synth <all>', durationMs: 1500 }],
  measures: [{ name: 'Lead time', value: '<1 min', explanation: 'commit -> production' }],
  scenarios: SCENARIO_TIMELINES,
  rehearsalTimeFactor: 60,
});

describe('renderRehearsalReport', () => {
  it('escapes every value that comes from outside', () => {
    expect(escapeHtml(`<script>alert("x" & 'y')</script>`)).toBe('&lt;script&gt;alert(&quot;x&quot; &amp; &#39;y&#39;)&lt;/script&gt;');
    expect(page).not.toContain('<script');
    expect(page).not.toContain('<b>1a2b3c4d');
    expect(page).toContain('found &lt;b&gt;1a2b3c4d&lt;/b&gt;');
    expect(page).toContain('pushed 1a2b3c4d to main: &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;');
    expect(page).toContain('<td>&lt;1 min</td>');
    expect(page).toContain('synth &lt;all&gt;: 1.5 s (wall clock)');
  });

  it('keeps the verdict summary and the DORA measures', () => {
    expect(page).toContain('1 of 2 scenarios ended as expected');
    expect(page).toContain('<a href="#critical-alarm-stage-rollback">critical-alarm-stage-rollback</a>: <span class="fail">UNEXPECTED</span>');
    expect(page).toContain('<a href="#clean-release">clean-release</a>: <span class="pass">as expected</span>');
    expect(page).toContain('<h2>DORA measures (from the recorded history, over rehearsal time)</h2>');
  });

  it('says that its times are rehearsal time, and how fast that clock runs (issue 14)', () => {
    expect(page).toContain('<strong>rehearsal time</strong>: the rehearsal clock, which runs 60 times faster than the wall clock and skips the time during which nothing is in flight');
    expect(page).toContain('rehearsal time since 2026-12-07T01:00:00.000Z (the rehearsal clock, not the wall clock)');
  });

  it('is self-contained: no script, no link, no resource from elsewhere', () => {
    expect(page).not.toMatch(/<(script|link|img|iframe)\b/i);
    expect(page.replaceAll('xmlns="http://www.w3.org/2000/svg"', '')).not.toContain('//');
  });
});

describe('renderScenarioTimeline', () => {
  const clean = renderScenarioTimeline(CLEAN_RELEASE, 0);
  const failed = renderScenarioTimeline(FAILED_ROLLBACK, 1);

  it('draws one lane per stage and one bar per action, coloured by status', () => {
    expect(clean.match(/<g class="lane"/g)).toHaveLength(CLEAN_RELEASE.lanes.length);
    expect(clean.match(/<g class="bar"/g)).toHaveLength(21);
    expect(clean).toContain(`data-status="Skipped" data-execution-type="STANDARD" data-started-at="${at(470)}"><title>Production-Infrastructure / Deploy-Core: Skipped`);
    expect(failed).toContain(`fill="${STATUS_COLOURS.Failed}"`);
  });

  it("draws the pipeline-wide stages as the plan lays them out: the Build's actions in Build, the Detect actions beside FileAssets in Assets, started together", () => {
    const plan = planPipeline(loadDeploymentConfig());
    const buildActions = plan.stages.flatMap((stage) => (stage.kind === 'build' ? [stage.action, ...stage.besideSynth] : []));
    const detectActions = plan.stages.flatMap((stage) => (stage.kind === 'change-detection' && stage.name === CHANGE_DETECTION_STAGE ? stage.actions : []));
    const actionNames = (actions: readonly { readonly name: string }[]): string[] => actions.map((action) => action.name).sort();
    expect(detectActions).not.toHaveLength(0);
    for (const timeline of SCENARIO_TIMELINES) {
      const bars = (stage: string) => timeline.lanes.find((lane) => lane.stage === stage)?.bars ?? [];
      expect(bars(PIPELINE_STAGES.build).map((bar) => bar.action).sort()).toEqual(actionNames(buildActions));
      expect(bars(CHANGE_DETECTION_STAGE).map((bar) => bar.action).sort()).toEqual(actionNames([{ name: 'FileAssets' }, ...detectActions]));
      expect(new Set(bars(CHANGE_DETECTION_STAGE).map((bar) => bar.startedAt)).size).toBe(1);
      expect(timeline.lanes.map((lane) => lane.stage)).not.toContain('Detect-Changes');
    }
    expect(clean).toContain('<title>Assets / Detect-production: Succeeded');
  });

  it('hatches the bars of a rollback execution with a pattern of its own picture', () => {
    expect(failed).toContain('<pattern id="rollback-hatch-1"');
    expect(failed.match(/fill="url\(#rollback-hatch-1\)"/g)).toHaveLength(2);
    expect(clean).not.toContain('fill="url(#rollback-hatch-0)"');
  });

  it('lists each mark with its number, kind, time and stage; a notice names its stage', () => {
    expect(failed).toContain('<li value="5" class="mark-item" data-kind="notice"><span class="mark-kind" style="color:#1e88e5">notice sent</span> +4 min · Staging-Application-With-A-Long-Stage-Name-For-The-Label-Column · health-check-failed: staging &amp; its alarm</li>');
    expect(failed).toContain('+8 min 40 s · pipeline-wide · kiro-cd status by sre');
  });

  it('shortens a long stage name in the lane column and keeps the full name in its tooltip', () => {
    expect(failed).toContain('<title>Staging-Application-With-A-Long-Stage-Name-For-The-Label-Column</title>Staging-Application-With-A…</text>');
  });

  it('shows the differences of a scenario that ended unexpectedly, and none for one that passed', () => {
    expect(failed).toContain('<ul class="differences"><li>staging: expected the rolled-back release 9f8e7d6c, found &lt;b&gt;1a2b3c4d&lt;/b&gt;</li>');
    expect(clean).not.toContain('class="differences"');
  });
});
