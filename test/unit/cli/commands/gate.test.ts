import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGateCommand } from '../../../../src/cli/commands/gate.js';
import { RecordingOutput } from '../../../../src/cli/output.js';
import { runCli } from '../../../../src/cli/run-cli.js';
import type { Clock } from '../../../../src/shared/clock.js';
import { buildToolFixturePath } from '../../pipeline/domain/build-gates/fixture.js';

const clock: Clock = { now: () => new Date('2026-11-26T10:00:00Z'), sleep: () => Promise.resolve() };
const command = createGateCommand({ clock });

let cwd: string;
beforeAll(() => {
  cwd = mkdtempSync(join(tmpdir(), 'kiro-gate-'));
});
afterAll(() => {
  rmSync(cwd, { recursive: true, force: true });
});

async function gate(args: string[], env: Record<string, string> = {}) {
  const out = new RecordingOutput();
  const code = await runCli([command], ['gate', ...args], { out, env, cwd });
  return { code, out };
}

describe('kiro-cd gate', () => {
  it.each([
    { why: 'HIGH npm audit finding blocks', args: ['audit', '--input', buildToolFixturePath('npm-audit', 'high-findings.json'), '--mode', 'pipeline'], code: 1 },
    { why: 'moderate/low only passes', args: ['audit', '--input', buildToolFixturePath('npm-audit', 'moderate-and-low-only.json')], code: 0 },
    { why: 'unreachable advisory service blocks in the pipeline', args: ['audit', '--input', buildToolFixturePath('npm-audit', 'registry-405-recorded.json'), '--mode', 'pipeline'], code: 1 },
    { why: 'unreachable advisory service is "not run" locally: exit 3, never 0', args: ['audit', '--input', buildToolFixturePath('npm-audit', 'registry-405-recorded.json'), '--mode', 'local'], code: 3 },
    { why: 'a missing audit file blocks in the pipeline', args: ['audit', '--input', 'reports/none.json', '--mode', 'pipeline'], code: 1 },
    { why: 'a missing audit file blocks locally too (only an unreachable service is "not run")', args: ['audit', '--input', 'reports/none.json', '--mode', 'local'], code: 1 },
    { why: 'a cut-off audit report blocks locally too', args: ['audit', '--input', buildToolFixturePath('npm-audit', 'truncated-output.json'), '--mode', 'local'], code: 1 },
    { why: 'coverage under 80 % blocks', args: ['coverage', '--summary', buildToolFixturePath('coverage', 'branches-and-functions-below.json'), '--threshold', '80'], code: 1 },
    { why: 'coverage over the threshold passes', args: ['coverage', '--summary', buildToolFixturePath('coverage', 'all-above-threshold.json')], code: 0 },
    { why: 'a missing coverage summary blocks', args: ['coverage', '--summary', 'coverage/none.json'], code: 1 },
    { why: 'an ESLint error blocks', args: ['eslint', '--input', buildToolFixturePath('eslint', 'errors-warnings-and-parse-error.json')], code: 1 },
    { why: 'ESLint warnings pass', args: ['eslint', '--input', buildToolFixturePath('eslint', 'warnings-only.json')], code: 0 },
    { why: 'a failing test blocks', args: ['tests', '--junit', buildToolFixturePath('junit', 'failures-and-skips.xml')], code: 1 },
    { why: 'zero tests run blocks', args: ['tests', '--junit', buildToolFixturePath('junit', 'no-tests-run.xml')], code: 1 },
    { why: 'all tests passed', args: ['tests', '--junit', buildToolFixturePath('junit', 'all-passed.xml')], code: 0 },
    { why: 'unknown gate is a usage error', args: ['lint'], code: 2 },
    { why: 'no gate named is a usage error', args: [], code: 2 },
    { why: 'a required flag missing is a usage error', args: ['tests'], code: 2 },
    { why: 'a bad threshold is a usage error', args: ['coverage', '--summary', 'x.json', '--threshold', '180'], code: 2 },
    { why: 'a bad mode is a usage error', args: ['audit', '--input', 'x.json', '--mode', 'ci'], code: 2 },
  ])('$why → exit $code', async ({ args, code }) => {
    expect((await gate(args)).code).toBe(code);
  });

  it('lists each blocking finding with why it blocks, on stderr', async () => {
    const { out } = await gate(['audit', '--input', buildToolFixturePath('npm-audit', 'high-findings.json'), '--mode', 'pipeline']);
    expect(out.stderr).toContain('[npm-audit] BLOCKED: 1 critical/high advisories');
    expect(out.stderr).toContain('✗ blocks high GHSA-3h5v-q93c-6h6q at ws');
    expect(out.stderr).toMatch(/high severity blocks the deployment: update ws/);
    expect(out.stderr).toContain('- reported moderate GHSA-c2qf-rxjj-qqgw');
  });

  it('says the advisory service could not be reached and the deployment is blocked until it can', async () => {
    const { out } = await gate(['audit', '--input', buildToolFixturePath('npm-audit', 'network-enotfound.json')], { CODEBUILD_BUILD_ID: 'kiro:1234' });
    expect(out.stderr).toContain('BLOCKED: npm audit could not reach the advisory service; the deployment is blocked until it can.');
  });

  it('defaults to local mode outside CodeBuild and never prints a pass for an audit that did not run', async () => {
    const { code, out } = await gate(['audit', '--input', buildToolFixturePath('npm-audit', 'network-enotfound.json')]);
    expect(code).toBe(3);
    expect(out.stderr).toContain('NOT RUN');
    expect(out.stdout).not.toMatch(/PASS|passed/);
  });

  it('applies the allowlist file in the working directory, and rejects a broken one', async () => {
    writeFileSync(
      join(cwd, '.audit-allowlist.json'),
      JSON.stringify({ entries: [{ advisory: 'GHSA-3h5v-q93c-6h6q', package: 'ws', reason: 'ws only serves the local dev proxy', expires: '2026-12-31' }] }),
    );
    try {
      const { code, out } = await gate(['audit', '--input', buildToolFixturePath('npm-audit', 'high-findings.json')]);
      expect(code).toBe(0);
      expect(out.stdout).toContain('allowlisted until 2026-12-31: ws only serves the local dev proxy');
      writeFileSync(join(cwd, '.audit-allowlist.json'), '{"entries": [{"advisory": "GHSA-3h5v-q93c-6h6q"}]}');
      const broken = await gate(['audit', '--input', buildToolFixturePath('npm-audit', 'high-findings.json')]);
      expect(broken.code).toBe(2);
      expect(broken.out.stderr).toMatch(/entries\.0\.package/);
    } finally {
      rmSync(join(cwd, '.audit-allowlist.json'));
    }
  });

  it('requires an allowlist named with --allowlist to exist', async () => {
    const { code, out } = await gate(['audit', '--input', buildToolFixturePath('npm-audit', 'high-findings.json'), '--allowlist', 'nope.json']);
    expect(code).toBe(2);
    expect(out.stderr).toContain('--allowlist nope.json');
  });

  it('names the coverage measures under the threshold', async () => {
    const { out } = await gate(['coverage', '--summary', buildToolFixturePath('coverage', 'branches-and-functions-below.json')]);
    expect(out.stderr).toContain('BLOCKED: branches, functions under 80 %');
  });

  it('says a missing report probably means the tool crashed', async () => {
    const { out } = await gate(['tests', '--junit', 'reports/junit.xml']);
    expect(out.stderr).toMatch(/reports\/junit\.xml does not exist: the tool probably failed/);
  });

  it('prints the decision as JSON with --json', async () => {
    const { out } = await gate(['eslint', '--input', buildToolFixturePath('eslint', 'clean.json'), '--json']);
    expect(JSON.parse(out.stdout.slice(out.stdout.indexOf('{')))).toMatchObject({ tool: 'eslint', verdict: 'pass', ran: true });
  });
});
