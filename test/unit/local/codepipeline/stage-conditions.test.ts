/** Behaviour table rows 6–9 of docs/local-codepipeline.md: stage conditions. */
import { describe, expect, it } from 'vitest';
import { insideDeploymentWindow } from '../../../../src/local/codepipeline/deployment-window.js';
import type { ConditionDeclaration } from '../../../../src/local/codepipeline/declaration.js';
import { action, declaration, localPipeline, stage, startAndSettle } from './pipeline-fixture.js';

const notARollback: ConditionDeclaration = {
  result: 'SKIP',
  rules: [{ name: 'NotARollback', provider: 'VariableCheck', configuration: { Variable: '#{variables.KIRO_ROLLBACK}', Operator: 'EQ', Value: 'false' } }],
};

describe('local CodePipeline: stage conditions', () => {
  it('row 6: a BeforeEntry VariableCheck that fails with SKIP skips the stage and the execution goes on', async () => {
    const { pipeline, calls } = localPipeline(declaration([stage('Approve', [action('Check')], { beforeEntry: [notARollback] }), stage('Deploy', [action('Ship')])]));
    const normal = await startAndSettle(pipeline);
    const rollback = await startAndSettle(pipeline, { variables: [{ name: 'KIRO_ROLLBACK', value: 'true' }] });
    expect(pipeline.executions.get(normal)?.stages.get('Approve')?.status).toBe('Succeeded');
    expect(pipeline.executions.get(rollback)?.stages.get('Approve')).toMatchObject({ status: 'Skipped', summary: expect.stringContaining('NotARollback') as string });
    expect(pipeline.executions.get(rollback)?.status).toBe('Succeeded');
    expect(calls.filter((call) => call === 'Approve.Check')).toHaveLength(1);
  });

  it('row 7: a BeforeEntry condition with FAIL fails the stage before any action runs', async () => {
    const { pipeline, calls } = localPipeline(declaration([stage('Deploy', [action('Ship')], { beforeEntry: [{ ...notARollback, result: 'FAIL' }] })]));
    const id = await startAndSettle(pipeline, { variables: [{ name: 'KIRO_ROLLBACK', value: 'true' }] });
    expect(pipeline.executions.get(id)?.status).toBe('Failed');
    expect(pipeline.executions.get(id)?.stages.get('Deploy')?.summary).toContain('Entry condition NotARollback failed');
    expect(calls).not.toContain('Deploy.Ship');
  });

  it('row 8: a DeploymentWindow rule succeeds only inside its cron window, read in its time zone and on the pipeline clock', async () => {
    // Monday 2026-12-07: 09:30 in Berlin is 08:30 UTC.
    const window = '* * 9-16 ? * MON-THU *';
    expect(insideDeploymentWindow(window, 'Europe/Berlin', new Date('2026-12-07T08:30:00Z'))).toBe(true);
    expect(insideDeploymentWindow(window, 'Europe/Berlin', new Date('2026-12-07T07:30:00Z'))).toBe(false);
    expect(insideDeploymentWindow(window, 'UTC', new Date('2026-12-11T10:00:00Z'))).toBe(false); // a Friday
    expect(() => insideDeploymentWindow('* * 9 L * ? *', 'UTC', new Date())).toThrow(/L, W or #/);
    const closed = { result: 'FAIL', rules: [{ name: 'DeploymentWindow', provider: 'DeploymentWindow', configuration: { Cron: window, TimeZone: 'Europe/Berlin' } }] };
    const { pipeline } = localPipeline(declaration([stage('Deploy', [action('Ship')], { beforeEntry: [closed] })]), {}, { start: new Date('2026-12-12T12:00:00Z') });
    const id = await startAndSettle(pipeline);
    expect(pipeline.executions.get(id)?.stages.get('Deploy')?.summary).toContain('outside the window');
  });

  it('row 9: an OnSuccess CloudWatchAlarm rule engages its result when the alarm is in a listed state during WaitTime', async () => {
    const watch: ConditionDeclaration = { result: 'FAIL', rules: [{ name: 'Alarm', provider: 'CloudWatchAlarm', configuration: { AlarmName: 'errors', AlarmStates: 'ALARM', WaitTime: '5' } }] };
    const quiet = localPipeline(declaration([stage('Deploy', [action('Ship')], { onSuccess: [watch] })]), {}, { alarms: { errors: 'OK' } });
    const firing = localPipeline(declaration([stage('Deploy', [action('Ship')], { onSuccess: [watch] })]), {}, { alarms: { errors: 'ALARM' } });
    const calm = await startAndSettle(quiet.pipeline);
    const hot = await startAndSettle(firing.pipeline);
    expect(quiet.pipeline.executions.get(calm)?.status).toBe('Succeeded');
    expect(firing.pipeline.executions.get(hot)?.status).toBe('Failed');
    expect(firing.pipeline.executions.get(hot)?.stages.get('Deploy')?.summary).toContain('alarm errors is ALARM');
  });
});
