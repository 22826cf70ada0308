import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStaticChecksArgs, runStaticChecks, staticChecksExitCode } from '../../../scripts/static-checks.js';

/**
 * scripts/static-checks.ts against the commands it replaces, `tsc -p tsconfig.json --incremental`
 * and `eslint --max-warnings 0 .`, on small projects made of this repository's own tsconfig.json and
 * ESLint configuration: the same type errors in the same words, the same lint findings, and a
 * failure wherever either command fails.
 */
const REPOSITORY = join(import.meta.dirname, '..', '..', '..');
const BIN = join(REPOSITORY, 'node_modules', '.bin');
/** What the configuration files import, linked from this repository's node_modules (the rest resolves from there). */
const LINKED_PACKAGES = ['typescript-eslint', '@eslint', 'globals', 'eslint-plugin-security', '@types'];
const SLOW = 240_000;

const projects: string[] = [];

/** A project with this repository's configuration and the given source files. */
function project(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'kiro-static-checks-'));
  projects.push(root);
  // A real node_modules (tsc's incremental information goes there), with links to the packages.
  mkdirSync(join(root, 'node_modules'));
  for (const name of LINKED_PACKAGES) symlinkSync(join(REPOSITORY, 'node_modules', name), join(root, 'node_modules', name));
  for (const file of ['tsconfig.json', 'eslint.config.mjs', 'eslint.security.mjs']) copyFileSync(join(REPOSITORY, file), join(root, file));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return root;
}

async function runChecks(root: string, options: { eslintJsonFile?: string; isTerminal?: boolean } = {}) {
  let out = '';
  let err = '';
  const result = await runStaticChecks({
    root,
    ...options,
    isTerminal: options.isTerminal ?? false,
    write: (text) => {
      out += text;
    },
    writeError: (text) => {
      err += text;
    },
  });
  return { ...result, out, err };
}

interface EslintFileResult {
  readonly filePath: string;
  readonly messages: readonly { readonly ruleId: string | null; readonly severity: number; readonly line?: number; readonly column?: number; readonly message: string; readonly fatal?: boolean }[];
}

/** Each file's findings as comparable rows: path, rule (or "fatal"), position, severity. */
function findings(root: string, jsonFile: string): string[] {
  const results = JSON.parse(readFileSync(jsonFile, 'utf8')) as EslintFileResult[];
  return results
    .flatMap((result) => result.messages.map((message) => `${relative(root, result.filePath)} ${message.fatal === true ? 'fatal' : (message.ruleId ?? 'none')} ${String(message.line ?? 0)}:${String(message.column ?? 0)} severity ${String(message.severity)}`))
    .sort();
}

afterAll(() => {
  for (const root of projects) rmSync(root, { recursive: true, force: true });
});

describe('the static checks over one program report what tsc and ESLint report', () => {
  let root: string;
  let tsc: { status: number | null; stdout: string };
  let ours: Awaited<ReturnType<typeof runChecks>>;

  beforeAll(async () => {
    root = project({
      // Type errors in two files: tsc's summary then names the files in a table.
      'src/type-errors.ts': "export const count: number = 'three';\nexport const label: string = 4;\n",
      'src/more-type-errors.ts': "export function size(): number {\n  return 'large';\n}\n",
      // A typed rule (no-floating-promises) and no-deprecated, which reads @deprecated from JSDoc:
      // tsc's own program skips parsing such comments, so a program built like tsc's would miss it.
      'src/lint-errors.ts': [
        '/** @deprecated Use current() instead. */',
        'export function legacy(): number {',
        '  return 1;',
        '}',
        'export function current(): number {',
        '  return legacy();',
        '}',
        'export function later(): Promise<number> {',
        '  return Promise.resolve(1);',
        '}',
        'export function forget(): void {',
        '  later();',
        '}',
        '',
      ].join('\n'),
      // A warning: the directive silences nothing (ESLint reports unused directives as warnings).
      'src/warning.ts': '// eslint-disable-next-line no-console -- nothing to silence here\nexport const quiet = 1;\n',
      // ESLint lints it, tsc's program (tsconfig.json "include") does not have it.
      'tools/outside.ts': 'export const outside = 1;\n',
    });
    tsc = spawnSync(join(BIN, 'tsc'), ['-p', 'tsconfig.json', '--incremental', '--tsBuildInfoFile', 'reference.tsbuildinfo', '--pretty'], { cwd: root, encoding: 'utf8' });
    spawnSync(join(BIN, 'eslint'), ['--max-warnings', '0', '-f', 'json', '-o', 'reference-eslint.json', '.'], { cwd: root, encoding: 'utf8' });
    ours = await runChecks(root, { isTerminal: true, eslintJsonFile: 'ours-eslint.json' });
  }, SLOW);

  it('prints tsc\'s diagnostics and summary to the character, and fails as tsc does', () => {
    expect(tsc.status).not.toBe(0);
    expect(tsc.stdout).toContain('Found 3 errors in 2 files.');
    expect(ours.typecheck).toBe(tsc.status);
    expect(ours.out.slice(0, tsc.stdout.length)).toBe(tsc.stdout);
    expect(ours.out).toContain(`static-checks: typecheck failed (tsc exit ${String(tsc.status)})`);
  });

  it('reports the lint findings ESLint reports, typed rules and no-deprecated included', () => {
    const reference = findings(root, join(root, 'reference-eslint.json'));
    const shared = findings(root, join(root, 'ours-eslint.json'));
    expect(shared).toEqual(reference);
    expect(shared).toEqual(expect.arrayContaining([expect.stringMatching(/^src\/lint-errors\.ts @typescript-eslint\/no-deprecated 6:/), expect.stringMatching(/^src\/lint-errors\.ts @typescript-eslint\/no-floating-promises 12:/)]));
  });

  it('fails on a file ESLint lints that is outside tsc\'s program, naming it, as the project service does', () => {
    const results = JSON.parse(readFileSync(join(root, 'ours-eslint.json'), 'utf8')) as EslintFileResult[];
    const outside = results.find((result) => relative(root, result.filePath) === join('tools', 'outside.ts'));
    expect(outside?.messages).toEqual([expect.objectContaining({ fatal: true, severity: 2, message: expect.stringContaining('not found in any of the provided program instance(s): tools/outside.ts') as unknown })]);
    expect(findings(root, join(root, 'reference-eslint.json'))).toContain('tools/outside.ts fatal 0:0 severity 2');
  });

  it('leaves ESLint\'s verdict to the reader of --eslint-json', () => {
    expect(ours.lint).toBe(0);
    expect(ours.out).toContain('static-checks: lint results in ours-eslint.json, for the gate to decide');
  });
});

describe('the static checks fail as `eslint --max-warnings 0 .` fails', () => {
  it('on a warning alone, with ESLint\'s own message, while the type-check passes', async () => {
    const root = project({ 'src/warning.ts': '// eslint-disable-next-line no-console -- nothing to silence here\nexport const quiet = 1;\n' });
    const result = await runChecks(root);
    expect(result.typecheck).toBe(0);
    expect(result.lint).toBe(1);
    expect(result.out).toContain('Unused eslint-disable directive');
    expect(result.err).toBe('ESLint found too many warnings (maximum: 0).\n');
  }, SLOW);

  it('on a lint error alone, a typed rule\'s, while the type-check passes', async () => {
    const root = project({ 'src/floating.ts': 'export function forget(): void {\n  Promise.resolve(1);\n}\n' });
    const result = await runChecks(root);
    expect(result).toMatchObject({ typecheck: 0, lint: 1, err: '' });
    expect(result.out).toContain('@typescript-eslint/no-floating-promises');
    expect(result.out).toContain('static-checks: lint failed (eslint exit 1)');
  }, SLOW);

  it('and pass on a clean project', async () => {
    const root = project({ 'src/clean.ts': 'export const clean = 1;\n' });
    const result = await runChecks(root);
    expect(result).toEqual({ typecheck: 0, lint: 0, out: 'static-checks: typecheck passed\nstatic-checks: lint passed\n', err: '' });
  }, SLOW);
});

describe('parseStaticChecksArgs', () => {
  it.each([
    { why: 'no arguments: stylish output, ESLint\'s verdict counts', args: [], expected: { eslintJsonFile: undefined } },
    { why: 'the Build: JSON for the gate', args: ['--eslint-json', 'reports/eslint.json'], expected: { eslintJsonFile: 'reports/eslint.json' } },
  ])('$why', ({ args, expected }) => {
    expect(parseStaticChecksArgs(args)).toEqual(expected);
  });

  it.each([
    { why: 'a missing file', args: ['--eslint-json'] },
    { why: 'a flag where the file should be', args: ['--eslint-json', '--fix'] },
    { why: 'an unknown flag', args: ['--fix'] },
    { why: 'an extra argument', args: ['--eslint-json', 'a.json', 'b.json'] },
  ])('refuses $why', ({ args }) => {
    expect(() => parseStaticChecksArgs(args)).toThrow(/usage: tsx scripts\/static-checks\.ts/);
  });
});

describe('staticChecksExitCode', () => {
  it.each([
    { why: 'both pass', typecheck: 0, lint: 0, expected: 0 },
    { why: 'a lint error or warning alone fails as ESLint exits', typecheck: 0, lint: 1, expected: 1 },
    { why: 'a type error fails as tsc exits, whatever ESLint said', typecheck: 2, lint: 0, expected: 2 },
    { why: 'both fail: tsc\'s code, the first check reported', typecheck: 1, lint: 1, expected: 1 },
  ])('$why', ({ typecheck, lint, expected }) => {
    expect(staticChecksExitCode({ typecheck, lint })).toBe(expected);
  });
});
