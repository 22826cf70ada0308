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

  it.each([
    ['nothing answered like AWS yet: the address is wrong (exit 3)', undefined, 'transient', /endpoint http:\/\/127.0.0.1:8 did not answer like CodePipeline/],
    ['the endpoint answered other services: an emulator without this one (exit 2, --dry-run)', true, 'user', /endpoint http:\/\/127.0.0.1:8 does not serve CodePipeline.*--dry-run/],
  ])('an answer the SDK cannot parse, %s', (_why, answeredOtherServices, fault, message) => {
    const raw = Object.assign(new SyntaxError('Unexpected token \'<\', "<!doctype "... is not valid JSON\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.'), { $metadata: { httpStatusCode: 500 } });
    // The adapter wraps it first, as CodePipelineControl does.
    const wrapped = new TransientError('GetPipelineState on p failed: ' + raw.message, {}, raw);
    const mapped = asAwsCallError(wrapped, 'reading the pipeline state', { service: 'CodePipeline', endpoint: 'http://127.0.0.1:8', ...(answeredOtherServices === undefined ? {} : { answeredOtherServices }) });
    expect(mapped.fault).toBe(fault);
    expect(mapped.message).toMatch(message);
    expect(mapped.message).not.toContain('Deserialization');
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
