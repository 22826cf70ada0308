import { describe, expect, it } from 'vitest';
import { environmentsConfig } from '../../../../infrastructure/lib/config/environments.js';
import { loadDeploymentConfig } from '../../../../infrastructure/lib/config/load-config.js';
import { ConfigurationError } from '../../../../src/shared/errors.js';

describe('loadDeploymentConfig', () => {
  it('accepts the checked-in configuration and fills in defaults', () => {
    const config = loadDeploymentConfig();
    expect(config.environments.map((environment) => environment.name)).toEqual(['test', 'staging', 'production']);
    expect(config.environments[2]?.approval).toEqual({ required: true, timeoutMinutes: 1440 });
    expect(config.environments[0]?.healthCheck).toEqual({ durationSeconds: 300, intervalSeconds: 30, reviewTimeoutMinutes: 30 });
  });

  it('names environment, key, value and fix for a bad region', () => {
    const input = structuredClone(environmentsConfig) as unknown as { environments: { region: string }[] };
    input.environments[2]!.region = 'mars-1';
    expect(() => loadDeploymentConfig(input as never)).toThrow(ConfigurationError);
    expect(() => loadDeploymentConfig(input as never)).toThrow(/environment "production", key "region": got "mars-1"; must be an AWS region/);
  });
});
