import { isAbsolute, join, resolve } from 'node:path';
import { runCycloneDxNpm } from '../../pipeline/adapters/tools/cyclonedx-runner.js';
import { bundleSbom, checkCycloneDxJson } from '../../pipeline/domain/build-gates/sbom.js';
import { systemClock, type Clock } from '../../shared/clock.js';
import { ConfigurationError } from '../../shared/errors.js';
import { BUNDLE_ENTRIES } from '../build/bundle-entries.js';
import { takeInventory } from '../build/licences-gate.js';
import { removeReportFile, writeReportFile } from '../build/write-report.js';
import { requiredFlag } from '../build/report-files.js';
import { ExitCode, type Command } from '../command.js';

const USAGE = 'kiro-cd sbom --output-dir cdk.out/sbom';

const HELP = [
  `Usage: ${USAGE}`,
  '',
  'Writes CycloneDX 1.5 JSON SBOMs: production.cdx.json (cyclonedx-npm --omit dev: the production',
  'dependencies) and <bundle>.cdx.json for each bundle the CDK app deploys (every package its esbuild',
  'metafile shows, with version, package URL and licence). Exits 0 when every SBOM is written, 1 when',
  'one could not be produced (a release without its SBOM does not ship), 2 on bad usage.',
  '',
  'See docs/build-gates.md.',
].join('\n');

/** What the sbom command needs from outside. */
export interface SbomCommandDeps {
  readonly clock: Clock;
  /** cyclonedx-npm's bin script, for tests that take the tool away. @default the installed one */
  readonly cycloneDxPath?: string;
}

/** Builds `kiro-cd sbom`. */
export function createSbomCommand(deps: SbomCommandDeps): Command {
  return {
    name: 'sbom',
    summary: 'Write CycloneDX SBOMs of the production dependencies and of each bundle; 1 when one cannot be produced.',
    help: HELP,
    options: { 'output-dir': { type: 'string' } },
    async run(context, values, positionals) {
      if (positionals.length > 0) throw new ConfigurationError(`sbom takes no arguments; got "${positionals.join(' ')}". Usage: ${USAGE}`);
      const flag = requiredFlag(values, 'output-dir', USAGE);
      const folder = isAbsolute(flag) ? flag : resolve(context.cwd, flag);
      const production = join(folder, 'production.cdx.json');
      // An old SBOM must not pass for this build's when the tool fails.
      await removeReportFile('output-dir', production);
      const run = await runCycloneDxNpm(context.cwd, production, deps.cycloneDxPath);
      const checked = run.kind === 'written' ? checkCycloneDxJson(run.text) : run.problem;
      if (typeof checked === 'string') {
        context.out.error(`sbom: the production SBOM could not be produced: ${checked}`);
        return ExitCode.Failed;
      }
      const inventory = await takeInventory(context.cwd, BUNDLE_ENTRIES);
      if (typeof inventory === 'string') {
        context.out.error(`sbom: the bundle SBOMs could not be produced: ${inventory}`);
        return ExitCode.Failed;
      }
      const at = deps.clock.now();
      for (const bundle of inventory.bundles) {
        await writeReportFile('output-dir', join(folder, `${bundle.bundle}.cdx.json`), `${JSON.stringify(bundleSbom(bundle.bundle, bundle.packages, at), null, 2)}\n`);
      }
      context.out.info(`Wrote production.cdx.json (${String(checked.components)} components) and ${String(inventory.bundles.length)} bundle SBOMs to ${flag}.`);
      return ExitCode.Ok;
    },
  };
}

/** `kiro-cd sbom` with the system clock and the installed cyclonedx-npm. */
export const sbomCommand: Command = createSbomCommand({ clock: systemClock });
