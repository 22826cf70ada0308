import { describe, expect, it } from 'vitest';
import { awsClientConfig, resolveAwsOptions } from '../../../../src/cli/aws/aws-options.js';
import { parseTimeOption } from '../../../../src/cli/aws/time-options.js';
import { renderTable } from '../../../../src/cli/aws/table.js';
import { parseEnvironmentOption, resolveHistoryTable } from '../../../../src/cli/aws/history-options.js';
import { ConfigurationError } from '../../../../src/shared/errors.js';

const defaults = { region: 'eu-west-1' };

describe('resolveAwsOptions', () => {
  it.each([
    ['the flag wins over the environment', { region: 'us-west-2' }, { AWS_REGION: 'eu-central-1' }, 'us-west-2'],
    ['the pipeline\'s region, not the shell\'s AWS_REGION: the CLI\'s resources live only there', {}, { AWS_REGION: 'eu-central-1', AWS_DEFAULT_REGION: 'us-east-2' }, 'eu-west-1'],
    ['no flag and no variable: the configuration', {}, {}, 'eu-west-1'],
    ['GovCloud region names are accepted', { region: 'us-gov-west-1' }, {}, 'us-gov-west-1'],
  ])('region: %s', (_why, values, env, region) => {
    expect(resolveAwsOptions(values, env, defaults).region).toBe(region);
  });

  it('defaults to table output and no endpoint or profile, so the SDK default chain applies', () => {
    const options = resolveAwsOptions({}, {}, defaults);
    expect(options).toEqual({ region: 'eu-west-1', output: 'table' });
    expect(awsClientConfig(options)).toEqual({ region: 'eu-west-1' });
  });

  it('passes profile and endpoint to the SDK configuration, with path-style addressing for an emulator', () => {
    const options = resolveAwsOptions({ profile: 'delivery', 'endpoint-url': 'http://127.0.0.1:5000', output: 'json' }, {}, defaults);
    expect(awsClientConfig(options)).toEqual({
      region: 'eu-west-1',
      profile: 'delivery',
      endpoint: 'http://127.0.0.1:5000',
      forcePathStyle: true,
    });
    expect(options.output).toBe('json');
  });

  it.each([
    ['an unknown output format', { output: 'yaml' }, /--output must be "json" or "table"/],
    ['a region typo', { region: 'eu-west1' }, /--region must be an AWS region/],
    ['an endpoint that is not a URL', { 'endpoint-url': '127.0.0.1:5000' }, /--endpoint-url must be a URL/],
    ['an endpoint with another scheme', { 'endpoint-url': 'ftp://127.0.0.1' }, /must start with http/],
    ['an empty profile', { profile: ' ' }, /--profile needs a profile name/],
  ])('rejects %s as a user error', (_why, values, message) => {
    const call = (): unknown => resolveAwsOptions(values, {}, defaults);
    expect(call).toThrow(ConfigurationError);
    expect(call).toThrow(message);
  });
});

describe('parseTimeOption', () => {
  const now = new Date('2026-11-10T12:00:00Z');
  it.each([
    ['a duration in days', '7d', '2026-11-03T12:00:00.000Z'],
    ['a duration in hours', '24h', '2026-11-09T12:00:00.000Z'],
    ['a duration in minutes', '30m', '2026-11-10T11:30:00.000Z'],
    ['a duration in weeks', '2w', '2026-10-27T12:00:00.000Z'],
    ['a date', '2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['a date-time with zone', '2026-11-01T08:30:00Z', '2026-11-01T08:30:00.000Z'],
  ])('reads %s', (_why, value, expected) => {
    expect(parseTimeOption('since', value, now).toISOString()).toBe(expected);
  });

  it.each(['yesterday', '7 days', '2026-13-45', '-1d'])('rejects "%s" naming the flag and both forms', (value) => {
    expect(() => parseTimeOption('since', value, now)).toThrow(/--since must be an ISO date .* or a duration/);
  });
});

describe('renderTable', () => {
  it('aligns columns and flattens multi-line cells so a commit message cannot break the layout', () => {
    const text = renderTable(
      [
        { heading: 'ENV', cell: (row: { env: string; message: string }) => row.env },
        { heading: 'MESSAGE', cell: (row) => row.message },
      ],
      [
        { env: 'production', message: 'fix\npoller' },
        { env: 'test', message: 'x' },
      ],
    );
    expect(text.split('\n')).toEqual(['ENV         MESSAGE', '----------  ----------', 'production  fix poller', 'test        x']);
  });
});

describe('history table and environment options', () => {
  it('takes the flag, then KIRO_CD_HISTORY_TABLE, and asks CloudFormation only when neither names the table', async () => {
    let discovered = 0;
    const discover = (): Promise<string> => {
      discovered += 1;
      return Promise.resolve('stack-table');
    };
    expect(await resolveHistoryTable({ 'history-table': 'flag-table' }, { KIRO_CD_HISTORY_TABLE: 'env-table' }, discover)).toBe('flag-table');
    expect(await resolveHistoryTable({}, { KIRO_CD_HISTORY_TABLE: 'env-table' }, discover)).toBe('env-table');
    expect(discovered).toBe(0);
    expect(await resolveHistoryTable({}, {}, discover)).toBe('stack-table');
    expect(discovered).toBe(1);
  });

  it('rejects a table name DynamoDB would refuse', async () => {
    await expect(resolveHistoryTable({ 'history-table': 'a b' }, {}, () => Promise.resolve('x-table'))).rejects.toThrow(/--history-table must be a DynamoDB table name/);
  });

  it('accepts the three environments and lists them when the value is wrong', () => {
    expect(parseEnvironmentOption('staging')).toBe('staging');
    expect(parseEnvironmentOption(undefined)).toBeUndefined();
    expect(() => parseEnvironmentOption('prod')).toThrow('--environment must be one of test, staging, production, not "prod".');
  });
});
