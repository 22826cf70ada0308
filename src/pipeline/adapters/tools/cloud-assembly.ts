import { existsSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ConfigurationError } from '../../../shared/errors.js';

/** One stack template of a cloud assembly. */
export interface AssemblyStack {
  /** The stage (nested assembly) the stack belongs to, such as `Test`; empty for top-level stacks. */
  readonly stage: string;
  /** The stack's display name (`Test/Core`) or, for top-level stacks, its name. */
  readonly displayName: string;
  readonly stackName: string;
  /** `aws://account/region`. */
  readonly environment: string;
  /** Absolute path of the template. */
  readonly templatePath: string;
  /** Path of the template relative to the top-level assembly, as reports print it. */
  readonly templateName: string;
  readonly resourceCount: number;
}

interface ManifestArtifact {
  readonly type?: string;
  readonly environment?: string;
  readonly displayName?: string;
  readonly properties?: { readonly templateFile?: string; readonly stackName?: string; readonly directoryName?: string; readonly displayName?: string };
}

function readJson(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

function walk(root: string, directory: string, stage: string, stacks: AssemblyStack[]): void {
  const manifest = readJson(join(directory, 'manifest.json')) as { artifacts?: Record<string, ManifestArtifact> };
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile !== undefined) {
      const templatePath = join(directory, artifact.properties.templateFile);
      const template = readJson(templatePath) as { Resources?: Record<string, unknown> };
      stacks.push({
        stage,
        displayName: artifact.displayName ?? id,
        stackName: artifact.properties.stackName ?? id,
        environment: artifact.environment ?? 'aws://unknown-account/unknown-region',
        templatePath,
        templateName: relative(root, templatePath),
        resourceCount: Object.keys(template.Resources ?? {}).length,
      });
    } else if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName !== undefined) {
      walk(root, join(directory, artifact.properties.directoryName), artifact.properties.displayName ?? id, stacks);
    }
  }
}

/**
 * Every stack template of a synthesized cloud assembly, including those of nested assemblies
 * (`assembly-<Stage>/`, one per CDK Stage), read from the manifests rather than by file name so
 * that asset templates and stale files are never mistaken for stacks.
 */
export function readCloudAssembly(directory: string): readonly AssemblyStack[] {
  if (!existsSync(join(directory, 'manifest.json'))) {
    throw new ConfigurationError(`No cloud assembly in ${directory} (manifest.json is missing). Run "npm run synth" first, or pass --assembly <dir>.`, { directory });
  }
  const stacks: AssemblyStack[] = [];
  walk(directory, directory, '', stacks);
  return stacks;
}
