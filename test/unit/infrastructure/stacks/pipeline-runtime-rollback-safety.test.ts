import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { AlarmEventBusAccess, alarmEventStatementId } from '../../../../infrastructure/lib/constructs/health-monitor/alarm-event-bus-access.js';
import { PipelineRuntimeStack } from '../../../../infrastructure/lib/stacks/pipeline-runtime-stack.js';
import { testApp } from '../../../support/test-app.js';

const config = loadDeploymentConfig();

function runtimeTemplate(): Template {
  const app = testApp();
  const stack = new PipelineRuntimeStack(app, 'Runtime', { config, env: { account: config.pipeline.account, region: config.pipeline.region } });
  return Template.fromStack(stack);
}

/** Issue 11: what the runtime stack must get right for the rollback paths to hold on AWS. */
describe('PipelineRuntimeStack rollback safety', () => {
  let template: Template;
  beforeAll(() => {
    template = runtimeTemplate();
  }, 120_000);

  it('ends the health monitor before CodePipeline times its action out (one hour), so a late review answer changes nothing', () => {
    // The health monitor's state machine (the CodePipeline action); the rollback's is no action and follows longer paths.
    const healthMonitors = Object.entries(template.findResources('AWS::StepFunctions::StateMachine')).filter(([logicalId]) => logicalId.includes('HealthMonitor'));
    expect(healthMonitors).toHaveLength(1);
    const definitions = JSON.stringify(Object.fromEntries(healthMonitors));
    const timeouts = [...definitions.matchAll(/\\"TimeoutSeconds\\":(\d+)/g)].map((match) => Number(match[1]));
    // The execution's own timeout is the largest: every task timeout (watch, review) lies inside it.
    const executionTimeout = Math.max(...timeouts);
    const longestBakeAndReview = Math.max(...config.environments.map((environment) => environment.healthCheck.durationSeconds + environment.healthCheck.reviewTimeoutMinutes * 60));
    expect(executionTimeout).toBeLessThan(3600);
    expect(executionTimeout).toBeGreaterThan(longestBakeAndReview);
  });

  it('sizes the orchestrator\'s waits to the example\'s slowest stage rollback (staging: deploy + 8-minute e2e suite = 720 s), not a fixed 360 s', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ROLLBACK_STAGE_WAIT_SECONDS: '720', ROLLBACK_FULL_WAIT_SECONDS: '720' }) },
    });
  });

  it('pages the team when a rollback trigger or an alarm event lands in a dead-letter queue', () => {
    const queues = Object.keys(template.findResources('AWS::SQS::Queue'));
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')) as { Properties: { Dimensions?: { Name: string; Value: { 'Fn::GetAtt'?: string[] } }[]; AlarmActions?: unknown[]; MetricName?: string } }[];
    const watched = alarms
      .filter((alarm) => alarm.Properties.MetricName === 'ApproximateNumberOfMessagesVisible' && (alarm.Properties.AlarmActions ?? []).length > 0)
      .flatMap((alarm) => (alarm.Properties.Dimensions ?? []).map((dimension) => dimension.Value['Fn::GetAtt']?.[0]));
    for (const queue of queues.filter((id) => /Rollback|AlarmEvents/.test(id))) expect(watched, queue).toContain(queue);
    expect(queues.filter((id) => /Rollback|AlarmEvents/.test(id))).toHaveLength(2);
  });

  it('logs the health monitor state machine under /aws/vendedlogs/states/, as Step Functions advises for the 5,120-character log resource policy', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', { LogGroupName: `/aws/vendedlogs/states/${config.pipeline.name}-health-monitor` });
  });

  it('names each event-bus policy statement after its pipeline', () => {
    template.hasResourceProperties('AWS::Events::EventBusPolicy', { StatementId: `${config.pipeline.name}-alarm-events-222222222222` });
  });
});

/**
 * Two pipelines watching the same environment account: CloudFormation uses the statement id as the
 * physical id of the bus policy statement, so a shared id would let one pipeline's stack replace (or,
 * on delete, remove) the other's permission.
 */
describe('AlarmEventBusAccess statement ids', () => {
  const environments = [{ name: 'test' as const, account: '222222222222' }];
  const statementIds = (pipelineName: string): string[] => {
    const stack = new Stack(testApp(), 'Runtime', { env: { account: '111111111111', region: 'us-east-1' } });
    new AlarmEventBusAccess(stack, 'Bus', { pipelineName, pipelineAccount: '111111111111', environments });
    return Object.values(Template.fromStack(stack).findResources('AWS::Events::EventBusPolicy')).map((policy) => (policy as { Properties: { StatementId: string } }).Properties.StatementId);
  };

  it('differ between two pipelines that watch the same account', () => {
    const first = statementIds('kiro-codebuild-worker');
    const second = statementIds('kiro-other-service');
    expect(first).toHaveLength(1);
    expect(second).toHaveLength(1);
    expect(first[0]).not.toBe(second[0]);
  });

  it.each([
    ['a plain name stays readable', 'kiro-codebuild-worker', /^kiro-codebuild-worker-alarm-events-222222222222$/],
    ['characters the id refuses (. and @) are replaced and the name hashed, so a.b and a-b differ', 'kiro.worker@team', /^kiro-worker-team-[0-9a-f]{10}-alarm-events-222222222222$/],
    ['a 100-character name is cut to 64 characters with its hash', 'p'.repeat(100), /^p+-[0-9a-f]{10}-alarm-events-222222222222$/],
  ])('%s', (_why, pipelineName, expected) => {
    const id = alarmEventStatementId(pipelineName, '222222222222');
    expect(id).toMatch(expected);
    expect(id).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
  });

  it('keeps names that differ only in refused characters apart', () => {
    expect(alarmEventStatementId('a.b', '222222222222')).not.toBe(alarmEventStatementId('a-b', '222222222222'));
  });
});
