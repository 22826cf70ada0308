import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { watchedAlarms } from '../../../src/pipeline/handlers/health-monitor.js';
import type { EnvironmentConfig } from '../../../src/shared/config/schema.js';

/** The observer role's name in an environment account: fixed, so the pipeline account can name its ARN. */
export function observerRoleName(environment: Pick<EnvironmentConfig, 'stackPrefix'>): string {
  return `${environment.stackPrefix}-pipeline-observer`;
}

/** The observer role's ARN, as the pipeline account's health monitor assumes it. */
export function observerRoleArn(environment: Pick<EnvironmentConfig, 'account' | 'stackPrefix'>, partition = 'aws'): string {
  return `arn:${partition}:iam::${environment.account}:role/${observerRoleName(environment)}`;
}

/** Properties of {@link PipelineObserverAccess}. */
export interface PipelineObserverAccessProps {
  /** The environment whose alarms the pipeline watches (this stack's account and region). */
  readonly environment: EnvironmentConfig;
  /** The pipeline's account: trusted by the role, and the receiver of the forwarded alarm events. */
  readonly pipelineAccount: string;
  readonly pipelineRegion: string;
}

/**
 * What the pipeline account may see of an environment account, and nothing more: a role it can
 * assume that allows only `cloudwatch:DescribeAlarms` on this environment's watched alarms, and an
 * EventBridge rule that forwards those alarms' "CloudWatch Alarm State Change" events to the
 * pipeline account's default bus (whose policy, in the pipeline-runtime stack, admits this account).
 */
export class PipelineObserverAccess extends Construct {
  readonly role: iam.Role;
  readonly forwardRule: events.Rule;

  constructor(scope: Construct, id: string, props: PipelineObserverAccessProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const alarms = watchedAlarms(props.environment).map((alarm) => alarm.name);
    this.role = new iam.Role(this, 'Role', {
      roleName: observerRoleName(props.environment),
      assumedBy: new iam.AccountPrincipal(props.pipelineAccount),
      description: `Lets the ${props.pipelineAccount} pipeline's health monitor read the state of ${props.environment.name}'s alarms`,
    });
    this.role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        sid: 'ReadWatchedAlarms',
        actions: ['cloudwatch:DescribeAlarms'],
        resources: alarms.map((name) => stack.formatArn({ service: 'cloudwatch', resource: 'alarm', resourceName: name, arnFormat: ArnFormat.COLON_RESOURCE_NAME })),
      }),
    );
    this.forwardRule = new events.Rule(this, 'ForwardAlarmEvents', {
      description: `Forwards ${props.environment.name}'s watched alarm state changes to the pipeline account`,
      eventPattern: { source: ['aws.cloudwatch'], detailType: ['CloudWatch Alarm State Change'], detail: { alarmName: alarms } },
      targets: [
        new targets.EventBus(
          events.EventBus.fromEventBusArn(this, 'PipelineBus', `arn:${stack.partition}:events:${props.pipelineRegion}:${props.pipelineAccount}:event-bus/default`),
        ),
      ],
    });
  }
}
