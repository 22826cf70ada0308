/**
 * Names and ARNs of the roles each environment account holds for the pipeline account, fixed so the
 * pipeline can name them before they exist (they are created by the environment's own stacks).
 * Pure: no CDK, no AWS SDK (lint-enforced boundary).
 */
import type { EnvironmentConfig } from '../../../shared/config/schema.js';

/** The AWS partition a region belongs to. */
export function partitionOf(region: string): 'aws' | 'aws-us-gov' | 'aws-cn' {
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('cn-')) return 'aws-cn';
  return 'aws';
}

/** The post-deployment test role's name in an environment account. */
export function postDeploymentTestRoleName(environment: Pick<EnvironmentConfig, 'stackPrefix'>): string {
  return `${environment.stackPrefix}-post-deployment-tests`;
}

/** The post-deployment test role's ARN, which the pipeline's suite action assumes (KIRO_TEST_ROLE_ARN). */
export function postDeploymentTestRoleArn(environment: Pick<EnvironmentConfig, 'account' | 'region' | 'stackPrefix'>): string {
  return `arn:${partitionOf(environment.region)}:iam::${environment.account}:role/${postDeploymentTestRoleName(environment)}`;
}
