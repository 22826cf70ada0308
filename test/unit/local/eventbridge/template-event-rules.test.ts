import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { matchesEventPattern } from '../../../../src/local/eventbridge/event-pattern.js';
import { eventRulesOf, TemplateEventBus } from '../../../../src/local/eventbridge/template-event-rules.js';
import type { SynthesizedStack } from '../../../../src/local/synthesized-templates.js';

/** The FAILED pipeline-execution event of the documented fixture. */
const failed = (JSON.parse(readFileSync('test/fixtures/events/codepipeline-execution-failed.json', 'utf8')) as { 'detail-type': string; detail: { state: string } }[]).find(
  (event) => event['detail-type'] === 'CodePipeline Pipeline Execution State Change' && event.detail.state === 'FAILED',
) as unknown as Record<string, unknown>;

describe('EventBridge patterns', () => {
  it.each([
    ['a listed value matches', { source: ['aws.codepipeline'] }, true],
    ['an unlisted value does not', { source: ['aws.states'] }, false],
    ['nested fields match field by field', { detail: { state: ['FAILED'] } }, true],
    ['a missing field does not match a value', { detail: { stage: ['Staging-Application'] } }, false],
    ['exists: false matches a missing field', { detail: { stage: [{ exists: false }] } }, true],
    ['prefix', { 'detail-type': [{ prefix: 'CodePipeline Pipeline' }] }, true],
    ['anything-but', { detail: { state: [{ 'anything-but': ['SUCCEEDED'] }] } }, true],
  ])('%s (the documented CodePipeline execution event)', (_why, pattern, expected) => {
    expect(matchesEventPattern(pattern, failed)).toBe(expected);
  });

  it('refuses an operator it does not evaluate', () => {
    expect(() => matchesEventPattern({ detail: { version: [{ numeric: ['>', 0] }] } }, failed)).toThrow(/numeric/);
  });
});

describe('the template event bus', () => {
  const stack: SynthesizedStack = {
    artifactId: 'Runtime',
    stage: '',
    stackName: 'Runtime',
    templateFile: 'runtime.json',
    outputs: {},
    resources: {
      Recorder: { Type: 'AWS::Lambda::Function' },
      Trigger: { Type: 'AWS::Lambda::Function' },
      All: { Type: 'AWS::Events::Rule', Properties: { EventPattern: { source: ['aws.codepipeline'] }, Targets: [{ Arn: { 'Fn::GetAtt': ['Recorder', 'Arn'] }, Id: 'r' }] } },
      Failures: { Type: 'AWS::Events::Rule', Properties: { EventPattern: { source: ['aws.codepipeline'], detail: { state: ['FAILED'] } }, Targets: [{ Arn: { 'Fn::GetAtt': ['Trigger', 'Arn'] }, Id: 't' }, { Arn: 'arn:aws:lambda:us-east-1:1:function:elsewhere', Id: 'x' }] } },
      Schedule: { Type: 'AWS::Events::Rule', Properties: { ScheduleExpression: 'rate(1 day)', Targets: [] } },
    },
  };

  it('routes an event to the handlers bound to the ARNs of every matching rule, and reports a target it cannot reach', async () => {
    const rules = eventRulesOf([stack], { region: 'us-east-1', account: '123456789012' });
    expect(rules.map((rule) => rule.logicalId)).toEqual(['All', 'Failures']);
    const received: string[] = [];
    const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:Runtime-${name}`;
    const bus = new TemplateEventBus(
      rules,
      new Map([
        [arn('Recorder'), () => Promise.resolve(void received.push('recorder'))],
        [arn('Trigger'), () => Promise.resolve(void received.push('trigger'))],
      ]),
    );
    await bus.put(failed);
    await bus.put({ ...failed, detail: { ...(failed.detail as object), state: 'SUCCEEDED' } });
    expect(received).toEqual(['recorder', 'trigger', 'recorder']);
    expect(bus.unreachable).toEqual([{ rule: 'Failures', targetArn: 'arn:aws:lambda:us-east-1:1:function:elsewhere' }]);
  });

  it('hands each target one event at a time in the order put when asked, while other targets run beside it; a failure does not stop the queue', async () => {
    const rules = eventRulesOf([stack], { region: 'us-east-1', account: '123456789012' });
    const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:Runtime-${name}`;
    const log: string[] = [];
    let running = 0;
    let most = 0;
    const recorder = async (event: unknown): Promise<void> => {
      running += 1;
      most = Math.max(most, running);
      const state = (event as { detail: { state: string } }).detail.state;
      log.push(`start ${state}`);
      // The first event takes longest: without the queue the later ones would overtake it.
      await new Promise((resolve) => setTimeout(resolve, state === 'FAILED' ? 30 : 1));
      log.push(`end ${state}`);
      running -= 1;
      if (state === 'STOPPED') throw new Error('recorder failed');
    };
    const bus = new TemplateEventBus(rules, new Map([[arn('Recorder'), recorder], [arn('Trigger'), () => Promise.resolve(void log.push('trigger'))]]), { oneAtATimePerTarget: true });
    const states = ['FAILED', 'STOPPED', 'SUCCEEDED'];
    const puts = states.map((state) => bus.put({ ...failed, detail: { ...(failed.detail as object), state } }));
    const settled = await Promise.allSettled(puts);
    expect(settled.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(most).toBe(1);
    expect(log.filter((entry) => entry !== 'trigger')).toEqual(['start FAILED', 'end FAILED', 'start STOPPED', 'end STOPPED', 'start SUCCEEDED', 'end SUCCEEDED']);
    // The trigger's rule matched the first event and was not held behind the recorder's queue.
    expect(log.indexOf('trigger')).toBeLessThan(log.indexOf('end FAILED'));
  });
});
