import { ESLint, type Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import { decideEslint, parseEslintReport } from '../../../../../src/pipeline/domain/build-gates/eslint.js';

/**
 * The static security analysis of the lint gate: real ESLint with the project's security rules
 * (eslint.security.mjs, which eslint.config.mjs includes) over small samples, its JSON output
 * decided by the ESLint gate.
 */

const { securityRules } = (await import(new URL('../../../../../eslint.security.mjs', import.meta.url).href)) as { securityRules: Linter.Config };

async function lint(code: string) {
  const eslint = new ESLint({ overrideConfigFile: true, overrideConfig: [{ languageOptions: { sourceType: 'module' } }, securityRules] });
  const results = await eslint.lintText(code, { filePath: 'sample.js' });
  const json = (await eslint.loadFormatter('json')).format(results);
  return decideEslint(parseEslintReport(await json));
}

describe('security rules in the lint gate (real ESLint output)', () => {
  it.each([
    { why: 'eval of an expression', code: 'export function run(input) { return eval(input); }', rule: 'security/detect-eval-with-expression' },
    { why: 'a regular expression with catastrophic backtracking', code: 'export const bad = /^(a+)+$/;', rule: 'security/detect-unsafe-regex' },
    { why: 'a pattern built from input', code: 'export const match = (input) => new RegExp(input);', rule: 'security/detect-non-literal-regexp' },
    { why: 'a module path from input', code: 'export const load = (name) => require(name);', rule: 'security/detect-non-literal-require' },
    { why: 'the deprecated Buffer constructor', code: 'export const b = (n) => new Buffer(n);', rule: 'security/detect-new-buffer' },
    { why: 'a secret compared with ===, which leaks its length through timing', code: 'export function ok(password, given) { if (password === given) return true; return false; }', rule: 'security/detect-possible-timing-attacks' },
  ])('blocks $why', async ({ code, rule }) => {
    const result = await lint(code);
    expect(result.verdict).toBe('block');
    expect(result.findings.map((finding) => finding.id)).toContain(rule);
  });

  it.each([
    { why: 'a key lookup (detect-object-injection is off: it flags every obj[key])', code: 'export const get = (o, k) => o[k];' },
    { why: 'a file path from a variable (detect-non-literal-fs-filename is off: the CLI reads the paths it is given)', code: "import { readFileSync } from 'node:fs'; export const read = (p) => readFileSync(p, 'utf8');" },
    { why: 'a justified false positive, disabled on its line with the reason', code: '// eslint-disable-next-line security/detect-unsafe-regex -- bounded repetition\nexport const id = /^(ab{2}){3}$/;' },
  ])('passes $why', async ({ code }) => {
    expect((await lint(code)).verdict).toBe('pass');
  });
});
