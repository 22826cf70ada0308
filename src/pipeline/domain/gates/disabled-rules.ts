/**
 * AWS Control Tower guard rules (rule *file* names, as shipped in @cdklabs/cdk-validator-cfnguard)
 * that the project does not run, each with the reason. docs/policy-gates.md repeats them; a rule
 * is only added here after a security review of the reason.
 */
export const DISABLED_CONTROL_TOWER_RULES: Readonly<Record<string, string>> = {};
