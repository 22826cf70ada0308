import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DISABLED_CONTROL_TOWER_RULES } from '../../domain/policy-gates/disabled-rules.js';

const require = createRequire(import.meta.url);
const validatorRoot = dirname(require.resolve('@cdklabs/cdk-validator-cfnguard/package.json'));

/** The cfn-guard 3.1 binary shipped in @cdklabs/cdk-validator-cfnguard (Linux x86-64). */
export const CFN_GUARD_BINARY = join(validatorRoot, 'bin', 'ubuntu', 'x86_64', 'cfn-guard');

/** The project's own rules. */
export const PROJECT_GUARD_RULES_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'infrastructure', 'policy');

function guardFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.guard'))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * The rule files every template is checked against: the AWS Control Tower proactive controls
 * shipped with @cdklabs/cdk-validator-cfnguard, minus the ones disabled with a written reason
 * (DISABLED_CONTROL_TOWER_RULES), plus every file in infrastructure/policy.
 */
export function guardRuleFiles(): readonly string[] {
  const controlTower = guardFiles(join(validatorRoot, 'rules', 'control-tower', 'cfn-guard')).filter((file) => {
    const name = file.slice(file.lastIndexOf('/') + 1, -'.guard'.length);
    return !(name in DISABLED_CONTROL_TOWER_RULES);
  });
  return [...controlTower, ...guardFiles(PROJECT_GUARD_RULES_DIR)];
}
