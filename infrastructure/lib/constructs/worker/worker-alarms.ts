import { Duration, Tags } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LOCK_CONTENTION_METRIC, STACK_PREFIX_DIMENSION, WORKER_METRIC_NAMESPACE } from '../../../../src/worker/domain/metrics.js';
import { WORKER_ALARM_IDS, type WorkerAlarmId } from '../../../../src/shared/config/alarm-catalog.js';
import type { EnvironmentConfig } from '../../../../src/shared/config/schema.js';
import { acknowledgeGuardRule } from '../../policy/acknowledge.js';

/** How an alarm is treated by the pipeline: critical rolls back, warning pauses for review. */
export type AlarmSeverity = 'critical' | 'warning';

/** The tag that carries an alarm's severity, for readers that list alarms by tag. */
export const SEVERITY_TAG = 'kiro:severity';

/** Properties of {@link WorkerAlarms}. */
export interface WorkerAlarmsProps {
  /** The environment: its stack prefix names the alarms, its `alarms` lists give their severity. */
  readonly environment: EnvironmentConfig;
  /** The poller function (all versions: a bad new version shows up in the function's metrics). */
  readonly poller: lambda.IFunction;
  /** The poller's timeout, for the duration alarm's threshold. */
  readonly pollerTimeout: Duration;
  /**
   * The build-state-change handler: the worker's code that follows implementation builds. Its errors
   * are the worker's; the implementation project's FailedBuilds are the customers' and feed no alarm.
   */
  readonly buildEndHandler: lambda.IFunction;
  /**
   * Consecutive 5-minute periods with at least one lost lock race after which a lock counts as stuck.
   * @default 3
   */
  readonly lockContentionPeriods?: number;
}

/** What one alarm watches and what it means. */
interface AlarmSpec {
  readonly metric: cloudwatch.IMetric;
  readonly threshold: number;
  readonly comparison: cloudwatch.ComparisonOperator;
  readonly meaning: string;
  /** Periods evaluated, all of which must breach; 1 unless said. */
  readonly periods?: number;
}

/** The severity of an alarm id in the environment; an id in neither list is a warning. */
export function severityOf(environment: EnvironmentConfig, id: WorkerAlarmId): AlarmSeverity {
  return environment.alarms.critical.includes(id) ? 'critical' : 'warning';
}

/**
 * Every alarm of WORKER_ALARM_IDS, named `<stackPrefix>-<id>`, marked critical or warning by the
 * configuration (description prefix and a tag). Missing data is not breaching: a quiet poller is
 * healthy.
 */
export class WorkerAlarms extends Construct {
  /** All alarms by id. */
  readonly alarms: ReadonlyMap<WorkerAlarmId, cloudwatch.Alarm>;

  constructor(scope: Construct, id: string, props: WorkerAlarmsProps) {
    super(scope, id);
    const period = Duration.minutes(1);
    const specs: Record<WorkerAlarmId, AlarmSpec> = {
      'poller-errors': {
        metric: props.poller.metricErrors({ period, statistic: 'Sum' }),
        threshold: 1,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        meaning: 'the poller Lambda reported errors',
      },
      'poller-throttles': {
        metric: props.poller.metricThrottles({ period, statistic: 'Sum' }),
        threshold: 1,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        meaning: 'the poller Lambda was throttled',
      },
      'poller-duration': {
        metric: props.poller.metricDuration({ period, statistic: 'p99' }),
        threshold: Math.round(props.pollerTimeout.toMilliseconds() * 0.8),
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
        meaning: 'the poller p99 duration is above 80% of its timeout',
      },
      // The customer's command runs in the implementation project: its FAILED or TIMED_OUT builds are
      // the customer's tests failing, not the worker, so this alarm watches the worker's own code that
      // follows those builds (the poller's errors are poller-errors).
      'worker-build-failures': {
        metric: props.buildEndHandler.metricErrors({ period, statistic: 'Sum' }),
        threshold: 1,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        meaning: 'the worker could not record an implementation build\'s progress or outcome (build-state-change handler errors)',
      },
      'lock-contention': {
        metric: new cloudwatch.Metric({
          namespace: WORKER_METRIC_NAMESPACE,
          metricName: LOCK_CONTENTION_METRIC,
          dimensionsMap: { [STACK_PREFIX_DIMENSION]: props.environment.stackPrefix },
          period: Duration.minutes(5),
          statistic: 'Sum',
        }),
        // A poll runs once per 5-minute period and meets a stuck lock once per run, so a stuck lock is
        // "a lost race in every period", never "more than 10 in one period" (at most one per item per run).
        threshold: 1,
        comparison: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        periods: props.lockContentionPeriods ?? 3,
        meaning: 'the poller lost a lock race in every period for 15 minutes (a stuck lock, or pollers fighting)',
      },
    };
    const alarms = new Map<WorkerAlarmId, cloudwatch.Alarm>();
    for (const alarmId of WORKER_ALARM_IDS) {
      const spec = specs[alarmId];
      const severity = severityOf(props.environment, alarmId);
      const alarm = new cloudwatch.Alarm(this, alarmId, {
        alarmName: `${props.environment.stackPrefix}-${alarmId}`,
        alarmDescription: `[${severity}] ${spec.meaning}. ${severity === 'critical' ? 'Rolls the release back.' : 'Pauses the release for review.'}`,
        metric: spec.metric,
        threshold: spec.threshold,
        comparisonOperator: spec.comparison,
        evaluationPeriods: spec.periods ?? 1,
        datapointsToAlarm: spec.periods ?? 1,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      });
      Tags.of(alarm).add(SEVERITY_TAG, severity);
      acknowledgeGuardRule(
        alarm,
        'cloudwatch_alarm_action_check',
        'The alarm is acted on by its reader, not by an alarm action: the pipeline health check, which polls it and follows its state changes through EventBridge.',
      );
      alarms.set(alarmId, alarm);
    }
    this.alarms = alarms;
  }

  /** The alarms of one severity. */
  ofSeverity(environment: EnvironmentConfig, severity: AlarmSeverity): cloudwatch.Alarm[] {
    return [...this.alarms.entries()].filter(([id]) => severityOf(environment, id) === severity).map(([, alarm]) => alarm);
  }
}
