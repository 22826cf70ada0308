import { createHash } from 'node:crypto';
import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../../../src/shared/config/schema.js';

/** Properties of {@link AlarmEventBusAccess}. */
export interface AlarmEventBusAccessProps {
  /** The pipeline whose health monitor receives the events: it makes the statement ids unique per pipeline. */
  readonly pipelineName: string;
  /** The pipeline's own account: it needs no permission to put events on its own bus. */
  readonly pipelineAccount: string;
  readonly environments: readonly Pick<EnvironmentConfig, 'name' | 'account'>[];
}

/**
 * Lets each environment account put events on the pipeline account's default event bus, where the
 * forwarded "CloudWatch Alarm State Change" events (PipelineObserverAccess) meet the health monitor's
 * alarm-event rule. Only `events:PutEvents`, only from the configured environment accounts.
 */
export class AlarmEventBusAccess extends Construct {
  readonly policies: readonly events.CfnEventBusPolicy[];

  constructor(scope: Construct, id: string, props: AlarmEventBusAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const busArn = stack.formatArn({ service: 'events', resource: 'event-bus', resourceName: 'default' });
    const accounts = [...new Set(props.environments.map((environment) => environment.account))].filter((account) => account !== props.pipelineAccount);
    this.policies = accounts.map(
      (account) =>
        new events.CfnEventBusPolicy(this, `From${account}`, {
          eventBusName: 'default',
          statementId: alarmEventStatementId(props.pipelineName, account),
          statement: {
            Sid: alarmEventStatementId(props.pipelineName, account),
            Effect: 'Allow',
            Principal: { AWS: `arn:${stack.partition}:iam::${account}:root` },
            Action: 'events:PutEvents',
            Resource: busArn,
          },
        }),
    );
  }
}

/** EventBridge's StatementId: 1 to 64 of letters, digits, `-` and `_` (PutPermission API reference). */
const STATEMENT_ID_MAX = 64;

/**
 * The statement id of one account's permission on the default bus, unique per pipeline and account:
 * the bus has one policy per account and Region, CloudFormation uses the id as the physical id, and a
 * second pipeline watching the same account must not take over (or delete) the first one's statement.
 * A pipeline name with characters the id does not allow, or too long for it, is replaced by a hash.
 */
export function alarmEventStatementId(pipelineName: string, account: string): string {
  const suffix = `-alarm-events-${account}`;
  const readable = pipelineName.replace(/[^A-Za-z0-9_-]/g, '-');
  if (readable === pipelineName && readable.length + suffix.length <= STATEMENT_ID_MAX) return `${readable}${suffix}`;
  const hash = createHash('sha256').update(pipelineName).digest('hex').slice(0, 10);
  return `${readable.slice(0, STATEMENT_ID_MAX - suffix.length - hash.length - 1)}-${hash}${suffix}`;
}
