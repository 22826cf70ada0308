import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUNDLE_ENTRIES } from '../../../src/cli/build/bundle-entries.js';
import { takeInventory } from '../../../src/cli/build/licences-gate.js';
import { createSbomCommand } from '../../../src/cli/commands/sbom.js';
import { RecordingOutput } from '../../../src/cli/output.js';
import { runCli } from '../../../src/cli/run-cli.js';
import { bundleSbom, checkCycloneDxJson } from '../../../src/pipeline/domain/build-gates/sbom.js';

const ROOT = new URL('../../..', import.meta.url).pathname;
const at = new Date('2026-12-07T10:00:00Z');
const scratch = mkdtempSync(join(tmpdir(), 'kiro-sbom-'));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('SBOMs', () => {
  it('the worker poller\'s SBOM lists the packages it bundles with their installed versions, and not the AWS SDK the Lambda runtime provides', async () => {
    // The worker has no bundle of its own any more (issue 13: the customer's command runs in CodeBuild
    // from its buildspec); its Lambdas leave @aws-sdk/* out, as NodejsFunction does on Node 18+ runtimes.
    const inventory = await takeInventory(ROOT, BUNDLE_ENTRIES.filter((bundle) => bundle.name === 'worker-poller'));
    if (typeof inventory === 'string') throw new Error(inventory);
    expect(inventory.bundles).toHaveLength(1);
    const sbom = bundleSbom('worker-poller', inventory.bundles[0]?.packages ?? [], at) as { bomFormat: string; components: { name: string; version: string; purl: string }[] };
    expect(sbom.bomFormat).toBe('CycloneDX');
    const installed = (name: string): string => (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    for (const name of ['@aws-lambda-powertools/logger', '@aws-lambda-powertools/metrics']) {
      expect(sbom.components.find((component) => component.name === name)).toEqual(expect.objectContaining({ version: installed(name), purl: `pkg:npm/${name.replace('@', '%40')}@${installed(name)}` }));
    }
    expect(sbom.components.filter((component) => component.name.startsWith('@aws-sdk/'))).toEqual([]);
  }, 60_000);

  it.each([
    { why: 'recorded cyclonedx-npm output of the production dependencies', text: () => readFileSync(new URL('../../fixtures/build-tools/cyclonedx/production-recorded.cdx.json', import.meta.url), 'utf8'), expected: { components: 47 } },
    { why: 'the same output cut off', text: () => readFileSync(new URL('../../fixtures/build-tools/cyclonedx/production-recorded.cdx.json', import.meta.url), 'utf8').slice(0, 500), expected: 'not JSON: cyclonedx-npm stopped before finishing it' },
    { why: 'JSON that is no SBOM', text: () => '{"components": []}', expected: 'not a CycloneDX document with components' },
  ])('reads $why', ({ text, expected }) => {
    expect(checkCycloneDxJson(text())).toEqual(expected);
  });

  it('fails (exit 1) when cyclonedx-npm is missing: a release without its SBOM does not ship', async () => {
    const out = new RecordingOutput();
    const code = await runCli([createSbomCommand({ clock: { now: () => at, sleep: () => Promise.resolve() }, cycloneDxPath: join(scratch, 'none.js') })], ['sbom', '--output-dir', scratch], { out, env: {}, cwd: ROOT });
    expect(code).toBe(1);
    expect(out.stderr).toMatch(/production SBOM could not be produced: cyclonedx-npm stopped/);
  });
});
