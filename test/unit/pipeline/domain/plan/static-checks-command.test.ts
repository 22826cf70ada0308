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
    // Which side ends last is ordered by marker files, not by sleeping: the slower side waits until
    // the other has ended (as far as a process can tell: its last command ran), so the order holds
    // however slowly the machine starts processes, and no row waits longer than that.
    const waitFor = (variable: string) =>
      `if [ -n "$${variable}" ]; then turns=0; while [ ! -f "$${variable}" ]; do turns=$((turns + 1)); [ $turns -gt 2000 ] && exit 98; sleep 0.005; done; fi`;
    // `npm run --silent typecheck`: the type-check, ending after TYPECHECK_AFTER exists.
    stub('npm', `${waitFor('TYPECHECK_AFTER')}; echo "tsc: typecheck output"; touch typecheck.ended; exit "$TYPECHECK_EXIT"`);
    // `npx eslint -f json -o reports/eslint.json .`: its own exit code is replaced by the gate's.
    stub('npx', `${waitFor('ESLINT_AFTER')}; echo "[]" > reports/eslint.json; exit "$ESLINT_EXIT"`);
    // `node bin/kiro-cd.js gate eslint --input reports/eslint.json`: the gate's verdict, the ESLint side's last command.
    stub('node', 'test -f reports/eslint.json || exit 9; touch gate.ended; exit "$GATE_EXIT"');
  });
  afterAll(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  const runCommand = (env: Record<string, string>) => {
    for (const marker of ['typecheck.ended', 'gate.ended', 'reports/eslint.json']) rmSync(join(directory, marker), { force: true });
    return spawnSync('sh', ['-c', STATIC_CHECKS_COMMAND], { cwd: directory, env: { PATH: `${join(directory, 'bin')}:/usr/bin:/bin`, ...env }, encoding: 'utf8' });
  };

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
      TYPECHECK_AFTER: slower === 'typecheck' ? 'gate.ended' : '',
      ESLINT_AFTER: slower === 'eslint' ? 'typecheck.ended' : '',
    });
    expect(result.status === 0).toBe(passes);
    // The type-check's output is printed whole, after it ended, with both verdicts.
    expect(result.stdout).toContain('tsc: typecheck output');
    expect(result.stdout).toContain(`static checks: typecheck exit ${typecheck}, eslint gate exit ${gate}`);
  });
});
