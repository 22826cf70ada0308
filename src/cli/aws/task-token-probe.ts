import { SendTaskHeartbeatCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ConfigurationError } from '../../shared/errors.js';
import { LOCAL_SUPPORT_DOC, awsCall } from './aws-errors.js';
import type { AwsClientConfig } from './aws-options.js';

/** A token no Step Functions task can have: it is not in the service's token format. */
const IMPOSSIBLE_TOKEN = 'kiro-cd-probe-not-a-task-token';

/**
 * The answers Step Functions gives SendTaskHeartbeat for a token of no running task (API reference,
 * SendTaskHeartbeat, "Errors": https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskHeartbeat.html).
 */
const NO_SUCH_TASK = new Set(['InvalidToken', 'TaskDoesNotExist', 'TaskTimedOut']);

/**
 * Before `approve`/`reject` answer a task token on an `--endpoint-url` override, checks that the
 * endpoint really runs Step Functions task tokens: it must refuse a heartbeat for a token that
 * cannot exist. The local emulator accepts any token, so an approval sent there would be reported
 * as done while no health check ever hears of it. Only called for an endpoint override: AWS's own
 * endpoints are Step Functions.
 */
export async function checkServesTaskTokens(client: AwsClientConfig, endpoint: string): Promise<void> {
  const sfn = new SFNClient(client);
  const refused = await awsCall(
    'checking that the endpoint runs Step Functions task tokens',
    async () => {
      try {
        await sfn.send(new SendTaskHeartbeatCommand({ taskToken: IMPOSSIBLE_TOKEN }));
        return false;
      } catch (error) {
        if (error instanceof Error && NO_SUCH_TASK.has(error.name)) return true;
        throw error;
      }
    },
    { service: 'Step Functions', endpoint },
  );
  if (!refused) {
    throw new ConfigurationError(
      `endpoint ${endpoint} does not serve Step Functions task tokens: it accepted a token no task can have, so an answer sent there would reach no health check. ` +
        `approve and reject need AWS (${LOCAL_SUPPORT_DOC}).`,
      { endpoint },
    );
  }
}
