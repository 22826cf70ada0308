import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint, type Linter, type Rule } from 'eslint';
import ts from 'typescript';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';

/**
 * eslint-rules/no-unsafe-class-instance-assignment.mjs against the typescript-eslint rule it wraps:
 * over a fixture of every kind of site the rule checks, the same findings (same places, same
 * messages), on exactly the lines the fixture marks `reported`, with fewer requests to the type
 * checker for a value's type. An upgrade of typescript-eslint that changes the upstream rule's
 * first test shows up here as a difference.
 */
const REPOSITORY = join(import.meta.dirname, '..', '..', '..');
const FIXTURE = join(REPOSITORY, 'test', 'fixtures', 'eslint-rules', 'class-instance-sites.ts');
const RULE = 'no-unsafe-class-instance-assignment';
const SLOW = 120_000;

const { kiroRules } = (await import(new URL('../../../eslint-rules/no-unsafe-class-instance-assignment.mjs', import.meta.url).href)) as { kiroRules: { rules: Record<string, Rule.RuleModule> } };

/** The fixture's program with the repository's compiler options, as the static checks build it. */
function fixtureProgram(): ts.Program {
  const parsed = ts.getParsedCommandLineOfConfigFile(join(REPOSITORY, 'tsconfig.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined });
  if (parsed === undefined) throw new Error('tsconfig.json did not parse');
  return ts.createProgram({ rootNames: [FIXTURE], options: parsed.options });
}

interface Run {
  readonly rows: readonly string[];
  readonly typeRequests: number;
}

/** Lints the fixture with one rule on, counting the checker's getTypeAtLocation calls. */
async function lintWith(ruleId: string, plugins: Linter.Config['plugins']): Promise<Run> {
  const program = fixtureProgram();
  const checker = program.getTypeChecker();
  const getTypeAtLocation = checker.getTypeAtLocation.bind(checker);
  let typeRequests = 0;
  checker.getTypeAtLocation = (node) => {
    typeRequests += 1;
    return getTypeAtLocation(node);
  };
  const eslint = new ESLint({
    cwd: REPOSITORY,
    ignore: false,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], plugins, languageOptions: { parser: tseslint.parser, parserOptions: { programs: [program] } }, rules: { [ruleId]: 'error' } }],
  });
  const [result] = await eslint.lintFiles([FIXTURE]);
  if (result === undefined) throw new Error('ESLint linted nothing');
  const rows = result.messages.map((message) => `${String(message.line)}:${String(message.column)} ${message.fatal === true ? 'fatal' : 'finding'} ${message.message}`);
  return { rows, typeRequests };
}

const markedLines = readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .flatMap((line, index) => (line.endsWith('// reported') ? [index + 1] : []));

describe(`kiro/${RULE}: typescript-eslint's rule with its target test first`, () => {
  let upstream: Run;
  let wrapped: Run;
  beforeAll(async () => {
    upstream = await lintWith(`@typescript-eslint/${RULE}`, { '@typescript-eslint': tseslint.plugin as unknown as ESLint.Plugin });
    wrapped = await lintWith(`kiro/${RULE}`, { kiro: kiroRules as unknown as ESLint.Plugin });
  }, SLOW);

  it('reports exactly the sites typescript-eslint reports, in the same words', () => {
    expect(wrapped.rows).toEqual(upstream.rows);
  });

  it('reports every site the fixture marks, and no other line', () => {
    // 18 marked sites: arguments, initialisers, property values, elements, returns, arrow bodies,
    // assertions, satisfies, conditionals, logical operands, unions, generics, assignments, class
    // fields, yields: one per kind of node the upstream rule visits.
    expect(markedLines.length).toBeGreaterThanOrEqual(18);
    const reportedLines = [...new Set(wrapped.rows.map((row) => Number(row.split(':')[0])))].sort((a, b) => a - b);
    expect(reportedLines).toEqual(markedLines);
    expect(wrapped.rows.every((row) => row.includes(' finding '))).toBe(true);
  });

  it('asks the type checker for fewer value types than the upstream rule', () => {
    expect(upstream.typeRequests).toBeGreaterThan(0);
    expect(wrapped.typeRequests).toBeLessThan(upstream.typeRequests);
  });
});
