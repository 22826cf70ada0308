import type { FiredCriticalAlarm } from '../../../src/pipeline/domain/health/health-verdict.js';
import type { EnvironmentName } from '../../../src/pipeline/domain/history-model.js';
import type { ActiveBake, HealthSignals } from '../../../src/pipeline/ports/health-signals.js';

/**
 * In-memory `HealthSignals`: one active bake per environment (a new bake replaces the old, as the
 * DynamoDB adapter's item does) and the critical alarms fired per execution.
 */
export class InMemoryHealthSignals implements HealthSignals {
  private readonly bakes = new Map<EnvironmentName, ActiveBake>();
  private readonly fired = new Map<string, FiredCriticalAlarm[]>();

  startBake(bake: Omit<ActiveBake, 'watchToken'>): Promise<void> {
    this.bakes.set(bake.environment, bake);
    return Promise.resolve();
  }

  armWatch(environment: EnvironmentName, executionId: string, token: string): Promise<void> {
    const bake = this.bakes.get(environment);
    // Only the bake still running may arm its watch: a stale step must not take over a newer bake.
    if (bake?.executionId === executionId) this.bakes.set(environment, { ...bake, watchToken: token });
    return Promise.resolve();
  }

  activeBake(environment: EnvironmentName): Promise<ActiveBake | undefined> {
    return Promise.resolve(this.bakes.get(environment));
  }

  markCritical(environment: EnvironmentName, executionId: string, alarm: FiredCriticalAlarm): Promise<void> {
    const key = `${environment}#${executionId}`;
    const known = this.fired.get(key) ?? [];
    if (!known.some((existing) => existing.name === alarm.name)) this.fired.set(key, [...known, alarm]);
    return Promise.resolve();
  }

  firedCritical(environment: EnvironmentName, executionId: string): Promise<FiredCriticalAlarm[]> {
    return Promise.resolve(this.fired.get(`${environment}#${executionId}`) ?? []);
  }
}
