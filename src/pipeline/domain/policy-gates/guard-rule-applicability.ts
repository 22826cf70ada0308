/**
 * Which cfn-guard rule files can say anything about a set of templates.
 *
 * A Control Tower proactive control selects the resources it checks by their type
 * (`let buckets = Resources.*[ Type == "AWS::S3::Bucket" ]`) and, when none is present, its rules
 * SKIP: cfn-guard reports nothing for them with `-S none` (docs/build-gates.md, "Rule files that
 * cannot apply"). cfn-guard still parses each rule file and evaluates it against every template, and
 * with 200-odd Control Tower files that is most of the gate's time. A file is left out only when it
 * provably selects by type and none of its types is in any template; every other file is kept:
 * - every non-comment mention of `AWS::` must be a complete quoted type literal (`"AWS::S3::Bucket"`),
 *   so a type written as a regular expression (`/AWS::S3::/`), built from pieces, or unquoted keeps
 *   the file;
 * - a file without any type literal (rules over `Parameters`, `Outputs`, or every resource) is kept.
 */

/** A complete CloudFormation resource type in double or single quotes. */
const QUOTED_TYPE = /(["'])(AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)\1/g;

/**
 * The rule text without its whole-line comments. A `#` after code is left in place: it could be
 * inside a string, and what follows it only ever makes the file count as undecidable (kept).
 */
function withoutComments(ruleText: string): string {
  return ruleText
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
}

/**
 * The resource types a rule file selects by, or `undefined` when it cannot be told for certain (it
 * mentions `AWS::` other than as complete quoted types, or names no type at all): such a file is
 * always run.
 */
export function selectedResourceTypes(ruleText: string): ReadonlySet<string> | undefined {
  const code = withoutComments(ruleText);
  const mentions = code.split('AWS::').length - 1;
  const literals = [...code.matchAll(QUOTED_TYPE)].map((match) => match[2] ?? '');
  if (literals.length === 0 || literals.length !== mentions) return undefined;
  return new Set(literals);
}

/** Whether the rule file may report anything over templates holding `presentTypes`. */
export function guardRuleMayApply(ruleText: string, presentTypes: ReadonlySet<string>): boolean {
  const types = selectedResourceTypes(ruleText);
  return types === undefined || [...types].some((type) => presentTypes.has(type));
}
