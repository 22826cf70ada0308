import { describe, expect, it } from 'vitest';
import { asAwsCallError, awsCall } from '../../../../src/cli/aws/aws-errors.js';
import { ConfigurationError, TransientError } from '../../../../src/shared/errors.js';

function sdkError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, ...extra });
}

describe('asAwsCallError', () => {
  it.each([
    ['no credentials is the caller\'s to fix, with the flags to pass', sdkError('CredentialsProviderError', 'Could not load credentials from any providers'), 'user', /pass --profile <name>/],
    ['a missing table names the flags that choose it', sdkError('ResourceNotFoundException', 'Requested resource not found'), 'user', /Check --history-table \/ --region \/ --endpoint-url/],
    ['access denied points at the permissions', sdkError('AccessDeniedException', 'not authorized'), 'user', /Check the profile's permissions/],
    ['a refused connection may pass on retry', sdkError('Error', 'connect ECONNREFUSED 127.0.0.1:9', { code: 'ECONNREFUSED' }), 'transient', /Check --endpoint-url and the network/],
    ['throttling may pass on retry', sdkError('ThrottlingException', 'Rate exceeded'), 'transient', /try again/],
    ['anything else is a defect to report', sdkError('SerializationException', 'bad shape'), 'internal', /failed unexpectedly: SerializationException: bad shape/],
  ])('%s', (_why, error, fault, message) => {
    const mapped = asAwsCallError(error, 'reading the history table t');
    expect(mapped.fault).toBe(fault);
    expect(mapped.message).toMatch(message);
    expect(mapped.cause).toBe(error);
  });

  it('passes the product\'s own errors through unchanged', () => {
    const own = new TransientError('busy');
    expect(asAwsCallError(own, 'x')).toBe(own);
  });

  it('awsCall converts what the step throws and returns what it answers', async () => {
    await expect(awsCall('x', () => Promise.resolve(42))).resolves.toBe(42);
    await expect(awsCall('x', () => Promise.reject(sdkError('ResourceNotFoundException', 'gone')))).rejects.toBeInstanceOf(ConfigurationError);
  });
});
