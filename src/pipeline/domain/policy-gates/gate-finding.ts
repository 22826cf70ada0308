/** The policy gates every synthesized template must pass (issue 2, item 8). */
export const GATE_NAMES = ['cfn-lint', 'cfn-guard', 'cdk-nag', 'cdk-validation'] as const;
/**
 * `cfn-lint`: template linter. `cfn-guard`: Control Tower rules plus the project's rules in
 * infrastructure/policy. `cdk-nag`: the AwsSolutions pack, run by CDK during synthesis.
 * `cdk-validation`: any other CDK validation plugin (the built-in CloudFormation validator).
 */
export type GateName = (typeof GATE_NAMES)[number];

/** One thing a gate found in one place. */
export interface GateFinding {
  readonly gate: GateName;
  /** The tool's rule id: `E3012`, `S3_BUCKET_KMS_ENCRYPTED`, `AwsSolutions-IAM5[Action::s3:*]`. */
  readonly ruleId: string;
  readonly severity: 'error' | 'warning' | 'info';
  /** Template path relative to the cloud assembly, when the tool names one. */
  readonly template?: string;
  /** Logical id or construct path of the resource, when the tool names one. */
  readonly resource?: string;
  readonly message: string;
  /**
   * Set when the finding is accepted: the reason written on the resource (or, for a rule ignored
   * project-wide, the reason in docs/policy-gates.md). Accepted findings never block.
   */
  readonly acceptedBecause?: string;
}

/** What one gate produced over the whole assembly. */
export interface GateResult {
  readonly gate: GateName;
  /** How many templates the gate looked at (0 for cdk-nag, which reads the construct tree). */
  readonly templatesChecked: number;
  readonly findings: readonly GateFinding[];
}

/** The verdict over every gate: pass only when no gate has an unaccepted finding. */
export type GatesVerdict =
  | { readonly kind: 'pass'; readonly accepted: readonly GateFinding[] }
  | { readonly kind: 'fail'; readonly blocking: readonly GateFinding[]; readonly accepted: readonly GateFinding[] };

/** Unaccepted findings of one gate. */
export function blockingFindings(result: GateResult): readonly GateFinding[] {
  return result.findings.filter((finding) => finding.acceptedBecause === undefined);
}

/** Every finding blocks unless it carries an acceptance reason; warnings block too (zero-findings policy). */
export function decideGates(results: readonly GateResult[]): GatesVerdict {
  const all = results.flatMap((result) => result.findings);
  const blocking = all.filter((finding) => finding.acceptedBecause === undefined);
  const accepted = all.filter((finding) => finding.acceptedBecause !== undefined);
  return blocking.length === 0 ? { kind: 'pass', accepted } : { kind: 'fail', blocking, accepted };
}

/** One line per finding, for terminals and test failure messages. */
export function formatFinding(finding: GateFinding): string {
  const where = [finding.template, finding.resource].filter((part) => part !== undefined).join(' ');
  const accepted = finding.acceptedBecause === undefined ? '' : ` (accepted: ${finding.acceptedBecause})`;
  return `[${finding.gate}] ${finding.severity} ${finding.ruleId}${where === '' ? '' : ` at ${where}`}: ${finding.message}${accepted}`;
}
