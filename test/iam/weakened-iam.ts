/**
 * The synthesized IAM model with statements taken out, for the tests that show the least-privilege
 * proof fails, naming the caller, operation, action, ARN and role, when a needed statement is gone.
 */
import type { PolicyStatement, SynthesizedIam } from '../../src/local/iam/synthesized-iam.js';

/** A statement's `Action` (or `Resource`) as a list. */
export function asList(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

/** The model with the matching statements removed from every role (and standalone policy) whose logical id starts with `rolePrefix`. */
export function withoutStatement(iam: SynthesizedIam, rolePrefix: string, matches: (statement: PolicyStatement) => boolean): SynthesizedIam {
  return {
    ...iam,
    standalonePolicies: iam.standalonePolicies.map((policy) =>
      policy.logicalId.startsWith(rolePrefix) ? { ...policy, document: { ...policy.document, Statement: policy.document.Statement.filter((statement) => !matches(statement)) } } : policy,
    ),
    roles: iam.roles.map((role) =>
      role.logicalId.startsWith(rolePrefix)
        ? { ...role, policies: role.policies.map((policy) => ({ ...policy, document: { ...policy.document, Statement: policy.document.Statement.filter((statement) => !matches(statement)) } })) }
        : role,
    ),
  };
}
