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
    const missing = [
      ...(ledgerTable === undefined ? [`a Lambda with ${DEPLOYMENT_RUNTIME_ENV.ledgerTable} (the rollback ledger and health signals table)`] : []),
      ...(teamTopicArn === undefined ? [`a Lambda with ${DEPLOYMENT_RUNTIME_ENV.teamTopic} (the team topic)`] : []),
      ...(definition === undefined ? [`the health monitor state machine (a definition with the state ${HEALTH_MONITOR_MARKER})`] : []),
    ];
    if (ledgerTable === undefined || teamTopicArn === undefined || definition === undefined) return { kind: 'missing', missing: missing.map((what) => `${what} in ${stack.stackName}`) };
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
      },
    };
  }
  return { kind: 'missing', missing: [`the pipeline runtime stack (a Lambda with ${DEPLOYMENT_RUNTIME_ENV.historyTable}) in cdk.out: run \`npm run synth\``] };
}
