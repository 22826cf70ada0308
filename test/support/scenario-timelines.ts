/**
 * Two scenario timelines in the report's model, shaped like what a rehearsal of the real pipeline
 * produces: a clean release through three environments, and a release whose staging bake sees a
 * critical alarm, rolls the stage back (a ROLLBACK execution) and ends differently than expected.
 * Values carry HTML-looking text to prove the report escapes them.
 */
import type { ActionBar, ScenarioTimeline, StageLane, TimelineMark } from '../../src/rehearsal/report/scenario-timeline.js';

const T0 = Date.parse('2026-12-07T01:00:00.000Z');

/** ISO time `seconds` of rehearsal time after the fixtures' origin. */
export function at(seconds: number): string {
  return new Date(T0 + seconds * 1000).toISOString();
}

function bar(action: string, from: number, to: number | undefined, status: ActionBar['status'], extra: Partial<ActionBar> = {}): ActionBar {
  return { action, executionId: extra.executionId ?? 'exec-release-1', startedAt: at(from), ...(to === undefined ? {} : { endedAt: at(to) }), status, ...extra };
}

function lane(stage: string, ...bars: ActionBar[]): StageLane {
  return { stage, bars };
}

/**
 * The pipeline-wide stages after the source, as the product lays them out: the Build's Synth with
 * UnitTests and StaticChecks beside it, UpdatePipeline skipped (the pipeline's definition did not
 * change), then the Assets stage, where CDK Pipelines' FileAssets and every environment's Detect
 * action start together and run side by side (docs/pipeline.md, "Change detection in the Assets stage").
 */
function pipelineWideLanes(buildFrom: number, buildTo: number, assetsTo: number, executionId: string): StageLane[] {
  const run = { executionId };
  return [
    lane(
      'Build',
      bar('Synth', buildFrom, buildTo, 'Succeeded', { ...run, summary: 'bundle, synth, templates checked' }),
      bar('UnitTests', buildFrom, buildTo - 6, 'Succeeded', { ...run, summary: 'tests, coverage 91 %' }),
      bar('StaticChecks', buildFrom, buildTo - 14, 'Succeeded', { ...run, summary: 'type-check, lint' }),
    ),
    lane('UpdatePipeline', bar('SelfMutate', buildTo, buildTo, 'Skipped', { ...run, summary: 'pipeline definition unchanged' })),
    lane(
      'Assets',
      bar('FileAssets', buildTo, assetsTo - 4, 'Succeeded', run),
      bar('Detect-test', buildTo, assetsTo, 'Succeeded', run),
      bar('Detect-staging', buildTo, assetsTo - 1, 'Succeeded', run),
      bar('Detect-production', buildTo, assetsTo, 'Succeeded', run),
    ),
  ];
}

function mark(kind: TimelineMark['kind'], seconds: number, label: string, stage?: string): TimelineMark {
  return { kind, at: at(seconds), label, ...(stage === undefined ? {} : { stage }) };
}

/** A release that goes through every environment, approved for production. */
export const CLEAN_RELEASE: ScenarioTimeline = {
  scenario: 'clean-release',
  description: 'A commit with infrastructure and application changes goes through test, staging and production.',
  passed: true,
  differences: [],
  startedAt: at(0),
  endedAt: at(600),
  lanes: [
    lane('Source', bar('GitHub', 0, 8, 'Succeeded')),
    ...pipelineWideLanes(8, 70, 80, 'exec-release-1'),
    lane('Test-Infrastructure', bar('Deploy-Core', 80, 120, 'Succeeded')),
    lane('Test-Application', bar('Deploy', 120, 150, 'Succeeded'), bar('Health-Check', 150, 215, 'Succeeded'), bar('Integration-Tests', 215, 240, 'Succeeded')),
    lane('Staging-Infrastructure', bar('Deploy-Core', 240, 280, 'Succeeded')),
    lane('Staging-Application', bar('Deploy', 280, 310, 'Succeeded'), bar('Health-Check', 310, 375, 'Succeeded'), bar('E2E-Tests', 375, 400, 'Succeeded')),
    lane('Approve-Production', bar('Approve', 400, 470, 'Succeeded')),
    lane('Production-Infrastructure', bar('Deploy-Core', 470, 472, 'Skipped', { summary: 'no infrastructure change' })),
    lane('Production-Application', bar('Deploy', 472, 500, 'Succeeded'), bar('Health-Check', 500, 565, 'Succeeded')),
  ],
  marks: [
    mark('commit', 0, 'pushed 1a2b3c4d to main: Clean release'),
    mark('notice', 2, 'execution-started: Release started: 1a2b3c4d'),
    mark('approval', 400, 'approval requested', 'Approve-Production'),
    mark('notice', 401, 'approval-needed: Approve production', 'Approve-Production'),
    mark('operator', 468, 'rehearsal-approver approves the deployment to production'),
    mark('approval', 470, 'approval approved by rehearsal-approver', 'Approve-Production'),
    mark('notice', 566, 'deployment-succeeded: production runs 1a2b3c4d', 'Production-Application'),
  ],
};

/**
 * A critical alarm during the staging bake: the health check fails, the stage rolls back in a
 * ROLLBACK execution, the approval never comes; the scenario's expectation says otherwise.
 */
export const FAILED_ROLLBACK: ScenarioTimeline = {
  scenario: 'critical-alarm-stage-rollback',
  description: 'A critical alarm during the <staging> bake rolls the stage back & keeps production on the last release.',
  passed: false,
  differences: ['staging: expected the rolled-back release 9f8e7d6c, found <b>1a2b3c4d</b>', 'notices: expected a rollback-succeeded notice, received none'],
  startedAt: at(0),
  endedAt: at(540),
  lanes: [
    lane('Source', bar('GitHub', 0, 6, 'Succeeded', { executionId: 'exec-release-2' })),
    ...pipelineWideLanes(6, 66, 74, 'exec-release-2'),
    lane('Test-Application', bar('Deploy', 74, 100, 'Succeeded', { executionId: 'exec-release-2' }), bar('Health-Check', 100, 165, 'Succeeded', { executionId: 'exec-release-2' })),
    lane(
      'Staging-Application-With-A-Long-Stage-Name-For-The-Label-Column',
      bar('Deploy', 165, 195, 'Succeeded', { executionId: 'exec-release-2', executionType: 'STANDARD' }),
      bar('Health-Check', 195, 240, 'Failed', { executionId: 'exec-release-2', summary: 'critical alarm <worker-errors-staging> in ALARM' }),
      bar('Deploy', 250, 300, 'Succeeded', { executionId: 'exec-rollback-1', executionType: 'ROLLBACK' }),
      bar('Health-Check', 300, undefined, 'InProgress', { executionId: 'exec-rollback-1', executionType: 'ROLLBACK' }),
    ),
    lane('Approve-Production', bar('Approve', 240, 242, 'Abandoned', { executionId: 'exec-release-2' }), bar('Approve', 242, 244, 'Stopped', { executionId: 'exec-release-3' })),
  ],
  marks: [
    mark('commit', 0, 'pushed 1a2b3c4d to main: "<script>alert(1)</script>"'),
    mark('alarm', 200, 'critical alarm worker-errors-staging ALARM', 'Staging-Application-With-A-Long-Stage-Name-For-The-Label-Column'),
    mark('review', 210, 'reviewer approves the paused release'),
    mark('alarm', 238, 'health check fail: critical alarm worker-errors-staging ALARM', 'Staging-Application-With-A-Long-Stage-Name-For-The-Label-Column'),
    mark('notice', 240, 'health-check-failed: staging & its alarm', 'Staging-Application-With-A-Long-Stage-Name-For-The-Label-Column'),
    mark('rollback', 245, 'stage rollback started: Staging-Application', 'Staging-Application-With-A-Long-Stage-Name-For-The-Label-Column'),
    mark('notice', 246, 'rollback-started: Staging-Application to 9f8e7d6c', 'Staging-Application-With-A-Long-Stage-Name-For-The-Label-Column'),
    mark('operator', 520, 'kiro-cd status by sre'),
  ],
};

/** The set the browser test renders. */
export const SCENARIO_TIMELINES: readonly ScenarioTimeline[] = [CLEAN_RELEASE, FAILED_ROLLBACK];
