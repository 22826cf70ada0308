import type * as z from 'zod';
import { ConfigurationError } from '../errors.js';
import { BAKE_AND_REVIEW_MAX_MINUTES } from './aws-limits.js';
import { AWS_REGION_FIX } from './aws-regions.js';
import {
  ENVIRONMENT_NAMES,
  environmentSchema,
  pipelineSchema,
  SECRET_REFERENCE_KEYS,
  type DeploymentConfig,
  type EnvironmentConfig,
} from './schema.js';

/** One thing wrong with the configuration: where it is, what was found, and how to fix it. */
export interface ConfigProblem {
  /** `pipeline` or the environment's name (or `environments[i]` when it has no valid name). */
  readonly scope: string;
  /** Dotted path of the key inside that scope, such as `healthCheck.durationSeconds`. */
  readonly key: string;
  readonly value: unknown;
  /** What the value must be, phrased as the fix. */
  readonly fix: string;
}

const CONFIG_FILE = 'infrastructure/lib/config/environments.ts';

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  return JSON.stringify(value);
}

/** True for a key that references a secret, or an entry of a map of them (the value may be a pasted secret). */
function isSecretReferenceKey(key: string): boolean {
  return key.split('.').some((segment) => SECRET_REFERENCE_KEYS.includes(segment));
}

function describeValueOf(problem: ConfigProblem): string {
  if (!isSecretReferenceKey(problem.key) || typeof problem.value !== 'string') return describe(problem.value);
  return `a value of ${String(problem.value.length)} characters (not shown: it may be a secret)`;
}

/** Renders a problem as one line that names scope, key, bad value and fix; never a secret's value. */
export function formatProblem(problem: ConfigProblem): string {
  const where = problem.scope === 'pipeline' ? 'pipeline settings' : `environment "${problem.scope}"`;
  return `${where}, key "${problem.key}": got ${describeValueOf(problem)}; ${problem.fix}.`;
}

/** What a value of each JSON type is called in a fix. */
const EXPECTED_TYPE: Readonly<Record<string, string>> = {
  string: 'text in quotes',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list [ ... ]',
  object: 'an object { ... }',
};

/**
 * The fix in the project's words: the schema's own message where it gave one (they all start with
 * "must", "is" or "looks"), otherwise a sentence built from the issue, never the library's wording
 * ("Invalid input: expected string, received number").
 */
function fixFor(issue: z.core.$ZodIssue): string {
  // A refused key of a map (such as an environment variable name): the key's own check says why.
  const message = issue.code === 'invalid_key' ? (issue.issues[0]?.message ?? issue.message) : issue.message;
  const own = /^(must|is|looks)\b/.test(message) ? message : undefined;
  const generic = issue.code === 'invalid_type' ? `must be ${EXPECTED_TYPE[issue.expected] ?? issue.expected}` : 'is not a valid value here (schema.ts describes this key)';
  const fix = own ?? generic;
  return issue.input === undefined ? `is required: ${fix.replace(/^is required:? /, '')}` : fix;
}

function problemsFromZod(scope: string, error: z.ZodError): ConfigProblem[] {
  return error.issues.flatMap((issue): ConfigProblem[] => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const container = issue.input;
      return issue.keys.map((unknownKey) => ({
        scope,
        key: [...path, unknownKey].join('.'),
        value: container?.[unknownKey],
        fix: 'is not a known key: remove it or correct its spelling (schema.ts lists every key)',
      }));
    }
    return [
      {
        scope,
        key: path.length === 0 ? '(whole entry)' : path.join('.'),
        value: issue.input,
        fix: fixFor(issue),
      },
    ];
  });
}

function nameOf(raw: unknown, index: number): string {
  if (typeof raw === 'object' && raw !== null && 'name' in raw) {
    const name = (raw).name;
    if (typeof name === 'string' && name.length > 0) return name;
  }
  return `environments[${index}]`;
}

/** Whether anyone hears of what is sent to these notifications: an e-mail address or a Slack channel. */
function hasRecipient(notifications: { readonly emails: readonly string[]; readonly slack?: unknown }): boolean {
  return notifications.emails.length > 0 || notifications.slack !== undefined;
}

const NO_RECIPIENT_FIX =
  'must name at least one e-mail address or a Slack channel: approval requests and review tokens go there, and a review nobody answers times out and rejects the release';

/** Checks that span several keys or several environments. */
function crossFieldProblems(environments: readonly EnvironmentConfig[]): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const names = environments.map((environment) => environment.name);
  if (names.join(',') !== ENVIRONMENT_NAMES.join(',')) {
    problems.push({
      scope: 'pipeline',
      key: 'environments',
      value: names,
      fix: `list exactly the environments ${ENVIRONMENT_NAMES.join(', ')}, once each and in that order (it is the deployment order)`,
    });
  }
  const prefixOwners = new Map<string, string>();
  for (const environment of environments) {
    const { name, healthCheck, approval, alarms, stackPrefix } = environment;
    if (name === 'production' && !approval.required) {
      problems.push({
        scope: name,
        key: 'approval.required',
        value: approval.required,
        fix: 'production must be preceded by a manual approval: set approval: { required: true, timeoutMinutes: 1440 }',
      });
    }
    if (healthCheck.durationSeconds % healthCheck.intervalSeconds !== 0) {
      problems.push({
        scope: name,
        key: 'healthCheck.durationSeconds',
        value: healthCheck.durationSeconds,
        fix: `must be a whole multiple of healthCheck.intervalSeconds (${healthCheck.intervalSeconds}), for example ${Math.max(1, Math.round(healthCheck.durationSeconds / healthCheck.intervalSeconds)) * healthCheck.intervalSeconds}`,
      });
    }
    const bakeMinutes = healthCheck.durationSeconds / 60;
    if (bakeMinutes + healthCheck.reviewTimeoutMinutes > BAKE_AND_REVIEW_MAX_MINUTES) {
      problems.push({
        scope: name,
        key: 'healthCheck.reviewTimeoutMinutes',
        value: healthCheck.reviewTimeoutMinutes,
        fix: `healthCheck.durationSeconds (${bakeMinutes} min) plus healthCheck.reviewTimeoutMinutes (${healthCheck.reviewTimeoutMinutes} min) is ${bakeMinutes + healthCheck.reviewTimeoutMinutes} minutes, more than the ${BAKE_AND_REVIEW_MAX_MINUTES} the health check may take: it runs as one CodePipeline action, which times out after one hour; shorten the bake or the review (docs/health-monitor.md)`,
      });
    }
    if (environment.postDeploymentTests === 'e2e' && environment.e2eFixture === undefined) {
      problems.push({
        scope: name,
        key: 'e2eFixture',
        value: undefined,
        fix: 'is required when postDeploymentTests is "e2e": the public GitHub repository whose work item the end-to-end run takes to done, such as e2eFixture: { repository: "kiro-dev/kiro-worker-e2e-fixture", branch: "main" }',
      });
    }
    if (alarms.critical.length === 0) {
      problems.push({
        scope: name,
        key: 'alarms.critical',
        value: alarms.critical,
        fix: 'name at least one critical alarm (such as "poller-errors"): without one, no alarm can roll a bad release back',
      });
    }
    if (name === 'production' && !hasRecipient(environment.notifications)) {
      problems.push({ scope: name, key: 'notifications', value: environment.notifications, fix: NO_RECIPIENT_FIX });
    }
    const both = alarms.critical.filter((id) => alarms.warning.includes(id));
    if (both.length > 0) {
      problems.push({
        scope: name,
        key: 'alarms.warning',
        value: both,
        fix: 'an alarm is either critical or a warning: remove it from one of the two lists',
      });
    }
    const owner = prefixOwners.get(stackPrefix.toLowerCase());
    if (owner !== undefined) {
      problems.push({
        scope: name,
        key: 'stackPrefix',
        value: stackPrefix,
        fix: `environment "${owner}" already uses this prefix, so their stacks would share names: choose another`,
      });
    } else {
      prefixOwners.set(stackPrefix.toLowerCase(), name);
    }
  }
  return problems;
}

/** Checks that need data the Lambda bundles must not carry; the CDK app passes them at synth time. */
export interface SynthTimeChecks {
  /** Every region AWS has (from aws-cdk-lib's region-info); an environment's region must be one. */
  readonly knownRegions?: readonly string[];
}

function unknownRegionProblems(environments: readonly EnvironmentConfig[], knownRegions: readonly string[]): ConfigProblem[] {
  return environments
    .filter((environment) => !knownRegions.includes(environment.region))
    .map((environment) => ({
      scope: environment.name,
      key: 'region',
      value: environment.region,
      fix: `${AWS_REGION_FIX} (regions known to aws-cdk-lib: ${knownRegions.join(', ')})`,
    }));
}

/**
 * Validates the raw configuration once, at synth time, and fills in defaults.
 * Throws a {@link ConfigurationError} listing every problem, each naming the environment, the key,
 * the bad value and the fix. `checks` adds the synth-time checks (see {@link SynthTimeChecks}).
 */
export function validateConfig(input: { readonly pipeline: unknown; readonly environments: unknown }, checks: SynthTimeChecks = {}): DeploymentConfig {
  const problems: ConfigProblem[] = [];
  const pipeline = pipelineSchema.safeParse(input.pipeline, { reportInput: true });
  if (!pipeline.success) problems.push(...problemsFromZod('pipeline', pipeline.error));

  const environments: EnvironmentConfig[] = [];
  if (!Array.isArray(input.environments)) {
    problems.push({ scope: 'pipeline', key: 'environments', value: input.environments, fix: 'must be a list of environments' });
  } else {
    input.environments.forEach((raw: unknown, index) => {
      const parsed = environmentSchema.safeParse(raw, { reportInput: true });
      if (parsed.success) environments.push(parsed.data);
      else problems.push(...problemsFromZod(nameOf(raw, index), parsed.error));
    });
    if (checks.knownRegions !== undefined) problems.push(...unknownRegionProblems(environments, checks.knownRegions));
    if (problems.length === 0) problems.push(...crossFieldProblems(environments));
  }
  if (pipeline.success && !hasRecipient(pipeline.data.notifications)) {
    problems.push({ scope: 'pipeline', key: 'notifications', value: pipeline.data.notifications, fix: NO_RECIPIENT_FIX });
  }

  if (problems.length > 0 || !pipeline.success) {
    const lines = problems.map((problem) => `  - ${formatProblem(problem)}`);
    throw new ConfigurationError(
      `Invalid deployment configuration in ${CONFIG_FILE} (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${lines.join('\n')}`,
      // The problems travel with the error (JSON output of the CLI): without a secret's value.
      { problems: problems.map((problem) => (isSecretReferenceKey(problem.key) ? { ...problem, value: describeValueOf(problem) } : problem)) },
    );
  }
  return { pipeline: pipeline.data, environments };
}
