/**
 * When the recorder may leave a stored deployment record as it is, judged from that record alone
 * (one GetItem) instead of re-reading and re-folding the execution's whole timeline (one Query of
 * every event): most facts of a deployment are an action starting or succeeding and the health
 * monitor's polls, and neither changes the record once the deployment has begun and been checked.
 *
 * The judgement must hold for every later state of the history, because another delivery may add
 * events between this look and any later refresh: the stored record was folded from some set E of
 * stored events, and the rule asks only what stays true for every superset of E. Then the record
 * that the writer who saw the most events stores (`eventCount`) is still the fold of every event.
 */
import type { DeploymentRecord, EnvironmentName, HistoryEvent } from '../history-model.js';

/** What a stored record item tells about the events it was folded from, beyond the record itself. */
export interface StoredRecordTraits {
  /** The record's `startedAt`: the earliest of its environment's events. */
  readonly startedAt: string;
  /** How many health-check facts of the record's environment it was folded from (0 when the item predates the count). */
  readonly healthVerdicts: number;
}

/** The traits to store with `record`, folded from `events`. */
export function storedRecordTraits(record: DeploymentRecord, events: readonly HistoryEvent[]): StoredRecordTraits {
  const healthVerdicts = events.filter((event) => event.executionId === record.executionId && event.kind === 'health-check' && event.environment === record.environment).length;
  return { startedAt: record.startedAt, healthVerdicts };
}

/**
 * The one environment whose stored record might absorb `event` without a change, or undefined when
 * the event always needs the timeline re-folded (no GetItem is worth making for it).
 */
export function absorbableBy(event: HistoryEvent): EnvironmentName | undefined {
  // An action fact counts in the fold only as a FAILED action (the failure reason), by the commit or
  // artifacts it carries (every environment), or as the environment's earliest fact (startedAt).
  if (event.kind === 'action') return event.state === 'FAILED' || event.commit !== undefined || event.outputArtifacts !== undefined ? undefined : event.environment;
  // A `check` is one observation: it never replaces a decision, and with any verdict already there
  // the health reads the same with one more (deployment-fold.ts healthOf).
  if (event.kind === 'health-check') return event.verdict === 'check' ? event.environment : undefined;
  return undefined;
}

/**
 * True when adding `event` to the events the stored record was folded from, or to any superset of
 * them, leaves the record unchanged: `event` is absorbable (`absorbableBy`), is not earlier than the
 * record's start (an earlier set only starts earlier), and, for a health poll, a verdict was
 * already folded in (a set that has one keeps it).
 */
export function leavesRecordUnchanged(event: HistoryEvent, stored: StoredRecordTraits): boolean {
  if (absorbableBy(event) === undefined) return false;
  if (!(Date.parse(event.at) >= Date.parse(stored.startedAt))) return false;
  if (event.kind === 'health-check') return stored.healthVerdicts > 0;
  return true;
}
