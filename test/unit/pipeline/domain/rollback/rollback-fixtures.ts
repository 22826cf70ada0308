import type { DeploymentRecord, EnvironmentName, HistoryEvent } from '../../../../../src/pipeline/domain/history-model.js';
import { applicationStageName } from '../../../../../src/pipeline/domain/stage-names.js';
import type { Clock } from '../../../../../src/shared/clock.js';
import type { PipelineClock } from '../../../../../src/local/codepipeline/local-codepipeline.js';
import { LocalPipelineHarness, type ActionScript } from '../../../../support/local-pipeline/local-pipeline-harness.js';
import { InMemoryDeploymentHistory } from '../../../../support/fakes/in-memory-deployment-history.js';
import type { IdGenerator } from '../../../../../src/shared/id-generator.js';
import type { LeaseAttempt, RollbackLease, RollbackLedger } from '../../../../../src/pipeline/ports/rollback-ledger.js';

export const PIPELINE = 'kiro-codebuild-worker';
export const ENVIRONMENTS: readonly EnvironmentName[] = ['test', 'staging', 'production'];

/** Execution ids shaped like CodePipeline's (the API validates the pattern). */
export function executionId(n: number): string {
  return `00000000-0000-4000-8000-${n.toString().padStart(12, '0')}`;
}

/** The events the recorder would store for one deployment into one environment. */
export function deploymentEvents(options: {
  readonly execution: string;
  readonly environment: EnvironmentName;
  readonly commit: string;
  readonly at: string;
  readonly result: 'succeeded' | 'failed';
  readonly rollback?: boolean;
}): HistoryEvent[] {
  const base = { pipelineName: PIPELINE, executionId: options.execution };
  const stage = applicationStageName(options.environment);
  return [
    { ...base, kind: 'execution', eventId: `${options.execution}:started`, at: options.at, state: 'STARTED', commit: { id: options.commit }, ...(options.rollback === true ? { triggerType: 'AutomatedRollback' } : {}) },
    { ...base, kind: 'stage', eventId: `${options.execution}:${stage}:started`, at: options.at, stage, environment: options.environment, state: 'STARTED' },
    {
      ...base,
      kind: 'stage',
      eventId: `${options.execution}:${stage}:end`,
      at: new Date(Date.parse(options.at) + 60_000).toISOString(),
      stage,
      environment: options.environment,
      state: options.result === 'succeeded' ? 'SUCCEEDED' : 'FAILED',
    },
  ];
}

/** The application stages of the three environments, in order. */
export const STAGES = ENVIRONMENTS.map(applicationStageName);
/** Released everywhere (commit `good`), the last known good release. */
export const GOOD = executionId(1);
/** Released to test and staging (commit `previous`): staging's stage rollback target. */
export const PREVIOUS = executionId(2);
/** Commit `bad`: succeeded in test, failed in staging. */
export const FAILED = executionId(3);

/** How the scene's staging failure happens. */
export interface StagingFailureOptions {
  /**
   * Staging's test suite still runs this long (pipeline time) after its health check failed: the
   * stage is still running when the rollback starts. @default 0: the deployment itself failed and
   * the stage has ended.
   */
  readonly stagingStillRunningMs?: number;
  /** The stages declare `OnFailure: ROLLBACK`, so CodePipeline starts its own stage rollback. @default false */
  readonly rollbackOnFailure?: boolean;
  /** The pipeline's time. @default the harness's stepped clock */
  readonly clock?: PipelineClock;
}

/** The scene's actions: commit `bad` fails in staging (its deployment, or its health check while the suite runs on). */
function stagingFailureScript(stillRunningMs: number): ActionScript {
  return (call) => {
    if (call.commit !== 'bad' || call.stage !== 'Staging-Application' || call.executionType !== 'STANDARD') return undefined;
    if (stillRunningMs === 0) return call.action === 'Deploy' ? { status: 'Failed', summary: 'Deploy action failed.' } : undefined;
    if (call.action === 'HealthCheck') return { status: 'Failed', summary: 'critical alarm' };
    return call.action === 'Tests' ? { takesMs: stillRunningMs } : undefined;
  };
}

/**
 * The scene most rollback tests start from: GOOD everywhere, PREVIOUS in test and staging, FAILED
 * succeeded in test and failed in staging; as the history recorded it, and as the local CodePipeline
 * ran it: three releases through StartPipelineExecution (PREVIOUS stopped before production).
 */
export async function stagingFailureScene(options: StagingFailureOptions = {}): Promise<{ readonly history: InMemoryDeploymentHistory; readonly pipeline: LocalPipelineHarness }> {
  const history = new InMemoryDeploymentHistory([
    ...(['test', 'staging', 'production'] as const).flatMap((environment, i) => deploymentEvents({ execution: GOOD, environment, commit: 'good', at: `2026-03-01T0${i}:00:00.000Z`, result: 'succeeded' })),
    ...(['test', 'staging'] as const).flatMap((environment, i) => deploymentEvents({ execution: PREVIOUS, environment, commit: 'previous', at: `2026-03-01T1${i}:00:00.000Z`, result: 'succeeded' })),
    ...deploymentEvents({ execution: FAILED, environment: 'test', commit: 'bad', at: '2026-03-02T09:00:00.000Z', result: 'succeeded' }),
    ...deploymentEvents({ execution: FAILED, environment: 'staging', commit: 'bad', at: '2026-03-02T09:10:00.000Z', result: 'failed' }),
  ]);
  const stillRunningMs = options.stagingStillRunningMs ?? 0;
  const pipeline = await LocalPipelineHarness.start({
    name: PIPELINE,
    environments: ENVIRONMENTS,
    ...(options.rollbackOnFailure === undefined ? {} : { rollbackOnFailure: options.rollbackOnFailure }),
    ...(options.clock === undefined ? {} : { clock: options.clock }),
    script: stagingFailureScript(stillRunningMs),
  });
  await pipeline.release('good', { id: GOOD });
  await pipeline.release('previous', { id: PREVIOUS, stopBefore: 'Production-Application' });
  await pipeline.release('bad', stillRunningMs === 0 ? { id: FAILED } : { id: FAILED, until: () => pipeline.actionEnded(FAILED, 'Staging-Application', 'HealthCheck', 'Failed') });
  return { history, pipeline };
}

/** A deployment record as the history derives it, for pure planner tests. */
export function record(overrides: Partial<DeploymentRecord> & Pick<DeploymentRecord, 'executionId' | 'environment' | 'startedAt'>): DeploymentRecord {
  return { pipelineName: PIPELINE, commit: { id: `commit-${overrides.executionId}` }, status: 'succeeded', health: 'passed', isRollback: false, ...overrides };
}

/** A clock that advances instead of sleeping, so the 15-minute budget runs in milliseconds. */
export class ManualClock implements Clock {
  constructor(private current: number = Date.parse('2026-03-02T10:00:00Z')) {}
  readonly sleeps: number[] = [];

  now(): Date {
    return new Date(this.current);
  }

  sleep(milliseconds: number): Promise<void> {
    this.sleeps.push(milliseconds);
    this.current += milliseconds;
    return Promise.resolve();
  }

  advance(milliseconds: number): void {
    this.current += milliseconds;
  }
}

/** Predictable ids. */
export class CountingIds implements IdGenerator {
  private count = 0;
  next(): string {
    this.count += 1;
    return `rollback-${this.count}`;
  }
}

/** In-memory ledger with the DynamoDB adapter's semantics (same condition as its conditional write). */
export class InMemoryRollbackLedger implements RollbackLedger {
  readonly leases = new Map<string, RollbackLease>();

  acquire(key: string, rollbackId: string, now: Date, expiresAt: Date): Promise<LeaseAttempt> {
    const existing = this.leases.get(key);
    if (existing !== undefined && !(existing.status === 'running' && existing.expiresAt < now.toISOString())) {
      return Promise.resolve({ kind: 'held', lease: existing });
    }
    const lease: RollbackLease = { key, rollbackId, status: 'running', expiresAt: expiresAt.toISOString() };
    this.leases.set(key, lease);
    return Promise.resolve({ kind: 'acquired', lease });
  }

  finish(key: string, rollbackId: string, status: 'succeeded' | 'failed', outcome: string): Promise<void> {
    const existing = this.leases.get(key);
    if (existing?.rollbackId !== rollbackId) return Promise.reject(new Error(`lease ${key} is not held by ${rollbackId}`));
    this.leases.set(key, { ...existing, status, outcome });
    return Promise.resolve();
  }

  get(key: string): Promise<RollbackLease | undefined> {
    return Promise.resolve(this.leases.get(key));
  }
}
