/**
 * Remembers the verdict of each distinct policy simulation, so that one request by one principal
 * under the same policies is evaluated once per process. The evaluation (`@cloud-copilot/iam-simulate`)
 * is a pure function of its input: the principal, its identity policies, the request (action,
 * resource, resource account, context keys, which engine) and the target's resource policy. The
 * least-privilege test simulates its ~460 distinct requests ~3,700 times (the proof, then each
 * weakened model of the rows that show the proof fails, then `npm run validate`'s replay three
 * times), and most of its CPU went there (docs/fast-feedback.md, "CPU per file").
 *
 * Documents are compared by content, not by object: a copy of the model with a statement taken out
 * is simulated anew, and an equal copy (every weakened model copies the roles it searched) is not.
 */
import type { AuthorizationRequest } from './call-requests.js';
import type { NamedPolicy, PolicyDocument } from './synthesized-iam.js';

/** Everything one simulation depends on. */
export interface SimulationInput {
  /** The ARN of the principal making the request. */
  readonly principal: string;
  readonly identityPolicies: readonly NamedPolicy[];
  readonly request: AuthorizationRequest;
  readonly resourcePolicy: PolicyDocument | undefined;
}

/** A memo of simulation results keyed by everything the simulation reads. */
export class SimulationMemo<T> {
  /** A short id per document object, so a document's text is written out once per object. */
  private readonly idsByDocument = new WeakMap<object, number>();
  /** The id of each document content seen. */
  private readonly idsByText = new Map<string, number>();
  private readonly results = new Map<string, Promise<T>>();

  /** The result for `input`: remembered, or `simulate()`'s, which is then remembered (a failure is not). */
  remember(input: SimulationInput, simulate: () => Promise<T>): Promise<T> {
    const key = this.keyOf(input);
    const known = this.results.get(key);
    if (known !== undefined) return known;
    const result = simulate();
    this.results.set(key, result);
    result.catch(() => this.results.delete(key));
    return result;
  }

  /** How many distinct simulations were run (and are remembered). */
  get size(): number {
    return this.results.size;
  }

  private keyOf({ principal, identityPolicies, request, resourcePolicy }: SimulationInput): string {
    return JSON.stringify([
      principal,
      identityPolicies.map((policy) => [policy.name, this.documentId(policy.document)]),
      request.action,
      request.resource,
      request.resourceAccount,
      request.beyondReference === true,
      request.context ?? {},
      resourcePolicy === undefined ? null : this.documentId(resourcePolicy),
    ]);
  }

  private documentId(document: PolicyDocument): number {
    const known = this.idsByDocument.get(document);
    if (known !== undefined) return known;
    const text = JSON.stringify(document);
    const id = this.idsByText.get(text) ?? this.idsByText.size;
    this.idsByText.set(text, id);
    this.idsByDocument.set(document, id);
    return id;
  }
}
