/**
 * The CDK bootstrap roles of the environment accounts, which the assembly does not define but
 * CodePipeline's CloudFormation actions run as: read from the bootstrap template the installed CDK
 * CLI deploys (`aws-cdk/lib/api/bootstrap/bootstrap-template.yaml`), with the parameters the
 * project's bootstrap instructions give (docs/pipeline.md, "Cross-account environments":
 * `cdk bootstrap --trust <pipeline-account> --trust-for-lookup <pipeline-account>
 * --cloudformation-execution-policies <policy ARN>`, default qualifier, default `DenyExternalId`).
 * The deploy role's one managed policy, `AWSCloudFormationReadOnlyAccess`, is AWS managed and not
 * in the template: its document is written out below from AWS's managed-policy reference.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import type { NamedPolicy, PolicyDocument, TemplateRole } from './synthesized-iam.js';

/** The bootstrap qualifier the pipeline uses (pipeline-permissions.ts). */
export const BOOTSTRAP_QUALIFIER = 'hnb659fds';

/**
 * AWSCloudFormationReadOnlyAccess, attached by the bootstrap template to the deploy role
 * (https://docs.aws.amazon.com/aws-managed-policy/latest/reference/AWSCloudFormationReadOnlyAccess.html).
 */
export const CLOUDFORMATION_READ_ONLY_ACCESS: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    {
      Effect: 'Allow',
      Action: ['cloudformation:Describe*', 'cloudformation:EstimateTemplateCost', 'cloudformation:Get*', 'cloudformation:List*', 'cloudformation:ValidateTemplate', 'cloudformation:Detect*'],
      Resource: '*',
    },
  ],
};

/** Where the installed CDK CLI keeps the template `cdk bootstrap` deploys. */
export function bootstrapTemplateFile(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('aws-cdk/package.json')), 'lib', 'api', 'bootstrap', 'bootstrap-template.yaml');
}

interface BootstrapTemplate {
  readonly Parameters: Record<string, { readonly Default?: unknown; readonly Type?: string }>;
  readonly Conditions: Record<string, unknown>;
  readonly Resources: Record<string, { readonly Type: string; readonly Properties?: Record<string, unknown> }>;
}

/** A bootstrapped environment: account, region and the accounts `--trust` names. */
export interface BootstrapEnvironment {
  readonly account: string;
  readonly region: string;
  readonly trustedAccounts: readonly string[];
}

const NO_VALUE = Symbol('AWS::NoValue');

/** Resolves the template's intrinsics (Ref, Fn::Sub, Fn::If with its conditions, Fn::Join, Fn::Equals, Fn::Not, Fn::And, Fn::Or, Condition) for one environment. */
function resolver(template: BootstrapTemplate, environment: BootstrapEnvironment, parameters: Readonly<Record<string, unknown>>): (value: unknown) => unknown {
  const resourceName = (id: string): string => {
    const name = template.Resources[id]?.Properties?.RoleName;
    return name === undefined ? id : String(resolve(name));
  };
  const ref = (name: string): unknown => {
    switch (name) {
      case 'AWS::AccountId':
        return environment.account;
      case 'AWS::Region':
        return environment.region;
      case 'AWS::Partition':
        return 'aws';
      case 'AWS::URLSuffix':
        return 'amazonaws.com';
      case 'AWS::NoValue':
        return NO_VALUE;
      default:
        if (name in parameters) return parameters[name];
        if (template.Parameters[name] !== undefined) return template.Parameters[name].Default ?? '';
        return resourceName(name);
    }
  };
  const attribute = (name: string): string => {
    const [id = '', attr = ''] = name.split('.');
    const resource = template.Resources[id];
    if (resource?.Type === 'AWS::IAM::Role' && attr === 'Arn') return `arn:aws:iam::${environment.account}:role/${resourceName(id)}`;
    if (resource?.Type === 'AWS::S3::Bucket' && attr === 'Arn') return `arn:aws:s3:::cdk-${String(ref('Qualifier'))}-assets-${environment.account}-${environment.region}`;
    return `${id}.${attr}`;
  };
  const condition = (name: string): boolean => Boolean(resolve(template.Conditions[name]));
  function resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolve).filter((item) => item !== NO_VALUE);
    if (typeof value !== 'object' || value === null) return value;
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1) {
      const [key = ''] = keys;
      const argument = record[key];
      switch (key) {
        case 'Ref':
          return ref(String(argument));
        case 'Fn::GetAtt':
          return attribute(Array.isArray(argument) ? argument.join('.') : String(argument));
        case 'Condition':
          return condition(String(argument));
        case 'Fn::If': {
          const [name, whenTrue, whenFalse] = argument as [string, unknown, unknown];
          return condition(name) ? resolve(whenTrue) : resolve(whenFalse);
        }
        case 'Fn::Equals': {
          const [a, b] = (argument as unknown[]).map(resolve);
          return JSON.stringify(a) === JSON.stringify(b);
        }
        case 'Fn::Not':
          return !(resolve((argument as unknown[])[0]) as boolean);
        case 'Fn::And':
          return (argument as unknown[]).every((item) => resolve(item) === true);
        case 'Fn::Or':
          return (argument as unknown[]).some((item) => resolve(item) === true);
        case 'Fn::Join': {
          const [separator, parts] = argument as [string, unknown];
          const resolved = resolve(parts);
          return (Array.isArray(resolved) ? resolved : [resolved]).map(String).join(separator);
        }
        case 'Fn::Sub': {
          const text = String(Array.isArray(argument) ? argument[0] : argument);
          return text.replace(/\$\{([^}]+)\}/g, (_match, name: string) => (name.includes('.') ? attribute(name) : String(ref(name))));
        }
        default:
          break;
      }
    }
    const entries = Object.entries(record)
      .map(([key, item]) => [key, resolve(item)] as const)
      .filter(([, item]) => item !== NO_VALUE);
    return Object.fromEntries(entries);
  }
  return resolve;
}

let cachedTemplate: BootstrapTemplate | undefined;

function readTemplate(file: string): BootstrapTemplate {
  if (file === bootstrapTemplateFile() && cachedTemplate !== undefined) return cachedTemplate;
  const template = parse(readFileSync(file, 'utf8')) as BootstrapTemplate;
  if (file === bootstrapTemplateFile()) cachedTemplate = template;
  return template;
}

/**
 * The deploy role (`cdk-<qualifier>-deploy-role-<account>-<region>`) of a bootstrapped environment,
 * as a role of the proof: its inline policy and trust from the template, resolved for the
 * environment, plus the AWS managed read-only policy the template attaches.
 */
export function bootstrapDeployRole(environment: BootstrapEnvironment, file: string = bootstrapTemplateFile()): TemplateRole {
  const template = readTemplate(file);
  const parameters = {
    TrustedAccounts: [...environment.trustedAccounts],
    TrustedAccountsForLookup: [...environment.trustedAccounts],
    CloudFormationExecutionPolicies: [`arn:aws:iam::${environment.account}:policy/kiro-worker-cloudformation-execution`],
    Qualifier: BOOTSTRAP_QUALIFIER,
  };
  const resolve = resolver(template, environment, parameters);
  const resource = template.Resources.DeploymentActionRole;
  if (resource?.Type !== 'AWS::IAM::Role') throw new Error(`${file} has no DeploymentActionRole: the CDK bootstrap template changed; update bootstrap-roles.ts.`);
  const properties = resolve(resource.Properties ?? {}) as { RoleName: string; AssumeRolePolicyDocument: PolicyDocument; Policies?: { PolicyName: string; PolicyDocument: PolicyDocument }[]; ManagedPolicyArns?: string[] };
  const stackName = `CDKToolkit (${environment.account}/${environment.region})`;
  const managed = (properties.ManagedPolicyArns ?? []).map((arn): NamedPolicy => {
    if (!arn.endsWith(':policy/AWSCloudFormationReadOnlyAccess')) throw new Error(`The bootstrap deploy role now attaches ${arn}; add its document to bootstrap-roles.ts.`);
    return { name: `${stackName}/AWSCloudFormationReadOnlyAccess`, document: CLOUDFORMATION_READ_ONLY_ACCESS };
  });
  return {
    stackName,
    logicalId: 'DeploymentActionRole',
    arn: `arn:aws:iam::${environment.account}:role/${properties.RoleName}`,
    account: environment.account,
    region: environment.region,
    trust: properties.AssumeRolePolicyDocument,
    policies: [...(properties.Policies ?? []).map((policy) => ({ name: `${stackName}/DeploymentActionRole/inline/${policy.PolicyName}`, document: policy.PolicyDocument })), ...managed],
    usedBy: [],
    serviceUses: { deadLetterQueues: [], environmentKeys: [] },
  };
}

/** The bootstrap environment a deploy role ARN (`…:role/cdk-<qualifier>-deploy-role-<account>-<region>`) names, or undefined. */
export function deployRoleEnvironment(roleArn: string): { readonly account: string; readonly region: string } | undefined {
  const match = /^arn:aws:iam::(\d{12}):role\/cdk-[A-Za-z0-9_-]+-deploy-role-(\d{12})-([a-z0-9-]+)$/.exec(roleArn);
  return match === null || match[1] !== match[2] ? undefined : { account: match[1] as string, region: match[3] as string };
}
