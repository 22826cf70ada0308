import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { TransientError } from '../../../shared/errors.js';
import type { AlarmReading } from '../../domain/health/health-verdict.js';
import type { AlarmReader } from '../../ports/alarm-reader.js';

/** DescribeAlarms accepts at most 100 names per call. */
const NAMES_PER_CALL = 100;

/**
 * `AlarmReader` on CloudWatch DescribeAlarms (metric and composite alarms). A name CloudWatch does
 * not return is `MISSING`; a failed call throws a TransientError, and the monitor fails closed.
 */
export class CloudWatchAlarmReader implements AlarmReader {
  constructor(private readonly client: Pick<CloudWatchClient, 'send'>) {}

  async read(alarmNames: readonly string[]): Promise<AlarmReading[]> {
    const found = new Map<string, AlarmReading>();
    for (let start = 0; start < alarmNames.length; start += NAMES_PER_CALL) {
      const names = alarmNames.slice(start, start + NAMES_PER_CALL);
      try {
        const response = await this.client.send(new DescribeAlarmsCommand({ AlarmNames: names, AlarmTypes: ['MetricAlarm', 'CompositeAlarm'], MaxRecords: NAMES_PER_CALL }));
        for (const alarm of [...(response.MetricAlarms ?? []), ...(response.CompositeAlarms ?? [])]) {
          if (alarm.AlarmName === undefined || alarm.StateValue === undefined) continue;
          found.set(alarm.AlarmName, { name: alarm.AlarmName, state: alarm.StateValue, ...(alarm.StateReason === undefined ? {} : { reason: alarm.StateReason }) });
        }
      } catch (error) {
        const name = error instanceof Error ? error.name : 'Error';
        throw new TransientError(`DescribeAlarms failed (${name}): the alarms could not be read, so the health check fails closed`, { alarms: names }, error);
      }
    }
    return alarmNames.map((name) => found.get(name) ?? { name, state: 'MISSING', reason: 'CloudWatch has no alarm with this name' });
  }
}
