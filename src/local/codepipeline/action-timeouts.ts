/**
 * How long an action may run before CodePipeline times it out, from the
 * [quotas page](https://docs.aws.amazon.com/codepipeline/latest/userguide/limits.html): CloudFormation
 * deploy 3 days, CodeDeploy 5 days, Lambda invoke 24 hours, manual approval its
 * `TimeoutInMinutes` (default 7 days), all other actions 1 hour.
 */
import type { ActionDeclaration } from './declaration.js';

const HOUR = 60 * 60_000;

/** The documented timeout of an action, in milliseconds of pipeline time. */
export function actionTimeoutMilliseconds(action: Pick<ActionDeclaration, 'category' | 'provider' | 'timeoutInMinutes'>): number {
  if (action.category === 'Approval') return (action.timeoutInMinutes ?? 7 * 24 * 60) * 60_000;
  switch (action.provider) {
    case 'CloudFormation':
      return 3 * 24 * HOUR;
    case 'CodeDeploy':
    case 'CodeDeployToECS':
      return 5 * 24 * HOUR;
    case 'Lambda':
      return 24 * HOUR;
    default:
      return HOUR;
  }
}
