import { Stack } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import { acknowledgeNagFinding } from '../../policy/acknowledge.js';

/**
 * Accepts cdk-nag's IAM5 finding for `logs:CreateLogStream`/`logs:PutLogEvents` on
 * `log-group:<name>:*`: Lambda and CodeBuild name their log streams themselves at run time, and
 * log-stream is the resource type of those actions, so the `:*` stays inside one named log group.
 * The id is the exact finding (partition as cdk-nag prints it; account and region literal).
 */
export function acknowledgeLogStreamWildcard(role: IConstruct, logGroupName: string): void {
  const { region, account } = Stack.of(role);
  acknowledgeNagFinding(
    role,
    `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:logs:${region}:${account}:log-group:${logGroupName}:*]`,
    'Lambda and CodeBuild create their own log streams with run-time names; the wildcard covers only the streams of this one log group.',
  );
}
