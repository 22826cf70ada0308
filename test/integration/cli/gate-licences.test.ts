import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUNDLE_ENTRIES } from '../../../src/cli/build/bundle-entries.js';
import { runLicencesGate, takeInventory } from '../../../src/cli/build/licences-gate.js';
import { createGateCommand } from '../../../src/cli/commands/gate.js';
import { RecordingOutput } from '../../../src/cli/output.js';
import { runCli } from '../../../src/cli/run-cli.js';

/**
 * The licences gate over this repository's real lock file and real esbuild builds of every bundle
 * the CDK app deploys (with a metafile, written nowhere).
 */

const ROOT = new URL('../../..', import.meta.url).pathname;
let inventory: Awaited<ReturnType<typeof takeInventory>>;
let scratch: string;

beforeAll(async () => {
  inventory = await takeInventory(ROOT, BUNDLE_ENTRIES);
  scratch = mkdtempSync(join(tmpdir(), 'kiro-licences-'));
}, 60_000);
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

describe('licences gate on the real dependencies and bundles', () => {
  it('no bundle contains a dev-only package (AGPL tools such as @cloud-copilot/iam-expand included)', () => {
    if (typeof inventory === 'string') throw new Error(inventory);
    expect(inventory.bundles.map((bundle) => bundle.bundle)).toEqual(BUNDLE_ENTRIES.map((bundle) => bundle.name));
    for (const bundle of inventory.bundles) expect(bundle.packages.filter((pkg) => pkg.devOnly), bundle.bundle).toEqual([]);
    const agpl = [...inventory.installed.values()].filter((pkg) => pkg.licence?.includes('AGPL') === true);
    expect(agpl.length).toBeGreaterThan(0);
    expect(agpl.every((pkg) => pkg.devOnly)).toBe(true);
  });

  it('every bundle is a Lambda\'s and leaves the AWS SDK to the runtime, as NodejsFunction does (the worker has no CodeBuild bundle any more)', () => {
    if (typeof inventory === 'string') throw new Error(inventory);
    const { bundles } = inventory;
    expect(bundles.map((bundle) => bundle.bundle)).toEqual(expect.arrayContaining(['worker-poller', 'worker-build-end', 'health-monitor']));
    expect(bundles.flatMap((bundle) => bundle.packages.map((pkg) => pkg.name)).filter((name) => name.startsWith('@aws-sdk/'))).toEqual([]);
    // What they do bundle is inventoried with its licence: Powertools (MIT-0) in the poller.
    expect(bundles.find((bundle) => bundle.bundle === 'worker-poller')?.packages.map((pkg) => pkg.name)).toContain('@aws-lambda-powertools/logger');
  });

  it('passes on this repository, and reports the dev-only licences', async () => {
    const out = new RecordingOutput();
    const code = await runCli([createGateCommand({ clock: { now: () => new Date('2026-12-07T00:00:00Z'), sleep: () => Promise.resolve() } })], ['gate', 'licences'], { out, env: {}, cwd: ROOT });
    expect(out.stdout).toMatch(/\[licences\] passed: 0 licence problems in \d+ production packages and \d+ bundles/);
    expect(out.stdout).toContain(`production packages and ${BUNDLE_ENTRIES.length} bundles`);
    expect(out.stdout).toContain('dev-only-licence at @cloud-copilot/iam-expand');
    expect(code).toBe(0);
  }, 60_000);

  it.each([
    { why: 'no lock file (not installed)', root: () => scratch, bundles: BUNDLE_ENTRIES.slice(0, 1), problem: /package-lock\.json cannot be read/ },
    { why: 'an entry point esbuild cannot build', root: () => ROOT, bundles: [{ name: 'gone', entry: 'src/no-such-handler.ts', external: [] }], problem: /esbuild could not build the gone bundle/ },
  ])('blocks when $why', async ({ root, bundles, problem }) => {
    const result = await runLicencesGate(root(), undefined, '2026-12-07', bundles);
    expect(result.verdict).toBe('block');
    expect(result.findings[0]?.message).toMatch(problem);
  });

  it('is a usage error (exit 2) when an exception has no reason', async () => {
    writeFileSync(join(scratch, 'policy.json'), JSON.stringify({ allowed: ['MIT'], entries: [{ package: 'x', licence: 'GPL-3.0-only', expires: '2026-12-31' }] }));
    const out = new RecordingOutput();
    const code = await runCli([createGateCommand({ clock: { now: () => new Date('2026-12-07T00:00:00Z'), sleep: () => Promise.resolve() } })], ['gate', 'licences', '--policy', join(scratch, 'policy.json')], { out, env: {}, cwd: ROOT });
    expect(code).toBe(2);
    expect(out.stderr).toMatch(/reason/);
  });
});
