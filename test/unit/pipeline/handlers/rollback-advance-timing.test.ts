import { describe, expect, it } from 'vitest';
import { DEFAULT_ROLLBACK_TIMING } from '../../../../src/pipeline/domain/rollback/rollback-timing.js';
import { DEPLOYMENT_RUNTIME_ENV } from '../../../../src/pipeline/handlers/deployment-runtime.js';
import { timingFromEnvironment } from '../../../../src/pipeline/handlers/rollback-advance.js';
import { ConfigurationError } from '../../../../src/shared/errors.js';

const waits = { [DEPLOYMENT_RUNTIME_ENV.stageRollbackWait]: '720', [DEPLOYMENT_RUNTIME_ENV.fullRollbackWait]: '700', [DEPLOYMENT_RUNTIME_ENV.rollbackFollow]: '4947' };

describe('the rollback step Lambda\'s timing', () => {
  it('waits as long as the construct modelled for this configuration, not a fixed 360 s, and follows the rollback for the modelled time, not 900 s', () => {
    expect(timingFromEnvironment(waits)).toEqual({ ...DEFAULT_ROLLBACK_TIMING, stageTimeoutSeconds: 720, fullTimeoutSeconds: 700, followSeconds: 4947 });
  });

  it.each([
    ['a missing wait', { [DEPLOYMENT_RUNTIME_ENV.fullRollbackWait]: '700', [DEPLOYMENT_RUNTIME_ENV.rollbackFollow]: '4947' }, /ROLLBACK_STAGE_WAIT_SECONDS is missing or empty; it is set by the Rollback construct/],
    ['a wait that is not a whole number', { ...waits, [DEPLOYMENT_RUNTIME_ENV.fullRollbackWait]: '12m' }, /ROLLBACK_FULL_WAIT_SECONDS must be a positive whole number of seconds, got "12m"/],
    ['a zero wait', { ...waits, [DEPLOYMENT_RUNTIME_ENV.stageRollbackWait]: '0' }, /ROLLBACK_STAGE_WAIT_SECONDS must be a positive whole number/],
    ['a missing follow time (a 900 s default would fail healthy restarts again)', { [DEPLOYMENT_RUNTIME_ENV.stageRollbackWait]: '720', [DEPLOYMENT_RUNTIME_ENV.fullRollbackWait]: '700' }, /ROLLBACK_FOLLOW_SECONDS is missing or empty/],
  ])('refuses %s at cold start, naming the variable', (_why, environment, message) => {
    expect(() => timingFromEnvironment(environment)).toThrow(ConfigurationError);
    expect(() => timingFromEnvironment(environment)).toThrow(message);
  });
});
