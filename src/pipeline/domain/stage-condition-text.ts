/**
 * A declared stage's conditions as lines a person reads (`VariableCheck INFRA_TEST EQ deploy else
 * SKIP`): entry, on success, on failure, in the order CodePipeline applies them.
 *
 * Pure: no CDK, no AWS SDK, no I/O.
 */
import type { ParsedCondition, ParsedRule, ParsedStage } from './declared-pipeline.js';
import { renderValue } from './template-value.js';

/** One condition of a stage, in a line a person reads. */
export interface LayoutCondition {
  /** When CodePipeline evaluates it. */
  readonly when: 'entry' | 'on success' | 'on failure';
  /** Such as `VariableCheck INFRA_TEST EQ deploy else SKIP`. */
  readonly text: string;
}

/** `#{Assets@Detect-test.INFRA_TEST}` reads as `INFRA_TEST`: the variable's name says enough. */
function variableName(reference: string): string {
  // The name after the last dot, found with lastIndexOf: a pattern such as `(?:[^}]*\.)?([^.}]+)`
  // backtracks over every dot (security/detect-unsafe-regex).
  const inner = /^#\{([^}]*)\}$/.exec(reference)?.[1];
  const name = inner?.slice(inner.lastIndexOf('.') + 1) ?? '';
  return name === '' ? reference : name;
}

/** How an alarm rule watches, after the alarm's name: ` in ALARM,INSUFFICIENT_DATA (1 min)`. */
function alarmWatch(parsed: ParsedRule): string {
  // ALARM is the state every rule of this pipeline watches; show the states only when they differ.
  const states = renderValue(parsed.Configuration.AlarmStates);
  const wait = renderValue(parsed.Configuration.WaitTime);
  return `${states === '' || states === 'ALARM' ? '' : ` in ${states}`}${wait === '' ? '' : ` (${wait} min)`}`;
}

function ruleText(parsed: ParsedRule): string {
  const provider = renderValue(parsed.RuleTypeId.Provider);
  const config = (key: string): string => renderValue(parsed.Configuration[key]);
  switch (provider) {
    case 'VariableCheck':
      return `VariableCheck ${variableName(config('Variable'))} ${config('Operator')} ${config('Value')}`;
    case 'CloudWatchAlarm':
      return `CloudWatchAlarm ${config('AlarmName')}${alarmWatch(parsed)}`;
    case 'DeploymentWindow':
      return `DeploymentWindow ${config('Cron')}${config('TimeZone') === '' ? '' : ` ${config('TimeZone')}`}`;
    case 'LambdaInvoke':
      return `LambdaInvoke ${config('FunctionName')}`;
    default: {
      const settings = Object.keys(parsed.Configuration).map((key) => `${key}=${config(key)}`);
      return [provider, ...settings].join(' ');
    }
  }
}

/**
 * The rules of one condition, all of which must pass. Alarm rules that differ only in the alarm
 * read as one (`CloudWatchAlarm a, b (1 min)`): an application stage watches several alarms.
 */
function rulesText(parsed: ParsedCondition): string {
  if (parsed.Rules.length === 0) return '(no rules)';
  const isAlarm = (declared: ParsedRule): boolean => renderValue(declared.RuleTypeId.Provider) === 'CloudWatchAlarm';
  const [first, ...rest] = parsed.Rules;
  if (first !== undefined && rest.length > 0 && isAlarm(first) && rest.every((declared) => isAlarm(declared) && alarmWatch(declared) === alarmWatch(first))) {
    return `CloudWatchAlarm ${parsed.Rules.map((declared) => renderValue(declared.Configuration.AlarmName)).join(', ')}${alarmWatch(first)}`;
  }
  return parsed.Rules.map(ruleText).join(' and ');
}

/** A condition's result; CloudFormation leaves it optional, so its absence is shown, not hidden. */
function resultText(result: unknown): string {
  const text = renderValue(result);
  return text === '' ? '(no result)' : text;
}

/** The conditions of a declared stage: entry conditions first, then on success, then on failure. */
export function stageConditions(parsed: ParsedStage): LayoutCondition[] {
  const lines: LayoutCondition[] = [];
  // Entry and success conditions apply their result when a rule does not pass, hence "else".
  for (const entry of parsed.BeforeEntry?.Conditions ?? []) lines.push({ when: 'entry', text: `${rulesText(entry)} else ${resultText(entry.Result)}` });
  for (const success of parsed.OnSuccess?.Conditions ?? []) lines.push({ when: 'on success', text: `${rulesText(success)} else ${resultText(success.Result)}` });
  const failure = parsed.OnFailure;
  if (failure !== undefined) {
    const retry = failure.RetryConfiguration === undefined ? '' : ` (${renderValue(failure.RetryConfiguration.RetryMode)})`;
    if (failure.Result !== undefined || failure.Conditions.length === 0) lines.push({ when: 'on failure', text: `${resultText(failure.Result)}${retry}` });
    for (const rules of failure.Conditions) lines.push({ when: 'on failure', text: `${rulesText(rules)} → ${resultText(rules.Result)}` });
  }
  return lines;
}

