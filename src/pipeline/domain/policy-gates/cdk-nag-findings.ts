import * as z from 'zod';
import { MalformedInputError } from '../../../shared/errors.js';
import type { GateFinding } from './gate-finding.js';

/** The plugin name cdk-nag's AwsSolutions pack reports under. */
export const CDK_NAG_PLUGIN_NAME = 'AwsSolutions';

const violation = z.object({
  ruleName: z.string(),
  description: z.string(),
  severity: z.string(),
  violatingConstructs: z.array(z.object({ constructPath: z.string() })).default([]),
});
const validationReport = z.object({
  pluginReports: z.array(
    z.object({
      pluginName: z.string(),
      violations: z.array(violation).default([]),
    }),
  ),
});

function severityOf(value: string): GateFinding['severity'] {
  if (value === 'error' || value === 'fatal') return 'error';
  if (value === 'warning') return 'warning';
  return 'info';
}

/**
 * Turns CDK's `validation-report.json` (written into the cloud assembly by every validation plugin
 * during synthesis) into findings: cdk-nag's under `cdk-nag`, any other plugin's (the built-in
 * CloudFormation validator) under `cdk-validation`. Acknowledged violations
 * (`Validations.of(construct).acknowledge`) are left out of the report by CDK and cdk-nag, so every
 * violation in it is unaccepted.
 */
export function parseValidationReport(json: string): GateFinding[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (error) {
    throw new MalformedInputError('validation-report.json is not JSON; synthesize again (npm run synth).', {}, error);
  }
  const parsed = validationReport.safeParse(raw);
  if (!parsed.success) {
    throw new MalformedInputError(`validation-report.json has an unexpected shape (${parsed.error.message}); check the aws-cdk-lib version.`);
  }
  return parsed.data.pluginReports.flatMap((report) =>
    report.violations.flatMap((entry) =>
      entry.violatingConstructs.map(
        (construct): GateFinding => ({
          gate: report.pluginName === CDK_NAG_PLUGIN_NAME ? 'cdk-nag' : 'cdk-validation',
          ruleId: entry.ruleName,
          severity: severityOf(entry.severity),
          resource: construct.constructPath,
          message: entry.description,
        }),
      ),
    ),
  );
}
