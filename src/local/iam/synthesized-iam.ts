/**
 * The IAM side of the synthesized templates, with every intrinsic resolved to the concrete ARNs of
 * the accounts and regions the cloud assembly deploys to: each role (trust policy, inline and
 * attached policies), which function, project or state machine assumes it, and the resource
 * policies (KMS key, bucket, topic, queue) that AWS evaluates together with a caller's grants.
 */
import { readFileSync } from 'node:fs';
import { readCloudAssembly } from '../../pipeline/adapters/tools/cloud-assembly.js';
import { MalformedInputError } from '../../shared/errors.js';
import { readSynthesizedStacks, resolutionContextFor, resolveIntrinsics, type ResolutionContext, type SynthesizedStack } from '../synthesized-templates.js';

/** An IAM policy document as the templates write it. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: readonly PolicyStatement[];
}

/** One statement, resolved. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Action?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

/** A named policy that applies to a role. */
export interface NamedPolicy {
  /** `<stack>/<logical id of the policy>` (or `<role>/inline/<name>`). */
  readonly name: string;
  readonly document: PolicyDocument;
}

/** A role of the templates. */
export interface TemplateRole {
  readonly stackName: string;
  readonly logicalId: string;
  readonly arn: string;
  readonly account: string;
  readonly region: string;
  readonly trust: PolicyDocument;
  readonly policies: readonly NamedPolicy[];
  /** Logical ids of the functions, projects and state machines that run as this role. */
  readonly usedBy: readonly string[];
  /** ARNs the service itself uses with this role: dead-letter queues and environment keys of its functions. */
  readonly serviceUses: { readonly deadLetterQueues: readonly string[]; readonly environmentKeys: readonly string[] };
}

/** A resource encrypted with a customer key: callers of the resource need the key through the service. */
export interface EncryptedResource {
  readonly resource: string;
  readonly key: string;
  readonly service: 'dynamodb' | 'sns' | 'sqs' | 's3';
}

/** A resource policy: AWS evaluates it with the caller's identity policies. */
export interface ResourcePolicy {
  readonly kind: 'key' | 'bucket' | 'topic' | 'queue';
  readonly stackName: string;
  readonly logicalId: string;
  /** The ARNs it governs (a key policy: the key; a bucket policy: the bucket and its objects). */
  readonly arns: readonly string[];
  readonly account: string;
  readonly document: PolicyDocument;
}

/** A customer-managed policy attached to no role of the templates (the operator policy), resolved. */
export interface StandalonePolicy {
  readonly stackName: string;
  readonly logicalId: string;
  /** `ManagedPolicyName`, as an administrator finds it in IAM. */
  readonly name: string;
  readonly account: string;
  readonly region: string;
  readonly document: PolicyDocument;
}

/** Every role and resource policy of the assembly. */
export interface SynthesizedIam {
  readonly roles: readonly TemplateRole[];
  /** Managed policies the templates create without attaching them to one of their roles. */
  readonly standalonePolicies: readonly StandalonePolicy[];
  readonly resourcePolicies: readonly ResourcePolicy[];
  /** ARNs of the state machines (the issuers of task tokens). */
  readonly stateMachines: readonly string[];
  readonly encrypted: readonly EncryptedResource[];
}

const RUNS_AS: Readonly<Record<string, string>> = {
  'AWS::Lambda::Function': 'Role',
  'AWS::CodeBuild::Project': 'ServiceRole',
  'AWS::StepFunctions::StateMachine': 'RoleArn',
};

function asArray<T>(value: T | readonly T[] | undefined): readonly T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? (value as readonly T[]) : [value as T];
}

/** Replaces `Fn::ImportValue` by the exporting stack's resolved output, so cross-stack references resolve too. */
function withImports(value: unknown, exports: ReadonlyMap<string, unknown>): unknown {
  if (Array.isArray(value)) return value.map((item) => withImports(item, exports));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const imported = record['Fn::ImportValue'];
  if (imported !== undefined && Object.keys(record).length === 1 && typeof imported === 'string') {
    const found = exports.get(imported);
    if (found === undefined) throw new MalformedInputError(`No stack of the assembly exports ${imported}; synthesize every stack together.`, { exportName: imported });
    return found;
  }
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, withImports(item, exports)]));
}

function roleName(stack: SynthesizedStack, logicalId: string, context: ResolutionContext): string {
  const explicit = stack.resources[logicalId]?.Properties?.RoleName;
  const resolved = explicit === undefined ? undefined : resolveIntrinsics(explicit, context);
  return typeof resolved === 'string' ? resolved : (resolveIntrinsics({ Ref: logicalId }, context) as string);
}

function logicalIdsIn(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(logicalIdsIn);
  if (typeof value !== 'object' || value === null) return [];
  const record = value as Record<string, unknown>;
  if (typeof record.Ref === 'string') return [record.Ref];
  const getAtt = record['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return [getAtt[0]];
  return Object.values(record).flatMap(logicalIdsIn);
}

/** A stack with its account and region, and a resolver of its intrinsics (cross-stack imports included). */
export interface StackInScope {
  readonly stack: SynthesizedStack;
  readonly context: ResolutionContext;
  readonly resolve: (value: unknown) => unknown;
}

/** Every stack of the assembly in `directory`, each with its concrete environment. */
export function stacksOf(directory: string): StackInScope[] {
  const environments = new Map(readCloudAssembly(directory).map((entry) => [`${entry.stage}/${entry.stackName}`, entry.environment]));
  const scoped = readSynthesizedStacks(directory).map((stack) => {
    const environment = environments.get(`${stack.stage}/${stack.stackName}`) ?? '';
    const match = /^aws:\/\/(\d{12})\/([a-z0-9-]+)$/.exec(environment);
    if (match === null) throw new MalformedInputError(`Stack ${stack.stackName} has no concrete environment (${environment}); give every stack an account and region.`, { stackName: stack.stackName });
    return { stack, context: resolutionContextFor(stack, { account: match[1] as string, region: match[2] as string }) };
  });
  const withParameters = resolveSsmParameters(scoped);
  const exports = new Map<string, unknown>();
  for (const { stack, context } of withParameters) {
    for (const output of Object.values(stack.outputs) as { Value: unknown; Export?: { Name?: unknown } }[]) {
      const name = output.Export?.Name === undefined ? undefined : resolveIntrinsics(output.Export.Name, context);
      if (typeof name === 'string') exports.set(name, resolveIntrinsics(output.Value, context));
    }
  }
  return withParameters.map(({ stack, context }) => ({ stack, context, resolve: (value: unknown) => resolveIntrinsics(withImports(value, exports), context) }));
}

/**
 * Template parameters of type `AWS::SSM::Parameter::Value<String>` take, at deployment, the value
 * of the SSM parameter their default names; here that is the parameter another stack of the same
 * account and region writes (the core stack hands table names and key ARNs on that way).
 */
function resolveSsmParameters(scoped: readonly { stack: SynthesizedStack; context: ResolutionContext }[]): { stack: SynthesizedStack; context: ResolutionContext }[] {
  const written = new Map<string, string>();
  for (const { stack, context } of scoped) {
    for (const resource of Object.values(stack.resources)) {
      if (resource.Type !== 'AWS::SSM::Parameter') continue;
      const name = resolveIntrinsics(resource.Properties?.Name, context);
      const value = resolveIntrinsics(resource.Properties?.Value, context);
      if (typeof name === 'string' && typeof value === 'string') written.set(`${context.account}/${context.region}/${name}`, value);
    }
  }
  return scoped.map(({ stack, context }) => {
    const template = JSON.parse(readFileSync(stack.templateFile, 'utf8')) as { Parameters?: Record<string, { Type?: string; Default?: unknown }> };
    const physicalNames: Record<string, string> = { ...context.physicalNames };
    for (const [id, parameter] of Object.entries(template.Parameters ?? {})) {
      if (parameter.Type !== 'AWS::SSM::Parameter::Value<String>' || typeof parameter.Default !== 'string') continue;
      const value = written.get(`${context.account}/${context.region}/${parameter.Default}`);
      if (value !== undefined) physicalNames[id] = value;
    }
    return { stack, context: { ...context, physicalNames } };
  });
}

function rolesOf({ stack, context, resolve }: StackInScope): TemplateRole[] {
  const roles = new Map<string, { trust: PolicyDocument; policies: NamedPolicy[]; usedBy: string[]; serviceUses: { deadLetterQueues: string[]; environmentKeys: string[] } }>();
  for (const [id, resource] of Object.entries(stack.resources)) {
    if (resource.Type !== 'AWS::IAM::Role') continue;
    const properties = resource.Properties ?? {};
    const inline = asArray(properties.Policies as { PolicyName: unknown; PolicyDocument: unknown } | undefined).map((policy) => ({
      name: `${stack.stackName}/${id}/inline/${String(resolve(policy.PolicyName))}`,
      document: resolve(policy.PolicyDocument) as PolicyDocument,
    }));
    roles.set(id, { trust: resolve(properties.AssumeRolePolicyDocument) as PolicyDocument, policies: inline, usedBy: [], serviceUses: { deadLetterQueues: [], environmentKeys: [] } });
  }
  for (const [id, resource] of Object.entries(stack.resources)) {
    const properties = resource.Properties ?? {};
    if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      for (const roleId of logicalIdsIn(properties.Roles)) {
        roles.get(roleId)?.policies.push({ name: `${stack.stackName}/${id}`, document: resolve(properties.PolicyDocument) as PolicyDocument });
      }
    }
    const roleProperty = RUNS_AS[resource.Type];
    if (roleProperty !== undefined) {
      for (const roleId of logicalIdsIn(properties[roleProperty])) {
        const role = roles.get(roleId);
        if (role === undefined) continue;
        role.usedBy.push(id);
        const deadLetter = (properties.DeadLetterConfig as { TargetArn?: unknown } | undefined)?.TargetArn;
        if (deadLetter !== undefined) role.serviceUses.deadLetterQueues.push(String(resolve(deadLetter)));
        if (properties.KmsKeyArn !== undefined) role.serviceUses.environmentKeys.push(String(resolve(properties.KmsKeyArn)));
      }
    }
  }
  return [...roles].map(([logicalId, role]) => ({
    stackName: stack.stackName,
    logicalId,
    arn: `arn:aws:iam::${context.account}:role/${roleName(stack, logicalId, context)}`,
    account: context.account,
    region: context.region,
    ...role,
  }));
}

function standalonePoliciesOf({ stack, context, resolve }: StackInScope): StandalonePolicy[] {
  return Object.entries(stack.resources)
    .filter(([, resource]) => resource.Type === 'AWS::IAM::ManagedPolicy' && resource.Properties?.Roles === undefined)
    .map(([logicalId, resource]) => ({
      stackName: stack.stackName,
      logicalId,
      name: String(resolve(resource.Properties?.ManagedPolicyName ?? logicalId)),
      account: context.account,
      region: context.region,
      document: resolve(resource.Properties?.PolicyDocument) as PolicyDocument,
    }));
}

function resourcePoliciesOf({ stack, context, resolve }: StackInScope): ResourcePolicy[] {
  const policies: ResourcePolicy[] = [];
  const base = { stackName: stack.stackName, account: context.account };
  for (const [logicalId, resource] of Object.entries(stack.resources)) {
    const properties = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::KMS::Key':
        policies.push({ ...base, kind: 'key', logicalId, arns: [resolve({ 'Fn::GetAtt': [logicalId, 'Arn'] }) as string], document: resolve(properties.KeyPolicy) as PolicyDocument });
        break;
      case 'AWS::S3::BucketPolicy': {
        const bucket = String(resolve(properties.Bucket));
        policies.push({ ...base, kind: 'bucket', logicalId, arns: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`], document: resolve(properties.PolicyDocument) as PolicyDocument });
        break;
      }
      case 'AWS::SNS::TopicPolicy':
        policies.push({ ...base, kind: 'topic', logicalId, arns: asArray(resolve(properties.Topics) as string[]), document: resolve(properties.PolicyDocument) as PolicyDocument });
        break;
      case 'AWS::SQS::QueuePolicy':
        policies.push({ ...base, kind: 'queue', logicalId, arns: asArray(resolve(properties.Queues) as string[]), document: resolve(properties.PolicyDocument) as PolicyDocument });
        break;
      default:
        break;
    }
  }
  return policies;
}

const ENCRYPTION_KEY: Readonly<Record<string, { readonly service: EncryptedResource['service']; readonly key: (properties: Readonly<Record<string, unknown>>) => unknown }>> = {
  'AWS::DynamoDB::Table': { service: 'dynamodb', key: (p) => (p.SSESpecification as { KMSMasterKeyId?: unknown } | undefined)?.KMSMasterKeyId },
  'AWS::DynamoDB::GlobalTable': {
    service: 'dynamodb',
    key: (p) => (p.Replicas as { SSESpecification?: { KMSMasterKeyId?: unknown } }[] | undefined)?.[0]?.SSESpecification?.KMSMasterKeyId,
  },
  'AWS::SNS::Topic': { service: 'sns', key: (p) => p.KmsMasterKeyId },
  'AWS::SQS::Queue': { service: 'sqs', key: (p) => p.KmsMasterKeyId },
  'AWS::S3::Bucket': {
    service: 's3',
    key: (p) =>
      (p.BucketEncryption as { ServerSideEncryptionConfiguration?: { ServerSideEncryptionByDefault?: { KMSMasterKeyID?: unknown } }[] } | undefined)?.ServerSideEncryptionConfiguration?.[0]?.ServerSideEncryptionByDefault?.KMSMasterKeyID,
  },
};

function encryptedResourcesOf({ stack, resolve }: StackInScope): EncryptedResource[] {
  return Object.entries(stack.resources).flatMap(([id, resource]) => {
    const rule = ENCRYPTION_KEY[resource.Type];
    const key = rule === undefined ? undefined : rule.key(resource.Properties ?? {});
    if (rule === undefined || key === undefined) return [];
    const arn = resource.Type === 'AWS::SNS::Topic' ? resolve({ Ref: id }) : resolve({ 'Fn::GetAtt': [id, 'Arn'] });
    // A bucket's objects are encrypted with its key: S3 uses it on the caller's behalf for each object it reads or writes.
    return [{ resource: String(arn), key: String(resolve(key)), service: rule.service }];
  });
}

/** Reads every role and resource policy of the cloud assembly in `directory` (nested stage assemblies included). */
export function readSynthesizedIam(directory: string): SynthesizedIam {
  const stacks = stacksOf(directory);
  const stateMachines = stacks.flatMap(({ stack, resolve }) =>
    Object.entries(stack.resources)
      .filter(([, resource]) => resource.Type === 'AWS::StepFunctions::StateMachine')
      .map(([id]) => String(resolve({ 'Fn::GetAtt': [id, 'Arn'] }))),
  );
  return { roles: stacks.flatMap(rolesOf), standalonePolicies: stacks.flatMap(standalonePoliciesOf), resourcePolicies: stacks.flatMap(resourcePoliciesOf), stateMachines, encrypted: stacks.flatMap(encryptedResourcesOf) };
}
