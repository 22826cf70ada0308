// ESLint flat config: typed typescript-eslint rules everywhere, plus the architecture boundary.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { securityRules } from './eslint.security.mjs';

/** Modules that decision code must never import: it stays pure, so it is testable without AWS. */
const forbiddenInPureCode = [
  { regex: '^(@aws-sdk|@smithy)/', message: 'Decision code is pure: call a port, let an adapter use the AWS SDK.' },
  { regex: '^(aws-cdk-lib|constructs|cdk-nag)(/|$)', message: 'Decision code is pure: no CDK imports.' },
  { regex: '^(node:(fs|child_process|http|https)|fs|child_process)(/|$)', message: 'Decision code is pure: do I/O in an adapter.' },
  { regex: '(^|/)(adapters|handlers)/', message: 'Decision code may depend on ports, never on adapters or handlers.' },
];

/** What decision code may not call: time and randomness come in through ports (STYLE.md 4). */
const impureCallsInPureCode = [
  { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Time is a port (Clock): take it as an argument.' },
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Time is a port (Clock): take it as an argument.' },
  { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Ids and randomness are ports.' },
];

/** A relative import that reaches into the given top-level area (any depth of `../`). */
function intoArea(...areas) {
  return `^\\.{1,2}/(.*/)?(${areas.join('|')})(/|$)`;
}

/** The areas of src/ besides src/worker and src/shared: the deployed worker imports none of them. */
export const SRC_AREAS_OUTSIDE_WORKER = ['cli', 'local', 'pipeline', 'rehearsal'];

/** The dependency directions of STYLE.md §11, as no-restricted-imports patterns. */
const wrongWay = {
  infrastructure: { regex: intoArea('infrastructure'), message: 'src/ never imports infrastructure/ (STYLE.md 11): what both need lives under src/, and infrastructure/ imports it from there.' },
  outOfWorker: { regex: intoArea(...SRC_AREAS_OUTSIDE_WORKER), message: 'The worker stands alone: it imports only src/worker and src/shared (move what it shares with the pipeline to src/shared).' },
  worker: { regex: intoArea('worker'), message: 'The pipeline imports nothing from the worker: what both need lives in src/shared.' },
};

/**
 * A pattern as an esquery regular expression, which may not contain a `/`: each one is written as
 * `\x2F`, which the regular expression reads as the same character.
 */
function selectorRegex(regex) {
  return `/${regex.replaceAll('/', '\\x2F')}/`;
}

/**
 * The same patterns for the imports no-restricted-imports does not see: `import()` and `require()`
 * with a literal target (a string, or a template literal whose first part is checked). A target
 * computed at run time cannot be checked statically.
 */
function dynamicImportSelectors(patterns) {
  return patterns.flatMap(({ regex, message }) => [
    { selector: `ImportExpression[source.value=${selectorRegex(regex)}]`, message },
    { selector: `ImportExpression > TemplateLiteral.source > TemplateElement:first-child[value.cooked=${selectorRegex(regex)}]`, message },
    { selector: `CallExpression[callee.name='require'][arguments.0.value=${selectorRegex(regex)}]`, message },
  ]);
}

/** The rules of one area: its patterns for static imports and exports, and for dynamic imports. */
function boundary(patterns, syntax = []) {
  return {
    'no-restricted-imports': ['error', { patterns }],
    'no-restricted-syntax': ['error', ...syntax, ...dynamicImportSelectors(patterns)],
  };
}

/**
 * The import boundaries, one block per area. no-restricted-imports and no-restricted-syntax options
 * REPLACE each other between blocks that match the same file, so each block lists every pattern that
 * applies to its files, the decision-code patterns and calls included; the most specific block comes last.
 * Another no-restricted-syntax rule for files of src/ belongs in these blocks (boundary()'s second
 * argument): set in a block of its own, it would be dropped. test/unit/architecture checks none is.
 */
/**
 * `import { z } from 'zod'` keeps zod's whole `z` object, all ~40 locales with it, in every Lambda
 * bundle (~440 KB against ~95 KB): esbuild can drop unused parts of a namespace import only.
 */
const zodNamespaceImport = {
  selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
  message: "Write import * as z from 'zod': the named z import keeps every zod locale in the Lambda bundles (docs/build-gates.md, section Bundle sizes).",
};

export const importBoundaries = [
  { files: ['src/**/*.ts'], rules: boundary([wrongWay.infrastructure], [zodNamespaceImport]) },
  { files: ['src/pipeline/**/*.ts'], rules: boundary([wrongWay.infrastructure, wrongWay.worker], [zodNamespaceImport]) },
  { files: ['src/worker/**/*.ts'], rules: boundary([wrongWay.infrastructure, wrongWay.outOfWorker], [zodNamespaceImport]) },
  { files: ['src/pipeline/domain/**/*.ts'], rules: boundary([...forbiddenInPureCode, wrongWay.infrastructure, wrongWay.worker], [...impureCallsInPureCode, zodNamespaceImport]) },
  { files: ['src/worker/domain/**/*.ts'], rules: boundary([...forbiddenInPureCode, wrongWay.infrastructure, wrongWay.outOfWorker], [...impureCallsInPureCode, zodNamespaceImport]) },
];

export default tseslint.config(
  { ignores: ['eslint.config.mjs', 'eslint.security.mjs', 'test/fixtures/**', 'node_modules/**', 'cdk.out/**', 'coverage/**', 'reports/**', 'detection-tool/**', 'dist/**', 'bin/**'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  securityRules,
  {
    // The boundary of STYLE.md: decision code imports no AWS SDK, no CDK, no I/O, reads no process.env
    // and calls no clock or random source. Its import patterns and calls are part of importBoundaries below.
    files: ['src/pipeline/domain/**/*.ts', 'src/worker/domain/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration at the boundary and pass it in.' }],
    },
  },
  ...importBoundaries,
  {
    // Command-line entry points and scripts talk to a terminal on purpose.
    files: ['src/cli/**/*.ts', 'scripts/**/*.ts', 'infrastructure/bin/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      'no-console': 'off',
      // Tests build patterns from the values they check (expect(...).toMatch(new RegExp(name))).
      'security/detect-non-literal-regexp': 'off',
    },
  },
);
