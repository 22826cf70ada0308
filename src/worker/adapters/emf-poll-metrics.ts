import type { Clock } from '../../shared/clock.js';
import { embeddedMetricDocument } from '../domain/metrics.js';
import { countOutcomes, type PollCycleReport } from '../domain/poll-cycle.js';
import type { PollMetrics } from '../ports/poll-metrics.js';

/** Where EMF lines go: in Lambda, standard output, which CloudWatch Logs captures. */
export type LineSink = (line: string) => void;

/** Publishes a cycle's counts as one embedded-metric-format log line (see domain/metrics.ts for why). */
export class EmfPollMetrics implements PollMetrics {
  constructor(
    private readonly sink: LineSink,
    private readonly stackPrefix: string,
    private readonly clock: Clock,
  ) {}

  publish(report: PollCycleReport): Promise<void> {
    const document = embeddedMetricDocument(countOutcomes(report), this.stackPrefix, this.clock.now().getTime());
    this.sink(JSON.stringify(document));
    return Promise.resolve();
  }
}
