import { describe, expect, it } from 'vitest';
import type { DeploymentRecord, HistoryEvent } from '../../../src/pipeline/domain/history-model.js';
import type { ReceivedNotice } from '../../../src/rehearsal/received-notice.js';
import { compareOutcome, observeOutcome } from '../../../src/rehearsal/outcome.js';
import { SCENARIOS, selectScenarios } from '../../../src/rehearsal/scenarios.js';
import { parseRehearsalArguments } from '../../../src/rehearsal/run-rehearsal.js';
import { checkRehearsalArguments, rehearsalPhase } from '../../../src/rehearsal/rehearsal-phase.js';
import { RecordingOutput } from '../../../src/cli/output.js';

const RELEASE = 'a'.repeat(40);
const GOOD = 'b'.repeat(40);
const PIPELINE = 'kiro-codebuild-worker';

function record(overrides: Partial<DeploymentRecord> & Pick<DeploymentRecord, 'environment' | 'executionId'>): DeploymentRecord {
  return {
    pipelineName: PIPELINE,
    commit: { id: RELEASE },
    status: 'succeeded',
    health: 'passed',
    startedAt: '2026-11-10T10:00:00.000Z',
    finishedAt: '2026-11-10T10:01:00.000Z',
    isRollback: false,
    ...overrides,
  };
}

function notice(kind: ReceivedNotice['kind']): ReceivedNotice {
  return { kind, text: `${kind}\ncommit aaaaaaaa`, at: '2026-11-10T10:00:00.000Z' };
}

function infraAction(environment: 'test' | 'staging' | 'production', state: 'STARTED' | 'SUCCEEDED'): HistoryEvent {
  const stage = `${environment.charAt(0).toUpperCase()}${environment.slice(1)}-Infrastructure`;
  return { kind: 'action', eventId: `${stage}-${state}`, pipelineName: PIPELINE, executionId: 'exec-release', at: '2026-11-10T10:00:10.000Z', stage, action: 'Deploy', environment, state };
}

function scenario(name: string): (typeof SCENARIOS)[number] {
  const found = SCENARIOS.find((candidate) => candidate.name === name);
  if (found === undefined) throw new Error(name);
  return found;
}

/** What the emulator holds after a clean release: released everywhere, infrastructure deployed everywhere. */
const cleanReadBack = {
  releaseExecutionId: 'exec-release',
  records: [
    record({ environment: 'test', executionId: 'exec-base', commit: { id: GOOD }, startedAt: '2026-11-10T09:00:00.000Z', finishedAt: '2026-11-10T09:01:00.000Z' }),
    record({ environment: 'test', executionId: 'exec-release' }),
    record({ environment: 'staging', executionId: 'exec-release' }),
    record({ environment: 'production', executionId: 'exec-release' }),
  ],
  events: [infraAction('test', 'STARTED'), infraAction('staging', 'SUCCEEDED'), infraAction('production', 'SUCCEEDED')],
  notices: [notice('execution-started'), notice('stage-succeeded'), notice('approval-needed'), notice('deployment-succeeded')],
};

describe('observeOutcome and compareOutcome', () => {
  it('finds a clean release as expected', () => {
    const observed = observeOutcome(cleanReadBack);
    expect(observed.running).toEqual({ test: RELEASE, staging: RELEASE, production: RELEASE });
    expect(observed.infrastructureDeployed).toEqual(['test', 'staging', 'production']);
    expect(compareOutcome(scenario('clean-release').expected, observed, { release: RELEASE, lastKnownGood: GOOD })).toEqual({ kind: 'as-expected' });
  });

  it('names every difference when a stage rollback scenario ends like a clean release', () => {
    const verdict = compareOutcome(scenario('critical-alarm-stage-rollback').expected, observeOutcome(cleanReadBack), { release: RELEASE, lastKnownGood: GOOD, previous: { staging: GOOD, production: GOOD } });
    expect(verdict.kind).toBe('unexpected');
    expect(verdict.kind === 'unexpected' ? verdict.differences : []).toEqual([
      'staging: expected the release rolled-back with health failed, got succeeded with health passed.',
      `staging: expected it to run the previous (bbbbbbbb) at the end, but it runs aaaaaaaa.`,
      'production: the release must not be deployed, but it was (succeeded).',
      'production: expected the infrastructure stage to be skipped, but it was deployed.',
      'production: expected it to run the previous (bbbbbbbb) at the end, but it runs aaaaaaaa.',
      'expected a stage rollback of staging succeeded, but the history holds none.',
      'expected a "health-check-failed" notification, but none reached the queue.',
      'expected a "stage-failed" notification, but none reached the queue.',
      'expected a "rollback-started" notification, but none reached the queue.',
      'expected a "rollback-succeeded" notification, but none reached the queue.',
      'a "approval-needed" notification was sent, but must not have been.',
    ]);
  });

  it('flags a rollback the scenario did not expect and a release that never reached an environment', () => {
    const readBack = {
      ...cleanReadBack,
      records: cleanReadBack.records.filter((candidate) => candidate.environment !== 'production'),
      events: [
        ...cleanReadBack.events,
        { kind: 'rollback', eventId: 'rb', pipelineName: PIPELINE, executionId: 'exec-release', at: '2026-11-10T10:02:00.000Z', rollbackId: 'r1', scope: 'stage', phase: 'succeeded', environment: 'test', trigger: 'alarm:x', reason: 'x' } as const,
      ],
    };
    const verdict = compareOutcome(scenario('clean-release').expected, observeOutcome(readBack), { release: RELEASE, lastKnownGood: GOOD });
    expect(verdict.kind === 'unexpected' ? verdict.differences : []).toEqual([
      'production: expected the release succeeded with health passed, but it was never deployed.',
      'production: expected it to run the release (aaaaaaaa) at the end, but it runs nothing.',
      'the history holds an unexpected stage rollback of test succeeded.',
    ]);
  });

  it('takes the running release from the newest finished success, so a rollback execution counts as what runs', () => {
    const observed = observeOutcome({
      releaseExecutionId: 'exec-release',
      records: [
        record({ environment: 'staging', executionId: 'exec-release', status: 'rolled-back', health: 'failed' }),
        record({ environment: 'staging', executionId: 'exec-rollback', commit: { id: GOOD }, isRollback: true, startedAt: '2026-11-10T10:02:00.000Z', finishedAt: '2026-11-10T10:03:00.000Z' }),
      ],
      events: [],
      notices: [],
    });
    expect(observed.running.staging).toBe(GOOD);
    expect(observed.deployments.staging).toEqual({ status: 'rolled-back', health: 'failed' });
  });
});

describe('selectScenarios', () => {
  it('runs all of them in the canonical order when none is named, the first-ever release first', () => {
    const selection = selectScenarios([]);
    const names = selection.kind === 'selected' ? selection.scenarios.map((chosen) => chosen.name) : [];
    expect(names).toHaveLength(15);
    expect(names[0]).toBe('first-release-fails-escalates');
    expect(SCENARIOS.filter((definition) => definition.beforeBaseline === true).map((definition) => definition.name)).toEqual(['first-release-fails-escalates']);
  });

  it('keeps the canonical order whatever order names are given in', () => {
    const selection = selectScenarios(['application-only-commit', 'clean-release']);
    expect(selection.kind === 'selected' ? selection.scenarios.map((chosen) => chosen.name) : []).toEqual(['clean-release', 'application-only-commit']);
  });

  it('reports the names it does not know', () => {
    expect(selectScenarios(['clean-release', 'chaos'])).toEqual({ kind: 'unknown', unknown: ['chaos'] });
  });

  it('never expects an environment to run a release that its expectations say was not deployed there', () => {
    for (const definition of SCENARIOS) {
      for (const [environment, running] of Object.entries(definition.expected.running)) {
        if (running === 'release') expect(definition.expected.deployments[environment as 'test']?.status, `${definition.name}/${environment}`).toBe('succeeded');
      }
    }
  });
});

describe('npm start arguments', () => {
  it.each([
    [[], { scenarios: [], keepEmulator: false }],
    [['--scenario', 'clean-release', '--scenario=application-only-commit'], { scenarios: ['clean-release', 'application-only-commit'], keepEmulator: false }],
    [['--scenario', 'clean-release,critical-alarm-stage-rollback', '--keep-emulator'], { scenarios: ['clean-release', 'critical-alarm-stage-rollback'], keepEmulator: true }],
  ])('accepts %j', (argv, expected) => {
    expect(parseRehearsalArguments(argv)).toEqual(expected);
  });

  it.each([
    [['--scenario'], '--scenario needs a name'],
    [['--scenario', 'chaos'], 'Unknown scenario "chaos": choose from first-release-fails-escalates, clean-release'],
    [['--fast'], 'Unknown argument "--fast"'],
  ])('rejects %j with the usage', (argv, message) => {
    expect(checkRehearsalArguments(argv)).toContain(message);
    expect(checkRehearsalArguments(argv)).toContain('Usage: npm start');
  });
});

describe('rehearsalPhase', () => {
  it('exits 2 with the fix when there is no cloud assembly, before starting any emulator', async () => {
    const out = new RecordingOutput();
    const code = await rehearsalPhase(['--scenario', 'clean-release'], { cwd: '/nonexistent-kiro-checkout', out, phases: [] });
    expect(code).toBe(2);
    expect(out.stderr).toMatch(/rehearsal: No cloud assembly in .*Run "npm run synth" first/);
  });

  it('exits 2 on an unknown scenario', async () => {
    const out = new RecordingOutput();
    expect(await rehearsalPhase(['--scenario', 'chaos'], { cwd: '/', out, phases: [] })).toBe(2);
  });
});
