import { describe, expect, it } from 'vitest';
import type { CommitInfo } from '../../../src/pipeline/domain/history-model.js';
import { compareAutomatedRollbacks, compareRacingStatuses } from '../../../src/rehearsal/scenarios/expected-executions.js';
import type { ExecutionView } from '../../../src/rehearsal/world/engine-read-back.js';

const first: CommitInfo = { id: 'a'.repeat(40) };
const second: CommitInfo = { id: 'b'.repeat(40) };

function execution(commitId: string, status: string, extra: Partial<ExecutionView> = {}): ExecutionView {
  return { id: `${commitId.slice(0, 4)}-${status}`, status, type: 'STANDARD', triggerType: 'Webhook', startedAt: new Date(0), commitId, rollbackRestart: false, stages: {}, ...extra };
}

describe('compareRacingStatuses: how each racing commit ended, read back over the API', () => {
  it.each([
    ['nothing expected: nothing compared', undefined, [first], [], []],
    ['the waiting execution superseded, the newest one through', ['Superseded', 'Succeeded'], [first, second], [execution(first.id, 'Superseded'), execution(second.id, 'Succeeded')], []],
    [
      'a race in which nobody waited (the two-commit race of before) is caught',
      ['Superseded', 'Succeeded'],
      [first, second],
      [execution(first.id, 'Succeeded'), execution(second.id, 'Succeeded')],
      [`racing commit 1 (aaaaaaaa): expected its execution Superseded, GetPipelineExecution shows Succeeded.`],
    ],
    ['fewer commits pushed than expected', ['Superseded', 'Succeeded'], [first], [execution(first.id, 'Succeeded')], ['expected 2 racing commit(s), 1 were pushed.']],
    [
      "a commit's rollback restart does not stand in for its own execution",
      ['Superseded'],
      [first],
      [execution(first.id, 'Succeeded', { rollbackRestart: true })],
      ['racing commit 1 (aaaaaaaa): expected its execution Superseded, GetPipelineExecution shows no execution.'],
    ],
  ] as const)('%s', (_why, expected, racing, executions, differences) => {
    expect(compareRacingStatuses(expected, racing, executions)).toEqual(differences);
  });
});

describe('compareAutomatedRollbacks: the stage rollbacks CodePipeline started by itself', () => {
  const rollback = (stage: string, triggerType: string): ExecutionView => execution('c'.repeat(40), 'Succeeded', { id: `${stage}-${triggerType}`, type: 'ROLLBACK', triggerType, stages: { [stage]: 'Succeeded' } });
  it.each([
    ['nothing expected: nothing compared', undefined, [rollback('Staging-Application', 'ManualRollback')], []],
    ["the stage's OnFailure rolled it back", ['Staging-Application'], [rollback('Staging-Application', 'AutomatedRollback')], []],
    [
      'only the orchestrator (RollbackStage) rolled it back: the OnFailure ROLLBACK is gone from the template',
      ['Staging-Application'],
      [rollback('Staging-Application', 'ManualRollback')],
      ['stage rollbacks CodePipeline started itself (trigger AutomatedRollback): expected [Staging-Application], it started [].'],
    ],
    [
      'a standard execution of the stage is no rollback',
      ['Staging-Application'],
      [execution('d'.repeat(40), 'Succeeded', { triggerType: 'AutomatedRollback', stages: { 'Staging-Application': 'Succeeded' } })],
      ['stage rollbacks CodePipeline started itself (trigger AutomatedRollback): expected [Staging-Application], it started [].'],
    ],
  ] as const)('%s', (_why, expected, executions, differences) => {
    expect(compareAutomatedRollbacks(expected, executions)).toEqual(differences);
  });
});
