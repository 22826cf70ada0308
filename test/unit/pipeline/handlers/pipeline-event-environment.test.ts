import { describe, expect, it } from 'vitest';
import { dependenciesFromEnvironment as notifierDependencies } from '../../../../src/pipeline/handlers/notify-pipeline-event.js';
import { ConfigurationError } from '../../../../src/shared/errors.js';

const notifierEnvironment = {
  HISTORY_TABLE_NAME: 'kiro-history',
  TEAM_TOPIC_ARN: 'arn:aws:sns:us-east-1:111111111111:team',
  AWS_REGION: 'us-east-1',
};

describe('the notifier reads its topic map with an error that names the variable', () => {
  it.each([
    { why: 'not JSON (a truncated value)', value: '{"test": "arn:aws:sns', problem: /ENVIRONMENT_TOPIC_ARNS is not JSON/ },
    { why: 'an unknown environment name', value: '{"qa": "arn:aws:sns:us-east-1:111111111111:qa"}', problem: /ENVIRONMENT_TOPIC_ARNS is invalid/ },
    { why: 'a value that is not an ARN', value: '{"test": "team-topic"}', problem: /ENVIRONMENT_TOPIC_ARNS is invalid/ },
    { why: 'missing: the construct always sets it (possibly to {})', value: undefined, problem: /ENVIRONMENT_TOPIC_ARNS is missing or empty/ },
  ])('$why', ({ value, problem }) => {
    const read = (): unknown => notifierDependencies({ ...notifierEnvironment, ...(value === undefined ? {} : { ENVIRONMENT_TOPIC_ARNS: value }) });
    expect(read).toThrow(ConfigurationError);
    expect(read).toThrow(problem);
  });

  it('accepts the map the construct writes', () => {
    expect(() => notifierDependencies({ ...notifierEnvironment, ENVIRONMENT_TOPIC_ARNS: '{"production":"arn:aws:sns:us-east-1:111111111111:prod"}' })).not.toThrow();
  });
});
