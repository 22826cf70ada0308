/**
 * Builds the report's {@link ScenarioTimeline} from what the local CodePipeline recorded: one lane
 * per stage of the declaration in pipeline order, one bar per action execution (a skipped stage
 * shows its actions as skipped bars), and marks for rollback executions and approval answers, plus
 * the marks the rehearsal observed elsewhere (alarms, commits, notices, operator commands).
 */
import type { LocalCodePipeline } from '../../local/codepipeline/local-codepipeline.js';
import type { ActionBar, ScenarioTimeline, StageLane, TimelineMark } from './scenario-timeline.js';

/** What the timeline is built for. */
export interface TimelineRequest {
  readonly scenario: string;
  readonly description: string;
  readonly differences: readonly string[];
  /** The executions the scenario started or caused (its release, rollbacks, restarts). */
  readonly executionIds: ReadonlySet<string>;
  readonly startedAt: Date;
  readonly endedAt: Date;
  /** Marks observed outside the pipeline. */
  readonly marks: readonly TimelineMark[];
}

/** The scenario's timeline, read from the pipeline's records. */
export function timelineFromPipeline(pipeline: LocalCodePipeline, request: TimelineRequest): ScenarioTimeline {
  const executions = [...pipeline.executions.values()].filter((execution) => request.executionIds.has(execution.id));
  const lanes: StageLane[] = pipeline.declaration.stages.map((stage) => {
    const bars: ActionBar[] = pipeline.actionExecutions
      .filter((record) => record.stageName === stage.name && request.executionIds.has(record.pipelineExecutionId))
      .map((record) => {
        const type = pipeline.executions.get(record.pipelineExecutionId)?.type;
        return {
          action: record.actionName,
          executionId: record.pipelineExecutionId,
          ...(type === undefined ? {} : { executionType: type }),
          startedAt: record.startTime.toISOString(),
          ...(record.status === 'InProgress' ? {} : { endedAt: record.lastUpdateTime.toISOString() }),
          status: record.status,
          ...(record.summary === undefined ? {} : { summary: record.summary }),
        };
      });
    for (const execution of executions) {
      const ran = execution.stages.get(stage.name);
      if (ran?.status !== 'Skipped') continue;
      for (const action of stage.actions) {
        bars.push({ action: action.name, executionId: execution.id, executionType: execution.type, startedAt: ran.startedAt.toISOString(), endedAt: ran.startedAt.toISOString(), status: 'Skipped', ...(ran.summary === undefined ? {} : { summary: ran.summary }) });
      }
    }
    return { stage: stage.name, bars: bars.sort((a, b) => a.startedAt.localeCompare(b.startedAt)) };
  });
  const pipelineMarks: TimelineMark[] = [
    ...executions
      .filter((execution) => execution.type === 'ROLLBACK')
      .map((execution) => {
        const stage = [...execution.stages.keys()][0];
        return { kind: 'rollback' as const, at: execution.startedAt.toISOString(), ...(stage === undefined ? {} : { stage }), label: `stage rollback ${stage ?? ''} (${execution.trigger.triggerType}) ${execution.status}` };
      }),
    ...pipeline.actionExecutions
      .filter((record) => record.actionTypeId.category === 'Approval' && record.status !== 'InProgress' && request.executionIds.has(record.pipelineExecutionId))
      .map((record) => ({ kind: 'approval' as const, at: record.lastUpdateTime.toISOString(), stage: record.stageName, label: `${record.actionName} ${record.status === 'Succeeded' ? 'approved' : 'not approved'}${record.summary === undefined ? '' : `: ${record.summary}`}` })),
  ];
  return {
    scenario: request.scenario,
    description: request.description,
    passed: request.differences.length === 0,
    differences: request.differences,
    startedAt: request.startedAt.toISOString(),
    endedAt: request.endedAt.toISOString(),
    lanes,
    marks: [...pipelineMarks, ...request.marks].sort((a, b) => a.at.localeCompare(b.at)),
  };
}
