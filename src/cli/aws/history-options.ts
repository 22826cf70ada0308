import { ENVIRONMENT_NAMES, type EnvironmentName } from '../../shared/config/schema.js';
import { ConfigurationError } from '../../shared/errors.js';
import type { OptionValues } from '../command.js';

/**
 * Where the deployment history lives: `--history-table` names the DynamoDB table; without it the
 * `KIRO_CD_HISTORY_TABLE` environment variable, then the table the pipeline runtime stack deployed.
 */
export const HISTORY_TABLE_OPTION = { 'history-table': { type: 'string' } } as const;

/** Help line for {@link HISTORY_TABLE_OPTION}. */
export const HISTORY_TABLE_HELP =
  "  --history-table <name>  DynamoDB table of the deployment history (default: KIRO_CD_HISTORY_TABLE, then the pipeline runtime stack's table).";

/**
 * Resolves the history table name: flag, environment variable, then `discover` (which asks
 * CloudFormation for the runtime stack's table, so only a call that needs it reaches AWS for it).
 */
export async function resolveHistoryTable(
  values: OptionValues,
  env: Readonly<Record<string, string | undefined>>,
  discover: () => Promise<string>,
): Promise<string> {
  const flag = values['history-table'];
  const given = typeof flag === 'string' ? flag : env.KIRO_CD_HISTORY_TABLE;
  const name = given ?? (await discover());
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(name)) {
    throw new ConfigurationError(
      `--history-table must be a DynamoDB table name (3-255 letters, digits, "_", "-", "."), not "${name}".`,
      { option: 'history-table', value: name },
    );
  }
  return name;
}

/** Parses an `--environment` value; throws a user-fault error listing the valid names. */
export function parseEnvironmentOption(value: unknown, flag = 'environment'): EnvironmentName | undefined {
  if (value === undefined) return undefined;
  const found = ENVIRONMENT_NAMES.find((name) => name === value);
  if (found === undefined) {
    throw new ConfigurationError(`--${flag} must be one of ${ENVIRONMENT_NAMES.join(', ')}, not ${JSON.stringify(value)}.`, {
      option: flag,
      value,
    });
  }
  return found;
}
