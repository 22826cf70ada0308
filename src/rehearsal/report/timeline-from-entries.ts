/**
 * Turns today's rehearsal timeline (the merged list of what was fired, recorded and notified) into the
 * report's picture model, {@link ScenarioTimeline}: lanes of action bars per stage and marks for
 * alarms, rollbacks, approvals, reviews, commits, notices and people's actions.
 *
 * Transitional: the driver that replaces `scenario-driver.ts` produces `ScenarioTimeline` itself.
 * Until then this reads the history events and notices each entry carries; only the driver's own
 * stimuli are plain sentences, classified by their wording.
 */
import type { ActionState, EnvironmentName, HistoryEvent, StageEvent } from '../../pipeline/domain/history-model.js';
import type { OutcomeVerdict } from '../outcome.js';
import type { TimelineEntry } from '../timeline.js';
import type { ActionBar, ScenarioTimeline, StageLane, TimelineMark } from './scenario-timeline.js';

/** What the converter needs of one finished scenario run. */
export interface ScenarioRunSummary {
  readonly scenario: string;
  readonly description: string;
  readonly verdict: OutcomeVerdict;
  readonly timeline: readonly TimelineEntry[];
}

/**
 * Trigger types of the executions CodePipeline runs as `ROLLBACK` executions (`executionType`): a
 * stage rollback started by `RollbackStage` (`ManualRollback`, how the rehearsal reports the
 * orchestrator's call, docs/rehearsal.md) or by an `OnFailure` ROLLBACK condition (`AutomatedRollback`).
 * Valid trigger types: https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_ExecutionTrigger.html;
 * execution types: https://docs.aws.amazon.com/codepipeline/latest/APIReference/API_PipelineExecution.html
 */
const ROLLBACK_TRIGGERS: ReadonlySet<string> = new Set(['ManualRollback', 'AutomatedRollback']);

const FINAL_ACTION_STATUS: Readonly<Record<Exclude<ActionState, 'STARTED'>, ActionBar['status']>> = {
  SUCCEEDED: 'Succeeded',
  FAILED: 'Failed',
  ABANDONED: 'Abandoned',
  CANCELED: 'Stopped',
};

interface OpenBar {
  readonly stage: string;
  readonly action: string;
  readonly executionId: string;
  startedAt: string;
  endedAt?: string;
  status: ActionBar['status'];
  summary?: string;
}

/** Converts one scenario run; lanes follow the order in which stages first appear, which is pipeline order. */
export function scenarioTimelineFromEntries(run: ScenarioRunSummary): ScenarioTimeline {
  const entries = run.timeline;
  const startedAt = entries[0]?.at ?? new Date(0).toISOString();
  const endedAt = entries.at(-1)?.at ?? startedAt;
  const events = entries.flatMap((entry) => (entry.event === undefined ? [] : [entry.event]));
  const stageEvents = events.filter((event): event is StageEvent => event.kind === 'stage');
  const stageOf = stageLocator(stageEvents);
  return {
    scenario: run.scenario,
    description: run.description,
    passed: run.verdict.kind === 'as-expected',
    differences: run.verdict.kind === 'unexpected' ? run.verdict.differences : [],
    startedAt,
    endedAt,
    lanes: lanesFrom(events, executionTypes(events)),
    marks: entries.flatMap((entry) => {
      const mark = markFor(entry, stageOf);
      return mark === undefined ? [] : [mark];
    }),
  };
}

function executionTypes(events: readonly HistoryEvent[]): ReadonlyMap<string, 'STANDARD' | 'ROLLBACK'> {
  const types = new Map<string, 'STANDARD' | 'ROLLBACK'>();
  for (const event of events) {
    if (event.kind === 'execution' && event.triggerType !== undefined) types.set(event.executionId, ROLLBACK_TRIGGERS.has(event.triggerType) ? 'ROLLBACK' : 'STANDARD');
  }
  return types;
}

/**
 * Builds the bars. The rehearsal records each action's final event but (except the approval's) not
 * its start, so an action without a STARTED event is drawn from the end of the previous action of
 * the same stage execution, or from the stage's start: the actions of a stage run one after another.
 */
function lanesFrom(events: readonly HistoryEvent[], types: ReadonlyMap<string, 'STANDARD' | 'ROLLBACK'>): StageLane[] {
  const order: string[] = [];
  const bars = new Map<string, OpenBar[]>();
  const lastEnd = new Map<string, string>();
  const seeStage = (stage: string): OpenBar[] => {
    let list = bars.get(stage);
    if (list === undefined) {
      list = [];
      bars.set(stage, list);
      order.push(stage);
    }
    return list;
  };
  for (const event of events) {
    if (event.kind === 'stage') {
      seeStage(event.stage);
      if (event.state === 'STARTED') lastEnd.set(`${event.executionId}/${event.stage}`, event.at);
    }
    if (event.kind !== 'action') continue;
    const list = seeStage(event.stage);
    const stageExecution = `${event.executionId}/${event.stage}`;
    const open = list.find((bar) => bar.executionId === event.executionId && bar.action === event.action && bar.status === 'InProgress');
    if (event.state === 'STARTED') {
      if (open === undefined) list.push({ stage: event.stage, action: event.action, executionId: event.executionId, startedAt: event.at, status: 'InProgress' });
      continue;
    }
    const bar = open ?? { stage: event.stage, action: event.action, executionId: event.executionId, startedAt: lastEnd.get(stageExecution) ?? event.at, status: 'InProgress' as const };
    if (open === undefined) list.push(bar);
    bar.endedAt = event.at;
    bar.status = FINAL_ACTION_STATUS[event.state];
    if (event.summary !== undefined) bar.summary = event.summary;
    lastEnd.set(stageExecution, event.at);
  }
  return order.map((stage) => ({
    stage,
    bars: (bars.get(stage) ?? []).map((bar): ActionBar => {
      const type = types.get(bar.executionId);
      return {
        action: bar.action,
        executionId: bar.executionId,
        ...(type === undefined ? {} : { executionType: type }),
        startedAt: bar.startedAt,
        ...(bar.endedAt === undefined ? {} : { endedAt: bar.endedAt }),
        status: bar.status,
        ...(bar.summary === undefined ? {} : { summary: bar.summary }),
      };
    }),
  }));
}

/** The stage of an environment that was running at a time: the one of its stages that started last before it. */
function stageLocator(stageEvents: readonly StageEvent[]): (environment: EnvironmentName | undefined, at: string) => string | undefined {
  const starts = stageEvents.filter((event) => event.state === 'STARTED' && event.environment !== undefined);
  return (environment, at) => {
    if (environment === undefined) return undefined;
    const time = Date.parse(at);
    let found: string | undefined;
    for (const event of starts) {
      if (event.environment === environment && Date.parse(event.at) <= time) found = event.stage;
    }
    return found ?? starts.find((event) => event.environment === environment)?.stage;
  };
}

/**
 * The stage a notice is about, from the `Stage:` line its e-mail text carries
 * (src/pipeline/domain/notifications/render-notice.ts); `none (whole execution)` names none.
 */
function stageNamedIn(text: string): string | undefined {
  const named = /^Stage:\s+(\S+)\s*$/m.exec(text)?.[1];
  return named === undefined || named === 'none' ? undefined : named;
}

type StageOf = (environment: EnvironmentName | undefined, at: string) => string | undefined;

function mark(kind: TimelineMark['kind'], at: string, stage: string | undefined, label: string): TimelineMark {
  return { kind, at, ...(stage === undefined ? {} : { stage }), label };
}

function markFor(entry: TimelineEntry, stageOf: StageOf): TimelineMark | undefined {
  if (entry.notice !== undefined) {
    const headline = entry.notice.text.split('\n').find((line) => line.trim() !== '')?.trim() ?? '';
    return mark('notice', entry.at, stageNamedIn(entry.notice.text) ?? stageOf(entry.notice.environment, entry.at), `${entry.notice.kind}: ${headline}`);
  }
  if (entry.event !== undefined) return markForEvent(entry.event, stageOf);
  if (entry.kind === 'fired') return mark(stimulusKind(entry.summary), entry.at, stageOf(entry.environment, entry.at), entry.summary);
  return undefined;
}

function markForEvent(event: HistoryEvent, stageOf: StageOf): TimelineMark | undefined {
  switch (event.kind) {
    case 'health-check': {
      if (event.verdict === 'check' || event.verdict === 'pass') return undefined;
      const firing = event.alarms.filter((alarm) => alarm.state !== 'OK').map((alarm) => `${alarm.severity} alarm ${alarm.name} ${alarm.state}`);
      const kind = event.verdict === 'fail' ? 'alarm' : 'review';
      return mark(kind, event.at, stageOf(event.environment, event.at), `health check ${event.verdict}: ${firing.length === 0 ? event.reason : firing.join(', ')}`);
    }
    case 'rollback':
      return mark('rollback', event.at, stageOf(event.environment, event.at), `${event.scope} rollback ${event.phase}: ${event.reason}`);
    case 'approval':
      return mark('approval', event.at, stageOf(event.environment, event.at), `approval ${event.decision}${event.actor === undefined ? '' : ` by ${event.actor}`}`);
    case 'execution':
    case 'stage':
    case 'action':
      return undefined;
  }
}

/** The driver's stimuli are sentences (scenario-driver.ts `fire`); their wording says what kind they are. */
function stimulusKind(summary: string): TimelineMark['kind'] {
  if (summary.startsWith('pushed ')) return 'commit';
  if (/\balarm\b.*\bset to ALARM\b/.test(summary)) return 'alarm';
  if (summary.startsWith('reviewer ')) return 'review';
  if (/\b(approves|rejects) the deployment\b/.test(summary)) return 'approval';
  return 'operator';
}
