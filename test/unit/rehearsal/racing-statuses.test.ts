import { describe, expect, it } from 'vitest';
import type { CommitInfo } from '../../../src/pipeline/domain/history-model.js';
import { compareRacingStatuses } from '../../../src/rehearsal/run-scenario.js';
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
