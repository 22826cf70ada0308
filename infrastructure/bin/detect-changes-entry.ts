/**
 * Entry point of the pipeline's bundled change detection (docs/pipeline.md, "Change detection
 * without npm ci"): `kiro-cd detect-changes` alone, with the configuration of environments.ts bundled
 * in instead of imported at run time (validated as `kiro-cd` validates it; the synthesis already
 * checked its regions) (the bundle runs on plain Node.js, without tsx or node_modules).
 * The Build bundles it (bundle-detection.ts); each Detect action runs
 * `node <bundle> detect-changes ...` with the same options and output as `kiro-cd detect-changes`.
 */
import { createDetectChangesCommand, DETECT_CHANGES_DEPS } from '../../src/cli/commands/detect-changes.js';
import { consoleOutput } from '../../src/cli/output.js';
import { runCli } from '../../src/cli/run-cli.js';
import { quietSdkNodeVersionNotice } from '../../src/cli/sdk-node-notice.js';
import { validateConfig } from '../../src/shared/config/validate.js';
import { environmentsConfig } from '../lib/config/environments.js';

quietSdkNodeVersionNotice();

const detectChanges = createDetectChangesCommand({ ...DETECT_CHANGES_DEPS, config: () => validateConfig(environmentsConfig) });
process.exitCode = await runCli([detectChanges], process.argv.slice(2), { out: consoleOutput, env: process.env, cwd: process.cwd() });
