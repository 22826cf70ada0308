import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../../../infrastructure/lib/config/load-config.js';
import { createEnvironmentStages } from '../../../infrastructure/lib/stages/environment-stages.js';
import { fileAssetHashes, templateWithoutAssetHashes } from '../../support/asset-hashes.js';
import { testApp } from '../../support/test-app.js';

const environment = loadDeploymentConfig().environments[0]!;

/** Synthesizes the test environment's application stack (two Lambda functions) into `outdir`; returns its template's path. */
function synthesizeApplication(outdir: string, bundling: boolean): string {
  const app = testApp({ outdir, bundling });
  const { application } = createEnvironmentStages(app, environment);
  app.synth();
  const assembly = application.synth();
  return join(assembly.directory, assembly.getStackArtifact(application.application.artifactId).templateFile);
}

/** Every `asset.*` entry CDK staged anywhere under `directory`. */
function stagedAssets(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true }).filter((entry) => entry.name.startsWith('asset.')).map((entry) => entry.name);
}

/**
 * The unit tests synthesize with testApp(), which skips Lambda bundling: this proves that what they
 * read is what a bundling synthesis (cdk synth) gives, except the hashes naming each function's
 * bundle, and that the skip really runs no esbuild.
 */
describe('testApp(): a synthesis without bundling has the template of one with bundling, asset hashes apart', () => {
  let bundledDir: string;
  let skippedDir: string;
  let bundled: string;
  let skipped: string;
  beforeAll(() => {
    bundledDir = mkdtempSync(join(tmpdir(), 'kiro-bundled-'));
    skippedDir = mkdtempSync(join(tmpdir(), 'kiro-unbundled-'));
    bundled = synthesizeApplication(bundledDir, true);
    skipped = synthesizeApplication(skippedDir, false);
  }, 120_000);
  afterAll(() => {
    rmSync(bundledDir, { recursive: true, force: true });
    rmSync(skippedDir, { recursive: true, force: true });
  });

  it('bundles each function with bundling: true, and stages nothing without', () => {
    const staged = stagedAssets(bundledDir);
    expect(staged.filter((name) => !name.endsWith('.zip'))).toHaveLength(2);
    for (const hash of fileAssetHashes(bundled)) expect(readdirSync(join(bundledDir, `asset.${hash}`))).toContain('index.mjs');
    expect(stagedAssets(skippedDir)).toEqual([]);
  });

  it('gives each function its own asset in both, under different hashes', () => {
    expect(fileAssetHashes(bundled)).toHaveLength(2);
    expect(fileAssetHashes(skipped)).toHaveLength(2);
    expect(fileAssetHashes(skipped).filter((hash) => fileAssetHashes(bundled).includes(hash))).toEqual([]);
    expect(readFileSync(skipped, 'utf8')).not.toBe(readFileSync(bundled, 'utf8'));
  });

  it('writes the same template once the asset hashes are taken out', () => {
    expect(JSON.parse(templateWithoutAssetHashes(skipped))).toEqual(JSON.parse(templateWithoutAssetHashes(bundled)));
  });
});
