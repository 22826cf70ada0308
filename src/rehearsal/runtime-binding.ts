/**
 * Finds the pipeline runtime's resources in the synthesized templates: the tables and topics are
 * named by the environment variables the constructs give the Lambdas (the same names the handlers
 * read at cold start), and the health monitor is the state machine whose definition has the
 * monitor's states. So the rehearsal talks to exactly the resources the stacks would deploy.
 */
import type { EnvironmentName } from '../shared/config/schema.js';
import { DEPLOYMENT_RUNTIME_ENV } from '../pipeline/handlers/deployment-runtime.js';
import { parseDefinition, type AslDefinition } from '../local/local-state-machine.js';
import { resolveIntrinsics, type ResolutionContext, type SynthesizedStack } from '../local/synthesized-templates.js';
import type { RuntimeBinding } from './rehearsal-runtime.js';

/** The state that identifies the health monitor's definition. */
const HEALTH_MONITOR_MARKER = 'WatchUntilNextCheck';

/** Where a binding came from, or what is missing from the templates. */
export type BindingSearch =
  | { readonly kind: 'found'; readonly binding: RuntimeBinding; readonly stackName: string }
  | { readonly kind: 'missing'; readonly missing: readonly string[] };

function variablesOf(properties: Readonly<Record<string, unknown>> | undefined, context: ResolutionContext): Record<string, string> {
  const environment = (properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {};
  const resolved = resolveIntrinsics(environment, context) as Record<string, unknown>;
  return Object.fromEntries(Object.entries(resolved).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

/** The function ARNs the definition's Lambda tasks call (`lambda:invoke` FunctionName, or a Lambda ARN as Resource). */
function lambdaTaskFunctions(definition: AslDefinition): string[] {
  return Object.values(definition.States).flatMap((state) => {
    if (state.Type !== 'Task' || state.Resource === undefined) return [];
    if (state.Resource.startsWith('arn:aws:states:::lambda:invoke')) return typeof state.Parameters?.FunctionName === 'string' ? [state.Parameters.FunctionName] : [];
    return state.Resource.startsWith('arn:aws:lambda:') ? [state.Resource] : [];
  });
}

/** Searches the stacks for the runtime's tables, topics and health monitor definition. */
export function findRuntimeBinding(stacks: readonly SynthesizedStack[], contexts: Readonly<Record<string, ResolutionContext>>): BindingSearch {
  for (const stack of stacks) {
    const context = contexts[stack.stackName];
    if (context === undefined) continue;
    const resources = Object.values(stack.resources);
    const variables = resources.filter((resource) => resource.Type === 'AWS::Lambda::Function').map((resource) => variablesOf(resource.Properties, context));
    const pick = (key: string): string | undefined => variables.find((set) => set[key] !== undefined)?.[key];
    const historyTable = pick(DEPLOYMENT_RUNTIME_ENV.historyTable);
    if (historyTable === undefined) continue;
    const ledgerTable = pick(DEPLOYMENT_RUNTIME_ENV.ledgerTable);
    const teamTopicArn = pick(DEPLOYMENT_RUNTIME_ENV.teamTopic);
    const topics = pick(DEPLOYMENT_RUNTIME_ENV.environmentTopics);
    let definition: AslDefinition | undefined;
    for (const resource of resources) {
      if (resource.Type !== 'AWS::StepFunctions::StateMachine') continue;
      const text = resolveIntrinsics(resource.Properties?.DefinitionString, context);
      if (typeof text === 'string' && text.includes(`"${HEALTH_MONITOR_MARKER}"`)) definition = parseDefinition(text);
    }
    // The Lambda tasks are bound by the ARN the definition names, to a function this template holds.
    const functionArns = new Set(
      Object.entries(stack.resources)
        .filter(([, resource]) => resource.Type === 'AWS::Lambda::Function')
        .map(([logicalId]) => resolveIntrinsics({ 'Fn::GetAtt': [logicalId, 'Arn'] }, context)),
    );
    const taskFunctions = definition === undefined ? [] : lambdaTaskFunctions(definition);
    const unknownFunctions = taskFunctions.filter((arn) => !functionArns.has(arn));
    const [healthMonitorFunctionArn] = taskFunctions;
    const missing = [
      ...(ledgerTable === undefined ? [`a Lambda with ${DEPLOYMENT_RUNTIME_ENV.ledgerTable} (the rollback ledger and health signals table)`] : []),
      ...(teamTopicArn === undefined ? [`a Lambda with ${DEPLOYMENT_RUNTIME_ENV.teamTopic} (the team topic)`] : []),
      ...(definition === undefined ? [`the health monitor state machine (a definition with the state ${HEALTH_MONITOR_MARKER})`] : []),
      ...unknownFunctions.map((arn) => `the Lambda function ${arn} that the health monitor's definition calls`),
      ...(definition !== undefined && new Set(taskFunctions).size !== 1 ? [`exactly one Lambda function behind the health monitor's tasks (found ${new Set(taskFunctions).size})`] : []),
    ];
    if (ledgerTable === undefined || teamTopicArn === undefined || definition === undefined || healthMonitorFunctionArn === undefined || missing.length > 0) return { kind: 'missing', missing: missing.map((what) => `${what} in ${stack.stackName}`) };
    return {
      kind: 'found',
      stackName: stack.stackName,
      binding: {
        historyTable,
        ledgerTable,
        signalsTable: ledgerTable,
        teamTopicArn,
        environmentTopicArns: topics === undefined ? {} : (JSON.parse(topics) as Partial<Record<EnvironmentName, string>>),
        healthMonitorDefinition: definition,
        healthMonitorFunctionArn,
      },
    };
  }
  return { kind: 'missing', missing: [`the pipeline runtime stack (a Lambda with ${DEPLOYMENT_RUNTIME_ENV.historyTable}) in cdk.out: run \`npm run synth\``] };
}
