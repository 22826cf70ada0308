/**
 * Loads the deployment configuration's data file for runtime tools (the `kiro-cd` CLI, the local
 * rehearsal). The requirements fix the file's place in the CDK app
 * (`infrastructure/lib/config/environments.ts`), and `src/` never imports `infrastructure/`
 * statically, so the file is imported by path at run time: the dependency stays one-way, and a
 * tool can be pointed at another configuration file.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConfigurationError } from '../errors.js';
import type { DeploymentConfig } from './schema.js';
import { validateConfig } from './validate.js';

/** Where the configuration data file lives, relative to the repository root (fixed by the requirements). */
export const ENVIRONMENTS_FILE = 'infrastructure/lib/config/environments.ts';

/** The name the configuration data file exports its configuration under. */
export const ENVIRONMENTS_EXPORT = 'environmentsConfig';

/** The configuration data file of this repository, resolved from this module's own place in it. */
export function defaultEnvironmentsFile(): string {
  return fileURLToPath(new URL(`../../../${ENVIRONMENTS_FILE}`, import.meta.url));
}

/**
 * Imports the configuration data file at `file` and returns its `environmentsConfig` export, not yet
 * validated. A missing file or export is a {@link ConfigurationError} that names the file.
 */
export async function importEnvironmentsFile(file: string = defaultEnvironmentsFile()): Promise<{ readonly pipeline: unknown; readonly environments: unknown }> {
  if (!existsSync(file)) {
    throw new ConfigurationError(`The deployment configuration file ${file} does not exist; it must export ${ENVIRONMENTS_EXPORT} (see ${ENVIRONMENTS_FILE}).`, { file });
  }
  const module = await importTypeScriptModule(pathToFileURL(file).href);
  const input = module[ENVIRONMENTS_EXPORT];
  if (typeof input !== 'object' || input === null) {
    throw new ConfigurationError(`The deployment configuration file ${file} does not export ${ENVIRONMENTS_EXPORT} as an object.`, { file });
  }
  return input as { readonly pipeline: unknown; readonly environments: unknown };
}

/**
 * Imports a TypeScript module. Under tsx (the CLI's launcher) and vitest a plain `import` loads it;
 * Node.js 20 itself refuses `.ts` (ERR_UNKNOWN_FILE_EXTENSION), which is where a bundled `kiro-cd`
 * runs (test/support/cli-bundle.ts): there tsx loads this one file and its imports, scoped to this
 * import (`tsImport`), so nothing else in the process goes through tsx's hooks.
 */
async function importTypeScriptModule(href: string): Promise<Record<string, unknown>> {
  try {
    return (await import(href)) as Record<string, unknown>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException | undefined)?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    const { tsImport } = (await import('tsx/esm/api')) as { tsImport: (specifier: string, parentURL: string) => Promise<Record<string, unknown>> };
    return tsImport(href, import.meta.url);
  }
}

/** Imports the configuration data file (by default this repository's) and validates it with the one schema. */
export async function loadEnvironmentsFile(file: string = defaultEnvironmentsFile()): Promise<DeploymentConfig> {
  return validateConfig(await importEnvironmentsFile(file));
}
