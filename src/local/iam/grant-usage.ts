/**
 * The other half of least privilege: every action a role is granted must be used. A grant is
 * `used` when an allowed recorded call of that role matched it, `service` when AWS itself uses it
 * on the role's behalf in a way AWS documents (each need cites its page), and `unused` otherwise:
 * a finding.
 */
import type { CallVerdict } from './simulate-calls.js';
import type { PolicyStatement, SynthesizedIam, TemplateRole } from './synthesized-iam.js';

/** One granted (action, resource) of a role and how it is justified. */
export interface GrantUse {
  readonly role: string;
  readonly action: string;
  readonly resource: string;
  readonly status: 'used' | 'service' | 'unused';
  /** The call that used it, or the documented service need. */
  readonly why: string;
}

function asList(value: string | readonly string[] | undefined): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

/** IAM's wildcard matching (`*` any run of characters, `?` one character), case-sensitive for resources. */
export function iamPatternMatches(pattern: string, value: string, ignoreCase = false): boolean {
  const source = `^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`;
  // eslint-disable-next-line security/detect-non-literal-regexp -- every regex metacharacter of the IAM pattern is escaped above; only * and ? become .* and .
  return new RegExp(source, ignoreCase ? 'i' : '').test(value);
}

const LAMBDA_LOGS = 'Lambda writes the function\'s logs to CloudWatch Logs with its execution role (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html)';
const LAMBDA_DLQ = 'Lambda sends failed asynchronous events to the function\'s dead-letter queue with its execution role (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html)';
const LAMBDA_ENV_KEY = 'Lambda decrypts the function\'s environment variables with the customer key through the execution role (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars-encryption.html)';
const STATES_INVOKE = 'Step Functions invokes the Lambda task of the definition with the state machine\'s role (https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html)';
const STATES_LOGS = 'Step Functions delivers execution logs and traces with the state machine\'s role, which needs these on * (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html, https://docs.aws.amazon.com/step-functions/latest/dg/concepts-xray-tracing.html)';
const STATES_LOGGING = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];
const KEY_THROUGH_SERVICE: Readonly<Record<string, { readonly actions: readonly string[]; readonly page: string }>> = {
  dynamodb: { actions: ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'], page: 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/encryption.usagenotes.html' },
  sns: { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], page: 'https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html' },
  sqs: { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], page: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html' },
  s3: { actions: ['kms:Decrypt', 'kms:GenerateDataKey'], page: 'https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#aws-managed-customer-managed-keys' },
};

/** The documented service needs of one role: (action, resource) pairs with the reason. */
function serviceNeeds(iam: SynthesizedIam, role: TemplateRole, used: readonly CallVerdict[]): { action: string; resource: string; why: string }[] {
  const needs: { action: string; resource: string; why: string }[] = [];
  const isLambda = JSON.stringify(role.trust).includes('lambda.amazonaws.com');
  if (isLambda) {
    needs.push({ action: 'logs:CreateLogStream', resource: '*', why: LAMBDA_LOGS }, { action: 'logs:PutLogEvents', resource: '*', why: LAMBDA_LOGS });
    for (const queue of role.serviceUses.deadLetterQueues) needs.push({ action: 'sqs:SendMessage', resource: queue, why: LAMBDA_DLQ });
    for (const key of role.serviceUses.environmentKeys) needs.push({ action: 'kms:Decrypt', resource: key, why: LAMBDA_ENV_KEY });
  }
  if (JSON.stringify(role.trust).includes('states.amazonaws.com')) {
    const functions = role.policies.flatMap((policy) => policy.document.Statement).flatMap((statement) => (asList(statement.Action).includes('lambda:InvokeFunction') ? asList(statement.Resource) : []));
    for (const fn of functions) needs.push({ action: 'lambda:InvokeFunction', resource: fn, why: STATES_INVOKE });
    for (const action of STATES_LOGGING) needs.push({ action, resource: '*', why: STATES_LOGS });
  }
  // A call on an index or an object touches its table or bucket, whose key the service then uses.
  const touched = new Set([...used.map((verdict) => verdict.resource.replace(/\/index\/[^/]+$/, '').replace(/^(arn:aws:s3:::[^/]+)\/.*$/, '$1')), ...role.serviceUses.deadLetterQueues]);
  for (const encrypted of iam.encrypted) {
    if (!touched.has(encrypted.resource)) continue;
    const through = KEY_THROUGH_SERVICE[encrypted.service];
    if (through === undefined) continue;
    for (const action of through.actions) needs.push({ action, resource: encrypted.key, why: `${encrypted.service} uses the key of ${encrypted.resource} on the caller's behalf (${through.page})` });
  }
  return needs;
}

/**
 * Per role in `roles`: each granted action on each granted resource, with how it is justified by
 * the allowed `verdicts` (the calls that role made) or a documented service need.
 */
export function grantUsage(iam: SynthesizedIam, roles: readonly TemplateRole[], verdicts: readonly CallVerdict[]): GrantUse[] {
  const uses: GrantUse[] = [];
  for (const role of roles) {
    const mine = verdicts.filter((verdict) => verdict.allowed && verdict.roleArn === role.arn);
    const needs = serviceNeeds(iam, role, mine);
    const statements: PolicyStatement[] = role.policies.flatMap((policy) => policy.document.Statement).filter((statement) => statement.Effect === 'Allow');
    for (const statement of statements) {
      for (const action of asList(statement.Action)) {
        for (const resource of asList(statement.Resource)) {
          const call = mine.find((verdict) => iamPatternMatches(action, verdict.action, true) && iamPatternMatches(resource, verdict.resource));
          const need = needs.find((candidate) => iamPatternMatches(action, candidate.action, true) && (candidate.resource === '*' || iamPatternMatches(resource, candidate.resource) || resource === candidate.resource));
          const name = `${role.stackName}/${role.logicalId}`;
          if (call !== undefined) uses.push({ role: name, action, resource, status: 'used', why: `${call.caller} ${call.operation}` });
          else if (need !== undefined) uses.push({ role: name, action, resource, status: 'service', why: need.why });
          else uses.push({ role: name, action, resource, status: 'unused', why: 'no recorded call and no documented service need' });
        }
      }
    }
  }
  return uses;
}
