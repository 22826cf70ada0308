/**
 * AWS Control Tower guard rules (rule *file* names, as shipped in @cdklabs/cdk-validator-cfnguard)
 * that the project does not run, each with the reason. docs/policy-gates.md repeats them; a rule
 * is only added here after a security review of the reason.
 */
export const DISABLED_CONTROL_TOWER_RULES: Readonly<Record<string, string>> = {
  'ct-cloudwatch-pr-2':
    'CT.CLOUDWATCH.PR.2 requires log groups to keep logs for at least 365 days (or forever). The product ' +
    'requirement (NFR-3, issue 2 item 5) is 90 days, set per environment in environments.ts; the two ' +
    'cannot both hold, and the requirement wins. Revisit if an audit obligation asks for a year.',
};
