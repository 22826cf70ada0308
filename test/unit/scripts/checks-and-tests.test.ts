import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * scripts/checks-and-tests.sh (`npm test` after the tool check) runs the static checks beside Vitest.
 * With stand-ins for `npx tsx scripts/static-checks.ts` and `npx vitest`, each exiting and taking as
 * long as a row says: the two run at the same time, the checks' output comes whole after Vitest's,
 * and the script fails whenever either fails, whichever ends first.
 */
describe('npm test runs the static checks beside Vitest', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'kiro-checks-and-tests-'));
    mkdirSync(join(directory, 'scripts'));
    copyFileSync(join(import.meta.dirname, '..', '..', '..', 'scripts', 'checks-and-tests.sh'), join(directory, 'scripts', 'checks-and-tests.sh'));
    const bin = join(directory, 'bin');
    mkdirSync(bin);
    // `npx tsx scripts/static-checks.ts`: marks that it started, then prints two lines apart in time.
    // `npx vitest run --coverage ...`: sees whether the checks had started before it ended.
    writeFileSync(
      join(bin, 'npx'),
      [
        '#!/bin/sh',
        'if [ "$1" = tsx ]; then',
        '  touch checks-started; echo "checks: first line"; sleep "$CHECKS_SECONDS"; echo "checks: last line"; exit "$CHECKS_EXIT"',
        'fi',
        'sleep "$VITEST_SECONDS"',
        'if [ -f checks-started ]; then echo "vitest: checks running beside me"; fi',
        'echo "vitest: args $*"; exit "$VITEST_EXIT"',
      ].join('\n'),
    );
    chmodSync(join(bin, 'npx'), 0o755);
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  it.each([
    { why: 'both pass', checks: '0', vitest: '0', slower: 'checks', passes: true },
    { why: 'the static checks fail after Vitest passed (a lost `wait` would hide it)', checks: '1', vitest: '0', slower: 'checks', passes: false },
    { why: 'the static checks fail before Vitest ends', checks: '2', vitest: '0', slower: 'vitest', passes: false },
    { why: 'Vitest fails while the checks pass', checks: '0', vitest: '1', slower: 'vitest', passes: false },
  ])('$why', ({ checks, vitest, slower, passes }) => {
    rmSync(join(directory, 'checks-started'), { force: true });
    const result = spawnSync('bash', ['scripts/checks-and-tests.sh', 'test/unit'], {
      cwd: directory,
      env: { PATH: `${join(directory, 'bin')}:/usr/bin:/bin`, CHECKS_EXIT: checks, VITEST_EXIT: vitest, CHECKS_SECONDS: slower === 'checks' ? '0.6' : '0', VITEST_SECONDS: slower === 'vitest' ? '0.6' : '0.3' },
      encoding: 'utf8',
    });
    expect(result.status === 0).toBe(passes);
    expect(result.stdout).toContain('vitest: checks running beside me');
    // Vitest gets coverage and the script's arguments; the checks' output follows, whole.
    expect(result.stdout).toContain('vitest: args vitest run --coverage test/unit\n');
    expect(result.stdout).toContain('checks: first line\nchecks: last line\n');
    expect(result.stdout.indexOf('checks: first line')).toBeGreaterThan(result.stdout.indexOf('vitest: args'));
    expect(result.stdout).toContain(`npm test: static checks exit ${checks}, vitest exit ${vitest}`);
  });
});
