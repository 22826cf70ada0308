import { z } from 'zod';
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

/**
 * Turns the output of `cfn-lint -f json` into findings. A match of an ignored rule becomes an
 * accepted finding with the project-wide reason. `relativeTo` is stripped from file names so the
 * report names templates relative to the cloud assembly.
 */
export function parseCfnLintOutput(stdout: string, relativeTo = ''): GateFinding[] {
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
  return parsed.data.map((match) => {
    const path = match.Location.Path ?? [];
    const resource = path[0] === 'Resources' && typeof path[1] === 'string' ? path[1] : undefined;
    const template = relativeTo !== '' && match.Filename.startsWith(relativeTo) ? match.Filename.slice(relativeTo.length).replace(/^\/+/, '') : match.Filename;
    const reason = IGNORED_CFN_LINT_RULES[match.Rule.Id];
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
