/**
 * Reads the CloudFormation templates that `cdk synth` wrote to `cdk.out/` (following nested cloud
 * assemblies, which CDK stages produce) and resolves the intrinsic functions the rehearsal needs,
 * so local resources are created from what will be deployed, not from a hand-kept copy.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readCloudAssembly, type AssemblyStack } from '../pipeline/adapters/tools/cloud-assembly.js';
import { MalformedInputError } from '../shared/errors.js';

/** One CloudFormation resource as it appears in a template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Readonly<Record<string, unknown>>;
}

/** One synthesized stack. */
export interface SynthesizedStack {
  /** The stack's display name in the cloud assembly, such as `Staging/Application`. */
  readonly artifactId: string;
  /** The CDK stage (nested assembly) it belongs to, such as `Staging`; empty for top-level stacks. */
  readonly stage: string;
  /** The CloudFormation stack name it deploys as. */
  readonly stackName: string;
  readonly templateFile: string;
  readonly resources: Readonly<Record<string, TemplateResource>>;
  readonly outputs: Readonly<Record<string, { readonly Value: unknown }>>;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (cause) {
    throw new MalformedInputError(`Could not read ${path} as JSON; run \`npm run synth\` again.`, { path }, cause);
  }
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/**
 * Every stack of the cloud assembly in `directory` (nested stage assemblies included, found by the
 * gates' own manifest reader) with its resources and outputs.
 */
export function readSynthesizedStacks(directory: string): SynthesizedStack[] {
  return readCloudAssembly(directory).map((stack: AssemblyStack) => {
    const template = asRecord(readJson(stack.templatePath));
    return {
      artifactId: stack.displayName,
      stage: stack.stage,
      stackName: stack.stackName,
      templateFile: stack.templatePath,
      resources: asRecord(template.Resources) as Record<string, TemplateResource>,
      outputs: asRecord(template.Outputs) as Record<string, { Value: unknown }>,
    };
  });
}

/** Where intrinsic functions are resolved: the stack's pseudo parameters and its resources' physical names. */
export interface ResolutionContext {
  readonly region: string;
  readonly account: string;
  readonly stackName: string;
  /** Physical name (for Ref) of each logical id; ids not listed resolve to `<stackName>-<logicalId>`. */
  readonly physicalNames: Readonly<Record<string, string>>;
  /** Type of each logical id, to build ARNs for Fn::GetAtt. */
  readonly resourceTypes: Readonly<Record<string, string>>;
  /** Every stack's exported output values, resolved, by export name (for Fn::ImportValue); see {@link exportsOf}. */
  readonly exports?: Readonly<Record<string, unknown>>;
}

const ARN_SERVICE: Readonly<Record<string, (name: string, context: ResolutionContext) => string>> = {
  'AWS::DynamoDB::Table': (name, c) => `arn:aws:dynamodb:${c.region}:${c.account}:table/${name}`,
  'AWS::DynamoDB::GlobalTable': (name, c) => `arn:aws:dynamodb:${c.region}:${c.account}:table/${name}`,
  'AWS::Lambda::Function': (name, c) => `arn:aws:lambda:${c.region}:${c.account}:function:${name}`,
  'AWS::SQS::Queue': (name, c) => `arn:aws:sqs:${c.region}:${c.account}:${name}`,
  'AWS::StepFunctions::StateMachine': (name, c) => `arn:aws:states:${c.region}:${c.account}:stateMachine:${name}`,
  'AWS::CloudWatch::Alarm': (name, c) => `arn:aws:cloudwatch:${c.region}:${c.account}:alarm:${name}`,
  'AWS::IAM::Role': (name, c) => `arn:aws:iam::${c.account}:role/${name}`,
  'AWS::KMS::Key': (name, c) => `arn:aws:kms:${c.region}:${c.account}:key/${name}`,
  'AWS::Events::EventBus': (name, c) => `arn:aws:events:${c.region}:${c.account}:event-bus/${name}`,
  'AWS::Logs::LogGroup': (name, c) => `arn:aws:logs:${c.region}:${c.account}:log-group:${name}:*`,
  'AWS::S3::Bucket': (name) => `arn:aws:s3:::${name}`,
  'AWS::CodeBuild::Project': (name, c) => `arn:aws:codebuild:${c.region}:${c.account}:project/${name}`,
  'AWS::SecretsManager::Secret': (name) => name,
};

/**
 * The physical name a logical id resolves to (Ref). Without an explicit name CloudFormation makes
 * one from the stack name and the logical id, shortened with a unique suffix; so does this, keeping
 * names within the strictest limit of the services involved (SQS: 80 characters).
 */
export function physicalNameOf(logicalId: string, context: ResolutionContext): string {
  const explicit = context.physicalNames[logicalId];
  if (explicit !== undefined) return explicit;
  const generated = `${context.stackName}-${logicalId}`;
  if (generated.length <= 64) return generated;
  const suffix = createHash('sha256').update(generated).digest('hex').slice(0, 12).toUpperCase();
  return `${generated.slice(0, 51)}-${suffix}`;
}

/**
 * The UUID part of a stack's id (`AWS::StackId`), which CloudFormation assigns on creation: one fixed
 * stand-in, so a grant on `AWS::StackId` and a call naming the stack resolve to the same ARN.
 */
export const STACK_UUID_STAND_IN = '00000000-0000-4000-8000-000000000000';

function refOf(name: string, context: ResolutionContext): string {
  switch (name) {
    case 'AWS::Region':
      return context.region;
    case 'AWS::AccountId':
      return context.account;
    case 'AWS::Partition':
      return 'aws';
    case 'AWS::URLSuffix':
      return 'amazonaws.com';
    case 'AWS::StackName':
      return context.stackName;
    case 'AWS::StackId':
      return `arn:aws:cloudformation:${context.region}:${context.account}:stack/${context.stackName}/${STACK_UUID_STAND_IN}`;
    case 'AWS::NoValue':
      return '';
    default: {
      const type = context.resourceTypes[name];
      const physical = physicalNameOf(name, context);
      // CloudFormation's Ref of a topic or queue is its ARN or URL, not its name.
      if (type === 'AWS::SNS::Topic') return `arn:aws:sns:${context.region}:${context.account}:${physical}`;
      return physical;
    }
  }
}

function getAttOf(logicalId: string, attribute: string, context: ResolutionContext): string {
  const type = context.resourceTypes[logicalId] ?? '';
  const name = physicalNameOf(logicalId, context);
  if (attribute === 'Arn' || attribute.endsWith('.Arn')) {
    const arn = ARN_SERVICE[type];
    if (arn !== undefined) return arn(name, context);
    if (type === 'AWS::SNS::Topic') return `arn:aws:sns:${context.region}:${context.account}:${name}`;
  }
  if (attribute === 'TopicName' || attribute === 'QueueName' || attribute === 'Name') return name;
  return `${name}.${attribute}`;
}

/**
 * Resolves CloudFormation intrinsic functions (Ref, Fn::GetAtt, Fn::Join, Fn::Sub, Fn::Select,
 * Fn::Split, Fn::If with the true branch) in a property value. Values that are not intrinsics are
 * returned with their intrinsics resolved recursively.
 */
export function resolveIntrinsics(value: unknown, context: ResolutionContext): unknown {
  if (Array.isArray(value)) return value.map((item) => resolveIntrinsics(item, context));
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const argument = record[key];
    switch (key) {
      case 'Ref':
        return refOf(String(argument), context);
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(argument) ? argument.map(String) : String(argument).split('.');
        return getAttOf(logicalId ?? '', attribute ?? '', context);
      }
      case 'Fn::Join': {
        const [separator, parts] = argument as [string, unknown[]];
        const resolved = resolveIntrinsics(parts, context) as unknown[];
        return resolved.map((part) => (typeof part === 'string' ? part : JSON.stringify(part))).join(separator);
      }
      case 'Fn::Sub': {
        const [text, variables] = Array.isArray(argument) ? (argument as [string, Record<string, unknown>]) : [String(argument), {}];
        const resolvedVariables = asRecord(resolveIntrinsics(variables, context));
        return text.replace(/\$\{([^}]+)\}/g, (_match, name: string) => {
          const variable = resolvedVariables[name];
          if (variable !== undefined) return typeof variable === 'string' ? variable : JSON.stringify(variable);
          const [logicalId, attribute] = name.split('.');
          return attribute === undefined ? refOf(name, context) : getAttOf(logicalId ?? '', attribute, context);
        });
      }
      case 'Fn::Select': {
        const [index, list] = argument as [number | string, unknown];
        const resolved = resolveIntrinsics(list, context);
        return Array.isArray(resolved) ? resolved[Number(index)] : resolved;
      }
      case 'Fn::Split': {
        const [separator, text] = argument as [string, unknown];
        const resolved = resolveIntrinsics(text, context);
        return (typeof resolved === 'string' ? resolved : JSON.stringify(resolved)).split(separator);
      }
      case 'Fn::ImportValue': {
        const name = resolveIntrinsics(argument, context);
        const exported = typeof name === 'string' ? context.exports?.[name] : undefined;
        // Without the exporting stack's value the reference stays visible instead of resolving to a wrong name.
        return exported ?? { 'Fn::ImportValue': name };
      }
      case 'Fn::If': {
        const [, whenTrue] = argument as [string, unknown, unknown];
        return resolveIntrinsics(whenTrue, context);
      }
      default:
        break;
    }
  }
  return Object.fromEntries(keys.map((key) => [key, resolveIntrinsics(record[key], context)]));
}

/**
 * Every stack's exported outputs (`Outputs.*.Export.Name`), each value resolved in its own stack,
 * so a `Fn::ImportValue` in another stack resolves as CloudFormation resolves it. Pass the result as
 * `where.exports` to {@link resolutionContextFor}.
 */
export function exportsOf(stacks: readonly SynthesizedStack[], where: { readonly region: string; readonly account: string }): Record<string, unknown> {
  const exported: Record<string, unknown> = {};
  for (const stack of stacks) {
    const context = resolutionContextFor(stack, where);
    for (const output of Object.values(stack.outputs) as { Value: unknown; Export?: { Name?: unknown } }[]) {
      const name = resolveIntrinsics(output.Export?.Name, context);
      if (typeof name === 'string') exported[name] = resolveIntrinsics(output.Value, context);
    }
  }
  return exported;
}

/** Resolution context for one stack, naming each resource by its explicit name property when it has one. */
export function resolutionContextFor(stack: SynthesizedStack, where: { readonly region: string; readonly account: string; readonly exports?: Readonly<Record<string, unknown>> }): ResolutionContext {
  const resourceTypes = Object.fromEntries(Object.entries(stack.resources).map(([id, resource]) => [id, resource.Type]));
  const base: ResolutionContext = { ...where, stackName: stack.stackName, physicalNames: {}, resourceTypes };
  const nameProperty: Readonly<Record<string, string>> = {
    'AWS::DynamoDB::Table': 'TableName',
    'AWS::DynamoDB::GlobalTable': 'TableName',
    'AWS::SNS::Topic': 'TopicName',
    'AWS::SQS::Queue': 'QueueName',
    'AWS::CloudWatch::Alarm': 'AlarmName',
    'AWS::Lambda::Function': 'FunctionName',
    'AWS::StepFunctions::StateMachine': 'StateMachineName',
    'AWS::IAM::Role': 'RoleName',
    'AWS::Logs::LogGroup': 'LogGroupName',
    'AWS::S3::Bucket': 'BucketName',
    'AWS::CodeBuild::Project': 'Name',
  };
  const physicalNames: Record<string, string> = {};
  for (const [id, resource] of Object.entries(stack.resources)) {
    const property = nameProperty[resource.Type];
    const raw = property === undefined ? undefined : resource.Properties?.[property];
    const resolved = raw === undefined ? undefined : resolveIntrinsics(raw, base);
    if (typeof resolved === 'string') physicalNames[id] = resolved;
  }
  return { ...base, physicalNames };
}
