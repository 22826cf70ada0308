/** One scenario's run as the report draws it; times are rehearsal-clock ISO strings. */
export interface ScenarioTimeline {
  readonly scenario: string;          // scenario name
  readonly description: string;
  readonly passed: boolean;           // ended as expected
  readonly differences: readonly string[]; // empty when passed
  readonly startedAt: string;
  readonly endedAt: string;
  readonly lanes: readonly StageLane[];   // one per pipeline stage, in pipeline order
  readonly marks: readonly TimelineMark[];
}
export interface StageLane {
  readonly stage: string;
  readonly bars: readonly ActionBar[];
}
export interface ActionBar {
  readonly action: string;
  readonly executionId: string;
  readonly executionType?: 'STANDARD' | 'ROLLBACK';
  readonly startedAt: string;
  readonly endedAt?: string;          // absent while running at the end
  readonly status: 'InProgress' | 'Succeeded' | 'Failed' | 'Abandoned' | 'Stopped' | 'Skipped';
  readonly summary?: string;
}
export interface TimelineMark {
  readonly kind: 'alarm' | 'rollback' | 'approval' | 'review' | 'commit' | 'notice' | 'operator';
  readonly at: string;
  readonly stage?: string;            // the lane it belongs to, if any
  readonly label: string;             // e.g. "critical alarm worker-errors-test ALARM", "stage rollback Staging-Application"
}
