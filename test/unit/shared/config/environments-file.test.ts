import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ENVIRONMENTS_FILE, defaultEnvironmentsFile, importEnvironmentsFile, loadEnvironmentsFile } from '../../../../src/shared/config/environments-file.js';
import { environmentsConfig } from '../../../../infrastructure/lib/config/environments.js';
import { ConfigurationError } from '../../../../src/shared/errors.js';

describe('loadEnvironmentsFile', () => {
  it('finds the repository configuration by path, without a static import, and validates it', async () => {
    expect(defaultEnvironmentsFile().endsWith(ENVIRONMENTS_FILE)).toBe(true);
    const config = await loadEnvironmentsFile();
    expect(config.environments.map((environment) => environment.name)).toEqual(environmentsConfig.environments.map((environment) => environment.name));
    expect(config.pipeline.name).toBe(environmentsConfig.pipeline.name);
  });

  it.each([
    // Each row: a file the loader must refuse with a message that names it.
    ['missing file', undefined, /does not exist; it must export environmentsConfig/],
    ['no environmentsConfig export', 'export const other = 1;\n', /does not export environmentsConfig as an object/],
  ])('refuses a %s with a ConfigurationError naming the file', async (_case, text, message) => {
    const file = join(mkdtempSync(join(tmpdir(), 'kiro-cd-config-')), 'environments.ts');
    if (text !== undefined) writeFileSync(file, text);
    const loading = importEnvironmentsFile(file);
    await expect(loading).rejects.toThrow(ConfigurationError);
    await expect(loading).rejects.toThrow(message);
    await expect(loading).rejects.toThrow(file);
  });

  it('validates an overriding file with the one schema', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'kiro-cd-config-')), 'environments.mjs');
    writeFileSync(file, `export const environmentsConfig = ${JSON.stringify({ ...environmentsConfig, environments: environmentsConfig.environments.map((e) => (e.name === 'production' ? { ...e, region: 'mars-1' } : e)) })};\n`);
    await expect(loadEnvironmentsFile(file)).rejects.toThrow(/environment "production", key "region": got "mars-1"/);
  });
});
