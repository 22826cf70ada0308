import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../../../../src/shared/config/schema.js';

/** Properties of {@link AlarmEventBusAccess}. */
export interface AlarmEventBusAccessProps {
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
          statementId: `kiro-cd-alarm-events-from-${account}`,
          statement: {
            Sid: `kiro-cd-alarm-events-from-${account}`,
            Effect: 'Allow',
            Principal: { AWS: `arn:${stack.partition}:iam::${account}:root` },
            Action: 'events:PutEvents',
            Resource: busArn,
          },
        }),
    );
  }
}
