import { createHash } from 'node:crypto';
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { RollbackProgress } from '../../domain/rollback/rollback-progress.js';
import type { RollbackExecutionStart, RollbackExecutions } from '../../ports/rollback-executions.js';

/**
 * The execution name of a rollback key. Step Functions names are 1 to 80 characters without
 * whitespace, brackets, wildcards and `" # % \ ^ | ~ ` $ & , ; : /` (and, for CloudWatch Logs, best
 * only `0-9 A-Z a-z - _`): StartExecution API reference. A key holds `#` and may be long, so the name
 * is a readable prefix plus a hash of the whole key: the same key always gives the same name.
 */
export function rollbackExecutionName(key: string): string {
  const environment = key.split('#')[1] ?? 'rollback';
  const readable = environment.replace(/[^0-9A-Za-z_-]/g, '').slice(0, 16);
  return `rollback-${readable}-${createHash('sha256').update(key).digest('hex').slice(0, 48)}`;
}

/**
 * `RollbackExecutions` on Step Functions StartExecution. A second start under the same name answers
 * ExecutionAlreadyExists when the input differs (every trigger plans its own rollback id) or the first
 * execution has ended; with identical input it answers the first execution again (StartExecution API
 * reference: "Executions with the same name and input are considered idempotent"). Either way, one
 * execution per rollback key.
 */
export class SfnRollbackExecutions implements RollbackExecutions {
  constructor(
    private readonly client: Pick<SFNClient, 'send'>,
    private readonly stateMachineArn: string,
  ) {}

  async start(key: string, progress: RollbackProgress): Promise<RollbackExecutionStart> {
    try {
      const started = await this.client.send(new StartExecutionCommand({ stateMachineArn: this.stateMachineArn, name: rollbackExecutionName(key), input: JSON.stringify({ progress }) }));
      return { kind: 'started', executionArn: started.executionArn ?? '' };
    } catch (error) {
      if ((error as { name?: string }).name === 'ExecutionAlreadyExists') return { kind: 'exists' };
      throw error;
    }
  }
}
