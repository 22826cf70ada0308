/**
 * EventBridge as the templates declare it: every `AWS::Events::Rule` with an event pattern, and the
 * ARNs of its targets, resolved from the synthesized templates. An emitted event goes to every
 * target of every matching rule — the real handler bound to that target's ARN; a target with no
 * local handler is reported, never silently dropped.
 */
import { resolutionContextFor, resolveIntrinsics, type SynthesizedStack } from '../synthesized-templates.js';
import { matchesEventPattern } from './event-pattern.js';

/** One rule of the templates. */
export interface TemplateEventRule {
  readonly stackName: string;
  readonly logicalId: string;
  readonly pattern: Readonly<Record<string, unknown>>;
  readonly targetArns: readonly string[];
}

/** Every rule with an event pattern (scheduled rules have none), intrinsics resolved in `where`. */
export function eventRulesOf(stacks: readonly SynthesizedStack[], where: { readonly region: string; readonly account: string }): TemplateEventRule[] {
  return stacks.flatMap((stack) => {
    const context = resolutionContextFor(stack, where);
    return Object.entries(stack.resources)
      .filter(([, resource]) => resource.Type === 'AWS::Events::Rule' && resource.Properties?.EventPattern !== undefined && resource.Properties.State !== 'DISABLED')
      .map(([logicalId, resource]) => ({
        stackName: stack.stackName,
        logicalId,
        pattern: resolveIntrinsics(resource.Properties?.EventPattern, context) as Record<string, unknown>,
        targetArns: ((resource.Properties?.Targets as { Arn?: unknown }[] | undefined) ?? []).map((target) => String(resolveIntrinsics(target.Arn, context))),
      }));
  });
}

/** How the bus hands events to a target. */
export interface TemplateEventBusOptions {
  /**
   * Each target takes the events in the order they were put, one at a time, as a function with a
   * reserved concurrency of one may (every target must tolerate any order and concurrency, so this
   * is one of the deliveries AWS may make, not a promise of it). Otherwise every delivery starts at once.
   */
  readonly oneAtATimePerTarget?: boolean;
}

/** Delivers events to the handlers of the rules' targets. */
export class TemplateEventBus {
  /** Targets a matching event could not reach (no local handler for the ARN). */
  readonly unreachable: { readonly rule: string; readonly targetArn: string }[] = [];
  /** The last delivery queued per target, when targets take one event at a time. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly rules: readonly TemplateEventRule[],
    private readonly handlers: ReadonlyMap<string, (event: unknown) => Promise<unknown>>,
    private readonly options: TemplateEventBusOptions = {},
  ) {}

  private deliver(targetArn: string, handler: (event: unknown) => Promise<unknown>, event: unknown): Promise<unknown> {
    if (this.options.oneAtATimePerTarget !== true) return handler(event);
    const delivery = (this.queues.get(targetArn) ?? Promise.resolve()).then(() => handler(event));
    // The next event waits for this one to end, failed or not; the failure itself goes to put's caller.
    this.queues.set(targetArn, delivery.catch(() => undefined));
    return delivery;
  }

  /** PutEvents: every target of every matching rule receives the event; resolves when all have handled it. */
  async put(event: Readonly<Record<string, unknown>>): Promise<readonly string[]> {
    const delivered: string[] = [];
    const deliveries: Promise<unknown>[] = [];
    for (const rule of this.rules) {
      if (!matchesEventPattern(rule.pattern, event)) continue;
      for (const targetArn of rule.targetArns) {
        const handler = this.handlers.get(targetArn);
        if (handler === undefined) {
          this.unreachable.push({ rule: rule.logicalId, targetArn });
          continue;
        }
        delivered.push(`${rule.logicalId} -> ${targetArn}`);
        deliveries.push(this.deliver(targetArn, handler, event));
      }
    }
    await Promise.all(deliveries);
    return delivered;
  }
}
