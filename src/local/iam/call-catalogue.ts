/**
 * The recorded calls as a reviewed, committed catalogue (`recorded-calls.json`): each distinct call
 * reduced to what authorizes it (caller, stack, service, operation, region, assumed role and the
 * input fields the ARN mapping reads), sorted. The least-privilege test records it afresh and fails
 * when it differs from the committed file (`vitest -u` rewrites it); `npm run validate` replays it
 * against the policies of `cdk.out` without running anything.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MalformedInputError } from '../../shared/errors.js';
import type { AttributedCall } from './simulate-calls.js';

/** Where the committed catalogue lives. */
export const CALL_CATALOGUE_FILE = fileURLToPath(new URL('./recorded-calls.json', import.meta.url));

/** The input fields `OPERATION_RESOURCES` (call-requests.ts) builds ARNs from; nothing else of an input is kept. */
export const AUTHORIZATION_INPUT_KEYS: readonly string[] = ['TableName', 'IndexName', 'TopicArn', 'AlarmNames', 'pipelineName', 'name', 'stageName', 'projectName', 'SecretId', 'StackName', 'RoleArn', 'id', 'ids', 'names', 'stateMachineArn'];

/** A build id is `<project>:<uuid>`; only the project authorizes, so the uuid CodeBuild made up is replaced by one stand-in and the catalogue stays the same from run to run. */
function withoutBuildUuid(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutBuildUuid);
  return typeof value === 'string' ? value.replace(/:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, `:${BUILD_UUID_STAND_IN}`) : value;
}

const BUILD_UUID_STAND_IN = '00000000-0000-4000-8000-000000000000';

/**
 * Input keys that name something other than what authorizes the call, per service: Step Functions'
 * `name` is the new execution's name (StartExecution authorizes on `stateMachineArn`), and the
 * rollback trigger derives it from ids that differ from run to run.
 */
const NOT_AUTHORIZING: Readonly<Record<string, readonly string[]>> = { SFN: ['name'] };

function authorizingInput(service: string, input: unknown): Record<string, unknown> {
  const record = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
  const ignored = NOT_AUTHORIZING[service] ?? [];
  return Object.fromEntries(AUTHORIZATION_INPUT_KEYS.filter((key) => record[key] !== undefined && !ignored.includes(key)).map((key) => [key, key === 'id' || key === 'ids' ? withoutBuildUuid(record[key]) : record[key]]));
}

/** The distinct calls, reduced and sorted, so the same exercise always yields the same catalogue. */
export function catalogueOf(calls: readonly AttributedCall[]): AttributedCall[] {
  const entries = new Map<string, AttributedCall>();
  for (const call of calls) {
    const entry: AttributedCall = {
      caller: call.caller,
      ...(call.stackName === undefined || call.caller.startsWith('kiro-cd ') ? {} : { stackName: call.stackName }),
      service: call.service,
      operation: call.operation,
      ...(call.region === undefined ? {} : { region: call.region }),
      ...(call.assumedRoleArn === undefined ? {} : { assumedRoleArn: call.assumedRoleArn }),
      input: authorizingInput(call.service, call.input),
    };
    entries.set(JSON.stringify(entry), entry);
  }
  return [...entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
}

/** The catalogue as committed: one call a line, so a review sees each added or removed call. */
export function formatCatalogue(calls: readonly AttributedCall[]): string {
  return `[\n${calls.map((call) => `  ${JSON.stringify(call)}`).join(',\n')}\n]\n`;
}

/** Reads the committed catalogue, or says which file is broken. */
export function readCatalogue(file: string = CALL_CATALOGUE_FILE): AttributedCall[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new MalformedInputError(`Cannot read the recorded calls ${file}: ${error instanceof Error ? error.message : String(error)}; run the least-privilege test with -u to write it.`, { file }, error);
  }
  const valid = Array.isArray(parsed) && parsed.every((entry: unknown) => typeof entry === 'object' && entry !== null && ['caller', 'service', 'operation'].every((key) => typeof (entry as Record<string, unknown>)[key] === 'string'));
  if (!valid) throw new MalformedInputError(`${file} is not a list of recorded calls (caller, service, operation, input).`, { file });
  return parsed as AttributedCall[];
}
