import { IamActionCatalog } from './iam-action-catalog.js';

/** How one policy document is treated. */
export interface ExpandPolicyDocumentOptions {
  /**
   * True for a KMS key policy: the statement that grants the account root principal `kms:*` is kept
   * as written. AWS's default key policy grants it so that IAM policies decide access and the key
   * can never become unmanageable; expanding it would not narrow anything (the root principal is the
   * whole account, governed by IAM) but would lock out every KMS action AWS adds later.
   * @default false
   */
  readonly keyPolicy?: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** True when the principal of a statement is `arn:<partition>:iam::<account>:root`, written plainly or with Fn::Join. */
function grantsAccountRoot(statement: Record<string, unknown>): boolean {
  const principal = statement.Principal;
  if (!isRecord(principal)) return false;
  // Plain ARN or the last literal of an Fn::Join: either way the JSON text holds `:root"`.
  return /:root"/.test(JSON.stringify(principal.AWS ?? null));
}

function expandActions(actions: unknown, catalog: IamActionCatalog): unknown {
  const list: unknown[] = Array.isArray(actions) ? actions : [actions];
  if (!list.some((action) => typeof action === 'string' && IamActionCatalog.isWildcard(action))) return actions;
  const expanded = new Set<string>();
  const intrinsic: unknown[] = [];
  for (const action of list) {
    if (typeof action === 'string') {
      for (const explicit of catalog.expand(action)) expanded.add(explicit);
    } else {
      // An action computed by an intrinsic function cannot be expanded here; it stays as written.
      intrinsic.push(action);
    }
  }
  const sorted = [...expanded].sort();
  const result = [...sorted, ...intrinsic];
  return result.length === 1 ? result[0] : result;
}

/**
 * Rewrites a resolved IAM policy document (CloudFormation JSON, intrinsics allowed elsewhere) so that
 * every `Allow` statement names explicit actions instead of wildcard patterns such as `s3:GetObject*`.
 *
 * `Deny` statements keep their wildcards on purpose: `s3:*` in a TLS-only bucket policy denies every
 * present and future action, and an explicit list would weaken it. `NotAction` is left alone (its
 * meaning would invert). Returns the input unchanged when it is not a policy document.
 */
export function expandPolicyDocument(document: unknown, catalog: IamActionCatalog, options: ExpandPolicyDocumentOptions = {}): unknown {
  if (!isRecord(document) || document.Statement === undefined) return document;
  const statements: unknown[] = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
  const rewritten = statements.map((statement) => {
    if (!isRecord(statement) || statement.Effect !== 'Allow' || statement.Action === undefined) return statement;
    if (options.keyPolicy === true && grantsAccountRoot(statement)) return statement;
    return { ...statement, Action: expandActions(statement.Action, catalog) };
  });
  return { ...document, Statement: Array.isArray(document.Statement) ? rewritten : rewritten[0] };
}
