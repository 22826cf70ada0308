import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATIC_CHECKS_COMMAND, staticChecksAction } from '../../../../../src/pipeline/domain/plan/codebuild-actions.js';

/**
 * The Build's type-check and ESLint run side by side in one buildspec command. Run by POSIX sh (as
 * CodeBuild runs buildspec commands) with stand-ins for npm, npx and node that exit as each row says,
 * the command must fail whenever either check fails, whichever finishes first.
 */
describe('the Build runs the type-check beside ESLint', () => {
  let directory: string;
  beforeAll(() => {
    directory = mkdtempSync(join(tmpdir(), 'kiro-static-checks-'));
    const bin = join(directory, 'bin');
    mkdirSync(bin);
    mkdirSync(join(directory, 'reports'));
    const stub = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    // `npm run --silent typecheck`: the type-check, taking TYPECHECK_SECONDS.
    stub('npm', 'sleep "$TYPECHECK_SECONDS"; echo "tsc: typecheck output"; exit "$TYPECHECK_EXIT"');
    // `npx eslint -f json -o reports/eslint.json .`: its own exit code is replaced by the gate's.
    stub('npx', 'sleep "$ESLINT_SECONDS"; echo "[]" > reports/eslint.json; exit "$ESLINT_EXIT"');
    // `node bin/kiro-cd.js gate eslint --input reports/eslint.json`: the gate's verdict.
    stub('node', 'test -f reports/eslint.json || exit 9; exit "$GATE_EXIT"');
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  const runCommand = (env: Record<string, string>) =>
    spawnSync('sh', ['-c', STATIC_CHECKS_COMMAND], { cwd: directory, env: { PATH: `${join(directory, 'bin')}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });

  it('is the command the Build stage runs (its StaticChecks action), once, instead of the two checks one after the other', () => {
    const commands = staticChecksAction('kiro').commands;
    expect(commands.filter((command) => command === STATIC_CHECKS_COMMAND)).toHaveLength(1);
    expect(commands).not.toContain('npm run typecheck');
  });

  it.each([
    { why: 'both pass', typecheck: '0', gate: '0', eslint: '0', slower: 'typecheck', passes: true },
    { why: 'ESLint reports findings the gate accepts (the tool exit is not the verdict)', typecheck: '0', gate: '0', eslint: '1', slower: 'eslint', passes: true },
    { why: 'the type-check fails after ESLint has passed (a lost `wait` would hide it)', typecheck: '2', gate: '0', eslint: '0', slower: 'typecheck', passes: false },
    { why: 'the type-check fails before ESLint ends', typecheck: '2', gate: '0', eslint: '0', slower: 'eslint', passes: false },
    { why: 'the ESLint gate blocks while the type-check passes', typecheck: '0', gate: '1', eslint: '1', slower: 'typecheck', passes: false },
  ])('$why', ({ typecheck, gate, eslint, slower, passes }) => {
    const result = runCommand({
      TYPECHECK_EXIT: typecheck,
      GATE_EXIT: gate,
      ESLINT_EXIT: eslint,
      TYPECHECK_SECONDS: slower === 'typecheck' ? '0.4' : '0',
      ESLINT_SECONDS: slower === 'eslint' ? '0.4' : '0',
    });
    expect(result.status === 0).toBe(passes);
    // The type-check's output is printed whole, after it ended, with both verdicts.
    expect(result.stdout).toContain('tsc: typecheck output');
    expect(result.stdout).toContain(`static checks: typecheck exit ${typecheck}, eslint gate exit ${gate}`);
  });
});
