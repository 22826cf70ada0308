import { Aspects, AspectPriority, CfnResource, Lazy, type IAspect } from 'aws-cdk-lib';
import { CfnGroup, CfnManagedPolicy, CfnPolicy, CfnRole, CfnUser } from 'aws-cdk-lib/aws-iam';
import { CfnKey } from 'aws-cdk-lib/aws-kms';
import { CfnBucketPolicy } from 'aws-cdk-lib/aws-s3';
import { CfnTopicPolicy } from 'aws-cdk-lib/aws-sns';
import { CfnQueuePolicy } from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';
import { expandPolicyDocument } from './expand-policy-document.js';
import type { IamActionCatalog } from './iam-action-catalog.js';

/**
 * Rewrites every wildcard action of every `Allow` statement (`s3:GetObject*`, `kms:ReEncrypt*`,
 * `logs:*` ...) into the explicit actions it stands for, in identity policies (IAM policies, managed
 * policies, inline policies of roles, users and groups) and resource policies (bucket, topic, queue
 * and key policies).
 *
 * Why a lazy rewrite of the L1 property and not of the final template: CDK grant methods and CDK
 * Pipelines keep adding statements until synthesis (CDK Pipelines builds its pipeline in an aspect
 * of its own), and cdk-nag reads the L1 properties, not the template. Replacing the property by a
 * lazy value that resolves the original document and expands it means every statement is seen,
 * whenever it was added, and every reader (template, cdk-nag, `Template.fromStack`) sees the result.
 */
export class ExpandWildcardIamActions implements IAspect {
  private readonly visited = new WeakSet<CfnResource>();

  constructor(private readonly catalog: IamActionCatalog) {}

  visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || this.visited.has(node)) return;
    this.visited.add(node);
    // The document is resolved through the resolution context CDK passes in, never through a fresh
    // `stack.resolve()`: CDK finds cross-stack references by watching which tokens a resolution
    // meets, and later renders each one as Fn::ImportValue for the consuming stack. A separate
    // resolve hides those tokens, so a grant on another stack's table or key would render as a
    // local Fn::GetAtt to a resource that does not exist in this template. The value is uncached
    // for the same reason: the reference only becomes an import after CDK has seen it once, and
    // statements keep being added until synthesis.
    const documentOf = (original: unknown, keyPolicy = false): unknown =>
      original === undefined
        ? undefined
        : Lazy.uncachedAny({
            produce: (context) => expandPolicyDocument(context.resolve(original), this.catalog, { keyPolicy }),
          });

    if (node instanceof CfnPolicy || node instanceof CfnManagedPolicy) {
      node.policyDocument = documentOf(node.policyDocument);
    } else if (node instanceof CfnRole || node instanceof CfnUser || node instanceof CfnGroup) {
      // Each entry keeps its L1 shape ({ policyName, policyDocument }): the L1 renderer turns it into
      // CloudFormation, and cdk-nag reads `policyDocument` from it. A list given as a token cannot be
      // rewritten entry by entry; the cfn-guard rules still catch any wildcard it holds.
      const original: unknown = node.policies;
      if (Array.isArray(original)) {
        node.policies = original.map((entry: unknown) =>
          entry !== null && typeof entry === 'object' && 'policyDocument' in entry
            ? { ...entry, policyDocument: documentOf(entry.policyDocument) }
            : entry,
        ) as CfnRole['policies'];
      }
    } else if (node instanceof CfnBucketPolicy || node instanceof CfnTopicPolicy || node instanceof CfnQueuePolicy) {
      node.policyDocument = documentOf(node.policyDocument);
    } else if (node instanceof CfnKey) {
      node.keyPolicy = documentOf(node.keyPolicy, true);
    }
  }
}

/**
 * Adds the expansion to every construct under `scope` (normally the App). Policy resources that
 * other aspects create later (CDK Pipelines' just-in-time pipeline) are visited when they appear,
 * and statements added to an already visited document are caught by the lazy rewrite.
 */
export function expandWildcardIamActions(scope: IConstruct, catalog: IamActionCatalog): void {
  Aspects.of(scope).add(new ExpandWildcardIamActions(catalog), { priority: AspectPriority.MUTATING });
}
