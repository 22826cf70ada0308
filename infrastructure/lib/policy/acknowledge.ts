import { CfnResource, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { ConfigurationError } from '../../../src/shared/errors.js';

/** The shortest reason accepted: a reason must say why the finding does not apply, not just "n/a". */
const MIN_REASON_LENGTH = 30;

function checkReason(rule: string, reason: string, where: IConstruct): void {
  if (reason.trim().length < MIN_REASON_LENGTH) {
    throw new ConfigurationError(
      `The acknowledgement of ${rule} on ${where.node.path} needs a reason a security engineer would accept ` +
        `(at least ${MIN_REASON_LENGTH} characters saying why the finding does not apply here).`,
      { rule, path: where.node.path },
    );
  }
}

/**
 * Accepts one cdk-nag finding on one construct (and its children), such as
 * `AwsSolutions-IAM5[Resource::<Bucket.Arn>/*]`. Use the exact finding id from the report, never a
 * whole rule, and put it on the resource the finding concerns.
 */
export function acknowledgeNagFinding(construct: IConstruct, id: string, reason: string): void {
  checkReason(id, reason, construct);
  Validations.of(construct).acknowledge({ id, reason });
}

/**
 * Accepts one cfn-guard rule (Control Tower or project) on one resource: writes
 * `Metadata.guard.SuppressedRules` (the Guard Rules Registry convention) and the reason in
 * `Metadata.guard.Reasons`, which `kiro-cd policy-gates` reads. Pass the L2 construct or its L1 resource.
 */
export function acknowledgeGuardRule(construct: IConstruct, rule: string, reason: string): void {
  checkReason(rule, reason, construct);
  const resource = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (resource === undefined || !CfnResource.isCfnResource(resource)) {
    throw new ConfigurationError(`${construct.node.path} has no CloudFormation resource to carry the acknowledgement of ${rule}; pass the resource itself.`, { rule });
  }
  const existing = (resource.getMetadata('guard') ?? {}) as { SuppressedRules?: string[]; Reasons?: Record<string, string> };
  resource.addMetadata('guard', {
    SuppressedRules: [...new Set([...(existing.SuppressedRules ?? []), rule])],
    Reasons: { ...existing.Reasons, [rule]: reason },
  });
}
