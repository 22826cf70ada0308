import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MalformedInputError } from '../../../shared/errors.js';
import type { AssemblyStack } from '../../domain/change-detection/infrastructure-stacks.js';
import { isRecord, tryParseJson } from '../../domain/build-gates/gate-result.js';

const MAX_DEPTH = 5;

/**
 * Reads the stacks of a synthesized cloud assembly from its `manifest.json`, following nested
 * assemblies (CDK Pipelines stages synthesize each stage into `assembly-<Stage>/`).
 */
export async function readAssemblyStacks(directory: string, depth = 0): Promise<AssemblyStack[]> {
  const manifestPath = join(directory, 'manifest.json');
  const text = await readFile(manifestPath, 'utf8').catch((error: unknown) => {
    throw new MalformedInputError(`cannot read ${manifestPath}: run "npm run synth" first, or pass --cdk-app <assembly directory>.`, { manifestPath }, error);
  });
  const manifest = tryParseJson(text);
  if (!isRecord(manifest) || !isRecord(manifest.artifacts)) {
    throw new MalformedInputError(`${manifestPath} is not a cloud assembly manifest (no "artifacts"); synthesize again.`, { manifestPath });
  }
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts)) {
    if (!isRecord(artifact)) continue;
    const properties = isRecord(artifact.properties) ? artifact.properties : {};
    if (artifact.type === 'aws:cloudformation:stack') {
      const tags = isRecord(properties.tags)
        ? Object.fromEntries(Object.entries(properties.tags).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
        : {};
      stacks.push({
        selector: typeof artifact.displayName === 'string' ? artifact.displayName : id,
        stackName: typeof properties.stackName === 'string' ? properties.stackName : id,
        tags,
      });
    } else if (artifact.type === 'cdk:cloud-assembly' && typeof properties.directoryName === 'string' && depth < MAX_DEPTH) {
      stacks.push(...(await readAssemblyStacks(join(directory, properties.directoryName), depth + 1)));
    }
  }
  return stacks;
}
