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

describe('loadDeploymentConfig regions', () => {
  function withProductionRegion(region: string): never {
    const input = structuredClone(environmentsConfig) as unknown as { environments: { region: string }[] };
    input.environments[2]!.region = region;
    return input as never;
  }

  it('accepts a region newer than any hand-kept list (mx-central-1)', () => {
    expect(loadDeploymentConfig(withProductionRegion('mx-central-1')).environments[2]?.region).toBe('mx-central-1');
  });

  it('rejects a well-formed region that AWS does not have, with the region message', () => {
    expect(() => loadDeploymentConfig(withProductionRegion('xx-nowhere-9'))).toThrow(/environment "production", key "region": got "xx-nowhere-9"; must be an AWS region such as "us-east-1"/);
  });
});
