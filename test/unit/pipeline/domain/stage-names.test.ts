import { describe, expect, it } from 'vitest';
import {
  applicationStageName,
  approvalStageName,
  infrastructureStageName,
  stageRole,
  windowStageName,
} from '../../../../src/pipeline/domain/stage-names.js';
import { ENVIRONMENT_NAMES } from '../../../../src/shared/config/schema.js';

describe('stage names', () => {
  it.each(ENVIRONMENT_NAMES)('maps every stage of %s back to its environment and role', (environment) => {
    expect(stageRole(infrastructureStageName(environment), ENVIRONMENT_NAMES)).toEqual({ kind: 'infrastructure', environment });
    expect(stageRole(applicationStageName(environment), ENVIRONMENT_NAMES)).toEqual({ kind: 'application', environment });
    expect(stageRole(approvalStageName(environment), ENVIRONMENT_NAMES)).toEqual({ kind: 'approval', environment });
    expect(stageRole(windowStageName(environment), ENVIRONMENT_NAMES)).toEqual({ kind: 'window', environment });
  });

  it.each([
    ['Source', 'the source stage belongs to no environment'],
    ['Build', 'the build stage belongs to no environment'],
    ['test-infrastructure', 'names are case-sensitive, as CodePipeline stage names are'],
  ])('treats %s as a pipeline stage (%s)', (name) => {
    expect(stageRole(name, ENVIRONMENT_NAMES)).toEqual({ kind: 'pipeline' });
  });

  it('gives readable names', () => {
    expect(infrastructureStageName('production')).toBe('Production-Infrastructure');
    expect(applicationStageName('staging')).toBe('Staging-Application');
    expect(approvalStageName('production')).toBe('Approve-Production');
  });
});
