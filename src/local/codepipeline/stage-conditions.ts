/**
 * Evaluates the rules of stage conditions as CodePipeline does
 * ([stage conditions](https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-conditions.html),
 * [rule reference](https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference.html)):
 * all rules of a condition must succeed for the condition to be met; when one fails, the
 * condition's result engages. Rules: VariableCheck, DeploymentWindow (against the pipeline's
 * clock), CloudWatchAlarm (alarm state read through a port, watched for WaitTime minutes).
 */
import { MalformedInputError } from '../../shared/errors.js';
import { insideDeploymentWindow } from './deployment-window.js';
import type { ConditionDeclaration, RuleDeclaration } from './declaration.js';
import { resolveConfiguration, type VariableScope } from './variable-resolution.js';

/** Reads an alarm's state (`OK`, `ALARM`, `INSUFFICIENT_DATA`); the emulator's CloudWatch in the rehearsal. */
export interface AlarmStateReader {
  stateOf(alarmName: string): Promise<string | undefined>;
}

/** What rule evaluation needs: time, alarms and the execution's variables. */
export interface RuleContext {
  readonly now: () => Date;
  readonly sleep: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  readonly alarms: AlarmStateReader;
  readonly scope: VariableScope;
  readonly signal?: AbortSignal;
}

/** One rule's outcome, with the reason CodePipeline would show. */
export interface RuleOutcome {
  readonly rule: string;
  readonly succeeded: boolean;
  readonly reason: string;
}

/** How often the CloudWatchAlarm rule looks at its alarm while it waits (rehearsal choice: one minute). */
export const ALARM_POLL_MILLISECONDS = 60_000;

function variableCheck(config: Readonly<Record<string, string>>): { succeeded: boolean; reason: string } {
  const actual = config.Variable ?? '';
  const expected = config.Value ?? '';
  const operator = config.Operator ?? 'EQ';
  const results: Readonly<Record<string, () => boolean>> = {
    EQ: () => actual === expected,
    NE: () => actual !== expected,
    CONTAINS: () => actual.includes(expected),
    // eslint-disable-next-line security/detect-non-literal-regexp -- the pattern is the VariableCheck value of our own synthesized template, evaluated locally as CodePipeline does; no outside input
    MATCHES: () => new RegExp(expected).test(actual),
  };
  const check = results[operator];
  if (check === undefined) throw new MalformedInputError(`VariableCheck operator ${operator} is not one of EQ, NE, CONTAINS, MATCHES.`, { operator });
  const succeeded = check();
  return { succeeded, reason: `${JSON.stringify(actual)} ${operator} ${JSON.stringify(expected)} is ${succeeded}` };
}

async function cloudWatchAlarm(config: Readonly<Record<string, string>>, context: RuleContext): Promise<{ succeeded: boolean; reason: string }> {
  const alarm = config.AlarmName ?? '';
  const states = (config.AlarmStates ?? 'ALARM').split(',').map((state) => state.trim());
  // WaitTime is in minutes: the rule watches the alarm for that long and fails as soon as it is in a listed state.
  const waitMs = Number(config.WaitTime ?? '0') * 60_000;
  const until = context.now().getTime() + waitMs;
  for (;;) {
    const state = await context.alarms.stateOf(alarm);
    if (state !== undefined && states.includes(state)) return { succeeded: false, reason: `alarm ${alarm} is ${state}` };
    const left = until - context.now().getTime();
    if (left <= 0) return { succeeded: true, reason: `alarm ${alarm} stayed out of ${states.join('/')} for ${config.WaitTime ?? '0'} minute(s)` };
    await context.sleep(Math.min(left, ALARM_POLL_MILLISECONDS), context.signal);
  }
}

/** Evaluates one rule, its configuration's variable references resolved first. */
export async function evaluateRule(rule: RuleDeclaration, context: RuleContext): Promise<RuleOutcome> {
  const config = resolveConfiguration(rule.configuration, context.scope);
  switch (rule.provider) {
    case 'VariableCheck':
      return { rule: rule.name, ...variableCheck(config) };
    case 'DeploymentWindow': {
      const inside = insideDeploymentWindow(config.Cron ?? '', config.TimeZone, context.now());
      return { rule: rule.name, succeeded: inside, reason: `${context.now().toISOString()} is ${inside ? 'inside' : 'outside'} the window ${config.Cron ?? ''} ${config.TimeZone ?? 'UTC'}` };
    }
    case 'CloudWatchAlarm':
      return { rule: rule.name, ...(await cloudWatchAlarm(config, context)) };
    default:
      throw new MalformedInputError(`The local CodePipeline does not evaluate the ${rule.provider} rule (rule ${rule.name}).`, { provider: rule.provider });
  }
}

/** The first condition whose result engages (one of its rules failed), with the failing rule; undefined when every condition is met. */
export async function engagedCondition(
  conditions: readonly ConditionDeclaration[],
  context: RuleContext,
): Promise<{ readonly condition: ConditionDeclaration; readonly outcome: RuleOutcome } | undefined> {
  for (const condition of conditions) {
    for (const rule of condition.rules) {
      const outcome = await evaluateRule(rule, context);
      if (!outcome.succeeded) return { condition, outcome };
    }
  }
  return undefined;
}
