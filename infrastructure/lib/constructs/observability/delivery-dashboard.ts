import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SEVERITIES_BY_TOOL } from '../../../../src/pipeline/domain/build-gates/build-metrics.js';
import { POLICY_GATE_SEVERITIES } from '../../../../src/pipeline/domain/build-gates/policy-gates-report.js';
import { deadLetterAlarm } from './dead-letter-alarm.js';
import { BUILD_NAMESPACE, DELIVERY_METRICS, DELIVERY_NAMESPACE } from '../../../../src/pipeline/domain/metrics/delivery-metrics.js';
import type { EnvironmentConfig } from '../../../../src/shared/config/schema.js';

/**
 * Every severity the build stage publishes its findings under (`KiroCD/Build` `Findings`), taken from
 * the code that publishes them: npm audit's and ESLint's, then the policy gates'. Dimension values
 * are matched exactly, so a list written here by hand would drift (it once searched for "MEDIUM"
 * while npm audit says "moderate").
 */
export const FINDING_SEVERITIES: readonly string[] = [...new Set([...Object.values(SEVERITIES_BY_TOOL).flat(), ...POLICY_GATE_SEVERITIES])];

/** Properties of {@link DeliveryDashboard}. */
export interface DeliveryDashboardProps {
  readonly pipelineName: string;
  readonly environments: readonly EnvironmentConfig[];
  /** Where the pipeline alarms notify. */
  readonly teamTopic: sns.ITopic;
  /** The recorder's dead-letter queue: a message there means an event did not reach the history. */
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * The delivery dashboard (executions, durations, success/failure/rollback rates per environment,
 * DORA measures, each environment's health-monitor alarms, security findings by severity) and the
 * alarms that tell the team about a failed execution, a rollback and a dead-lettered event.
 */
export class DeliveryDashboard extends Construct {
  readonly dashboard: cloudwatch.Dashboard;
  readonly pipelineFailedAlarm: cloudwatch.Alarm;
  readonly rollbackAlarm: cloudwatch.Alarm;
  readonly deadLetterAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: DeliveryDashboardProps) {
    super(scope, id);
    const pipeline = props.pipelineName;
    const metric = (name: string, statistic: string, environment?: string, period = Duration.days(1)): cloudwatch.Metric =>
      new cloudwatch.Metric({
        namespace: DELIVERY_NAMESPACE,
        metricName: name,
        statistic,
        period,
        dimensionsMap: environment === undefined ? { Pipeline: pipeline } : { Pipeline: pipeline, Environment: environment },
      });

    const notifyTeam = new actions.SnsAction(props.teamTopic);
    this.pipelineFailedAlarm = new cloudwatch.Alarm(this, 'PipelineFailed', {
      alarmName: `${pipeline}-execution-failed`,
      alarmDescription: `An execution of ${pipeline} failed. Open the pipeline's execution history to see the failed action.`,
      metric: metric(DELIVERY_METRICS.executionFailed, 'Sum', undefined, Duration.minutes(5)),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.rollbackAlarm = new cloudwatch.Alarm(this, 'Rollback', {
      alarmName: `${pipeline}-rollback`,
      alarmDescription: `A deployment of ${pipeline} was rolled back. The rollback notices name the alarm or failure that caused it.`,
      metric: metric(DELIVERY_METRICS.rolledBack, 'Sum', undefined, Duration.minutes(5)),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.deadLetterAlarm = deadLetterAlarm(this, 'DeadLetters', {
      queue: props.deadLetterQueue,
      alarmName: `${pipeline}-history-dead-letters`,
      description: 'A pipeline event could not be recorded (malformed or undeliverable). Read the message and its ErrorMessage attribute in the dead-letter queue.',
      topic: props.teamTopic,
    });
    for (const alarm of [this.pipelineFailedAlarm, this.rollbackAlarm]) alarm.addAlarmAction(notifyTeam);

    // The three expressions of one graph share the ids of their (identical) input metrics.
    const ids = { succeeded: 'ok', failed: 'ko', rolledBack: 'rb' } as const;
    const rate = (environment: string, numerator: keyof typeof ids): cloudwatch.MathExpression =>
      new cloudwatch.MathExpression({
        expression: `100 * FILL(${ids[numerator]}, 0) / (FILL(ok, 0) + FILL(ko, 0) + FILL(rb, 0))`,
        label: `${environment} ${numerator === 'rolledBack' ? 'rollback' : numerator === 'succeeded' ? 'success' : 'failure'} rate (%)`,
        usingMetrics: {
          ok: metric(DELIVERY_METRICS.succeeded, 'Sum', environment),
          ko: metric(DELIVERY_METRICS.failed, 'Sum', environment),
          rb: metric(DELIVERY_METRICS.rolledBack, 'Sum', environment),
        },
        period: Duration.days(1),
      });

    const production = 'production';
    const widgets: cloudwatch.IWidget[][] = [
      [
        new cloudwatch.TextWidget({
          markdown: `# ${pipeline} delivery\nMetrics keep CloudWatch's 15 months; logs 90 days; the deployment history 90 days (\`kiro-cd history\`).`,
          width: 24,
          height: 2,
        }),
      ],
      [
        new cloudwatch.GraphWidget({
          title: 'Executions per day',
          left: [metric(DELIVERY_METRICS.executionSucceeded, 'Sum'), metric(DELIVERY_METRICS.executionFailed, 'Sum')],
          width: 8,
        }),
        new cloudwatch.GraphWidget({
          title: 'Execution duration (s)',
          left: [metric(DELIVERY_METRICS.executionDuration, 'Average'), metric(DELIVERY_METRICS.executionDuration, 'p90')],
          width: 8,
        }),
        new cloudwatch.AlarmStatusWidget({ title: 'Pipeline alarms', alarms: [this.pipelineFailedAlarm, this.rollbackAlarm, this.deadLetterAlarm], width: 8 }),
      ],
      props.environments.map(
        (environment) =>
          new cloudwatch.GraphWidget({
            title: `${environment.name}: success, failure and rollback rates`,
            left: [rate(environment.name, 'succeeded'), rate(environment.name, 'failed'), rate(environment.name, 'rolledBack')],
            leftYAxis: { min: 0, max: 100 },
            width: 24 / props.environments.length,
          }),
      ),
      props.environments.map(
        (environment) =>
          new cloudwatch.GraphWidget({
            title: `${environment.name}: deployment duration (s)`,
            left: [metric(DELIVERY_METRICS.duration, 'Average', environment.name), metric(DELIVERY_METRICS.duration, 'Maximum', environment.name)],
            width: 24 / props.environments.length,
          }),
      ),
      [
        new cloudwatch.SingleValueWidget({
          title: 'DORA (production, last 30 days)',
          metrics: [
            metric(DELIVERY_METRICS.deploymentFrequency, 'Average', production, Duration.hours(1)),
            metric(DELIVERY_METRICS.leadTime, 'Average', production, Duration.hours(1)),
            metric(DELIVERY_METRICS.timeToRestore, 'Average', production, Duration.hours(1)),
            metric(DELIVERY_METRICS.changeFailureRate, 'Average', production, Duration.hours(1)),
          ],
          width: 24,
        }),
      ],
      props.environments.map(
        (environment) =>
          new cloudwatch.AlarmStatusWidget({
            title: `${environment.name}: health-monitor alarms`,
            alarms: [...environment.alarms.critical, ...environment.alarms.warning].map((alarmId) =>
              cloudwatch.Alarm.fromAlarmArn(
                this,
                `${environment.name}-${alarmId}`,
                `arn:aws:cloudwatch:${environment.region}:${environment.account}:alarm:${environment.stackPrefix}-${alarmId}`,
              ),
            ),
            width: 24 / props.environments.length,
          }),
      ),
      [
        new cloudwatch.GraphWidget({
          title: 'Security findings by severity (build stage)',
          stacked: true,
          left: FINDING_SEVERITIES.map(
            (severity) =>
              new cloudwatch.MathExpression({
                expression: `SUM(SEARCH('{${BUILD_NAMESPACE},Pipeline,Tool,Severity} MetricName="Findings" Pipeline="${pipeline}" Severity="${severity}"', 'Maximum', 86400))`,
                label: severity,
                period: Duration.days(1),
              }),
          ),
          width: 16,
        }),
        new cloudwatch.GraphWidget({
          title: 'Scans that did not run (build stage)',
          left: [
            new cloudwatch.MathExpression({
              expression: `SEARCH('{${BUILD_NAMESPACE},Pipeline,Tool} MetricName="ScanNotRun" Pipeline="${pipeline}"', 'Sum', 86400)`,
              label: 'not run',
              period: Duration.days(1),
            }),
          ],
          width: 8,
        }),
      ],
    ];
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${pipeline}-delivery`,
      defaultInterval: Duration.days(30),
      widgets,
    });
  }
}
