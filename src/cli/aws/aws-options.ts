import type { ParseArgsConfig } from 'node:util';
import { ConfigurationError } from '../../shared/errors.js';
import type { OptionValues } from '../command.js';

/**
 * The options every AWS-facing `kiro-cd` command accepts, spelled and resolved like the AWS CLI's:
 * `--profile`, `--region`, `--endpoint-url` (the local emulator) and `--output json|table`.
 */
export const AWS_CLI_OPTIONS = {
  profile: { type: 'string' },
  region: { type: 'string' },
  'endpoint-url': { type: 'string' },
  output: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

/** Help lines for {@link AWS_CLI_OPTIONS}, appended to each command's help text. */
export const AWS_CLI_OPTIONS_HELP = [
  'AWS options (as in the AWS CLI):',
  '  --profile <name>       Named profile from ~/.aws/config (default: AWS_PROFILE, then the default chain).',
  '  --region <region>      Region of the pipeline (default: the configuration\'s pipeline region; AWS_REGION is not used:',
  '                         the history, ledger, pipeline and health monitor live only there).',
  '  --endpoint-url <url>   Send every AWS call to this endpoint, such as the local emulator http://127.0.0.1:5000.',
  '  --output json|table    Output format (default: table).',
].join('\n');

/** How a command prints its result. */
export type OutputFormat = 'json' | 'table';

/** The resolved AWS options of one call. */
export interface AwsCallOptions {
  /** Named profile; undefined leaves the SDK's default credential chain (which reads AWS_PROFILE). */
  readonly profile?: string;
  readonly region: string;
  /** Endpoint override for every client, such as the local emulator. */
  readonly endpointUrl?: string;
  readonly output: OutputFormat;
}

/** SDK v3 client configuration built from {@link AwsCallOptions}; accepted by every `@aws-sdk/client-*` client. */
export interface AwsClientConfig {
  readonly region: string;
  readonly profile?: string;
  readonly endpoint?: string;
  /** Path-style S3 addressing, which an emulator on an IP address needs. */
  readonly forcePathStyle?: boolean;
}

/** Region names as AWS spells them (`us-east-1`, `us-gov-west-1`, `eu-central-2`). */
// eslint-disable-next-line security/detect-unsafe-regex -- no nested repetition: optional groups and one bounded \d{1,2}
const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;

function stringOption(values: OptionValues, key: string): string | undefined {
  const value = values[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') {
    throw new ConfigurationError(`--${key} needs a value, such as --${key} <value>.`, { option: key });
  }
  return value;
}


/**
 * Resolves the AWS options of one call: the region is the flag, else the pipeline's configured
 * region (never the shell's AWS_REGION, which may point elsewhere). Throws a user-fault {@link ConfigurationError}
 * (exit code 2) that names the option and a valid example when a value is wrong.
 */
export function resolveAwsOptions(
  values: OptionValues,
  env: Readonly<Record<string, string | undefined>>,
  defaults: { readonly region: string },
): AwsCallOptions {
  const output = stringOption(values, 'output') ?? 'table';
  if (output !== 'json' && output !== 'table') {
    throw new ConfigurationError(`--output must be "json" or "table", not "${output}".`, { option: 'output', value: output });
  }
  const region =
    // Not AWS_REGION: the CLI's resources (history and ledger tables, the pipeline, the health
    // monitor's task tokens) exist only in the pipeline's region, whatever the shell points at.
    stringOption(values, 'region') ?? defaults.region;
  if (!REGION_PATTERN.test(region)) {
    throw new ConfigurationError(`--region must be an AWS region such as "us-east-1", not "${region}".`, {
      option: 'region',
      value: region,
    });
  }
  const endpointUrl = stringOption(values, 'endpoint-url');
  if (endpointUrl !== undefined) {
    let parsed: URL;
    try {
      parsed = new URL(endpointUrl);
    } catch (cause) {
      throw new ConfigurationError(
        `--endpoint-url must be a URL such as "http://127.0.0.1:5000", not "${endpointUrl}".`,
        { option: 'endpoint-url', value: endpointUrl },
        cause,
      );
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new ConfigurationError(`--endpoint-url must start with http:// or https://, not "${parsed.protocol}".`, {
        option: 'endpoint-url',
        value: endpointUrl,
      });
    }
  }
  const profile = stringOption(values, 'profile');
  if (profile?.trim() === '') {
    throw new ConfigurationError('--profile needs a profile name from ~/.aws/config, such as --profile delivery.', {
      option: 'profile',
    });
  }
  return {
    region,
    output,
    ...(profile === undefined ? {} : { profile }),
    ...(endpointUrl === undefined ? {} : { endpointUrl }),
  };
}

/** SDK client configuration for the resolved options: region, profile and endpoint override. */
export function awsClientConfig(options: AwsCallOptions): AwsClientConfig {
  return {
    region: options.region,
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.endpointUrl === undefined ? {} : { endpoint: options.endpointUrl, forcePathStyle: true }),
  };
}
