import { Lazy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { ConfigurationError } from '../../../../src/shared/errors.js';

/** The actions CDK Pipelines grants its asset-publishing role on `*`. */
const BUILD_ACTIONS = ['codebuild:BatchGetBuilds', 'codebuild:StartBuild', 'codebuild:StopBuild'];

interface RenderedStatement {
  readonly Action?: unknown;
  readonly Resource?: unknown;
  readonly Effect?: unknown;
}

function isUnusedBuildGrant(statement: RenderedStatement): boolean {
  const actions = Array.isArray(statement.Action) ? (statement.Action as unknown[]) : [statement.Action];
  return statement.Effect === 'Allow' && statement.Resource === '*' && actions.length === BUILD_ACTIONS.length && BUILD_ACTIONS.every((action) => actions.includes(action));
}

/**
 * Removes from CDK Pipelines' asset-publishing role (`<pipeline>/Assets/FileRole`) the grant of
 * `codebuild:StartBuild`, `BatchGetBuilds` and `StopBuild` on `*`. Only CodeBuild assumes that role
 * (its trust names `codebuild.amazonaws.com` alone): it is the asset projects' service role, and a
 * build publishing assets starts no other build. CodePipeline starts the asset projects with the
 * CodeBuild action role, which CDK Pipelines already grants those actions on each project by ARN.
 * So the grant is unused, and the least-privilege proof lists it as such. CDK offers no switch for
 * it (aws-cdk-lib `pipelines` adds it when it creates the role), so this rewrites the rendered
 * policy document, keeping every other statement; it throws if the role's trust ever admits another
 * principal, because then the grant might be needed.
 */
export function dropUnusedAssetRoleBuildGrant(scope: IConstruct): void {
  const stack = Stack.of(scope);
  const role = scope.node.findAll().find((construct): construct is iam.Role => construct instanceof iam.Role && construct.node.path.endsWith('/CdkPipeline/Assets/FileRole'));
  if (role === undefined) return;
  const trust = JSON.stringify(stack.resolve(role.assumeRolePolicy?.toJSON()));
  const principals = [...trust.matchAll(/"Principal":(\{[^}]*\})/g)].map((match) => match[1]);
  if (principals.length === 0 || principals.some((principal) => principal !== '{"Service":"codebuild.amazonaws.com"}')) {
    throw new ConfigurationError(`CDK Pipelines' asset role ${role.node.path} is assumed by more than CodeBuild (${trust}); its codebuild:StartBuild grant may be needed, so it is no longer removed: review dropUnusedAssetRoleBuildGrant.`);
  }
  const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
  if (!(policy instanceof iam.CfnPolicy)) return;
  const original: unknown = policy.policyDocument;
  // Uncached and resolved through CDK's context, like the wildcard expansion (expand-wildcard-iam-actions.ts): statements keep being added until synthesis.
  policy.policyDocument = Lazy.uncachedAny({
    produce: (context) => {
      const document = context.resolve(original) as { Statement?: RenderedStatement[] };
      return { ...document, Statement: (document.Statement ?? []).filter((statement) => !isUnusedBuildGrant(statement)) };
    },
  });
}
