import * as z from 'zod';
import { MalformedInputError } from '../../../shared/errors.js';
import type { GateFinding } from './gate-finding.js';

const guardFileReport = z.object({
  name: z.string(),
  status: z.string(),
  not_compliant: z.array(z.unknown()).default([]),
});
const guardOutput = z.array(guardFileReport);
const notCompliantRule = z.object({ Rule: z.object({ name: z.string(), checks: z.unknown() }) });

/**
 * Acceptances written on resources: the template's `Metadata.guard.SuppressedRules` (the convention
 * of the AWS Guard Rules Registry) names the rule, `Metadata.guard.Reasons[rule]` says why.
 * Logical id -> rule -> reason; a suppression without a reason is not an acceptance.
 */
export type GuardAcknowledgements = ReadonlyMap<string, Readonly<Record<string, string>>>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the acknowledgements of every resource of a template (see GuardAcknowledgements). */
export function guardAcknowledgementsOf(template: unknown): GuardAcknowledgements {
  const result = new Map<string, Record<string, string>>();
  const resources = isRecord(template) && isRecord(template.Resources) ? template.Resources : {};
  for (const [logicalId, resource] of Object.entries(resources)) {
    const guard = isRecord(resource) && isRecord(resource.Metadata) ? resource.Metadata.guard : undefined;
    if (!isRecord(guard) || !Array.isArray(guard.SuppressedRules)) continue;
    const reasons = isRecord(guard.Reasons) ? guard.Reasons : {};
    const accepted: Record<string, string> = {};
    for (const rule of guard.SuppressedRules) {
      const reason = typeof rule === 'string' ? reasons[rule] : undefined;
      if (typeof rule === 'string' && typeof reason === 'string' && reason.trim() !== '') accepted[rule] = reason;
    }
    result.set(logicalId, accepted);
  }
  return result;
}

/** Every `/Resources/<id>` path and every non-empty custom message inside a rule's check tree. */
function collect(node: unknown, resources: Set<string>, messages: Set<string>): void {
  if (Array.isArray(node)) {
    for (const child of node) collect(child, resources, messages);
    return;
  }
  if (!isRecord(node)) return;
  for (const [key, value] of Object.entries(node)) {
    if (key === 'path' && typeof value === 'string') {
      const match = /^\/Resources\/([^/]+)/.exec(value);
      if (match?.[1] !== undefined) resources.add(match[1]);
    } else if (key === 'custom_message' && typeof value === 'string' && value.trim() !== '') {
      messages.add(value.trim().replace(/\s+/g, ' '));
    } else {
      collect(value, resources, messages);
    }
  }
}

/**
 * Turns the output of `cfn-guard validate -o json -S none` into findings: one per failing rule and
 * resource. `templateName` maps the data-file name guard prints to the name to report (relative to
 * the cloud assembly); `acknowledgementsFor` gives that template's acknowledgements
 * (guardAcknowledgementsOf).
 */
export function parseCfnGuardOutput(
  stdout: string,
  templateName: (dataFile: string) => string = (dataFile) => dataFile,
  acknowledgementsFor: (template: string) => GuardAcknowledgements = () => new Map(),
): GateFinding[] {
  let raw: unknown;
  try {
    raw = JSON.parse(stdout);
  } catch (error) {
    throw new MalformedInputError('cfn-guard did not print JSON; run it by hand with "-o json" to see why.', { stdout: stdout.slice(0, 500) }, error);
  }
  const parsed = guardOutput.safeParse(raw);
  if (!parsed.success) {
    throw new MalformedInputError(`cfn-guard printed JSON of an unexpected shape (${parsed.error.message}); the project expects cfn-guard 3.1.`);
  }
  const findings: GateFinding[] = [];
  for (const file of parsed.data) {
    const template = templateName(file.name);
    const acknowledgements = acknowledgementsFor(template);
    for (const entry of file.not_compliant) {
      const rule = notCompliantRule.safeParse(entry);
      if (!rule.success) throw new MalformedInputError(`cfn-guard reported a non-compliant entry without a rule name: ${JSON.stringify(entry).slice(0, 300)}`);
      const resources = new Set<string>();
      const messages = new Set<string>();
      collect(rule.data.Rule.checks, resources, messages);
      const message = messages.size > 0 ? [...messages].join(' | ') : `rule ${rule.data.Rule.name} failed`;
      const targets = resources.size > 0 ? [...resources] : [undefined];
      for (const resource of targets) {
        const reason = resource === undefined ? undefined : acknowledgements.get(resource)?.[rule.data.Rule.name];
        findings.push({
          gate: 'cfn-guard',
          ruleId: rule.data.Rule.name,
          severity: 'error',
          template,
          ...(resource === undefined ? {} : { resource }),
          message,
          ...(reason === undefined ? {} : { acceptedBecause: reason }),
        });
      }
    }
  }
  return findings;
}
