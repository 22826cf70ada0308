// ESLint flat config: typed typescript-eslint rules everywhere, plus the architecture boundary.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { securityRules } from './eslint.security.mjs';

/** Modules that decision code must never import: it stays pure, so it is testable without AWS. */
const forbiddenInPureCode = [
  { group: ['@aws-sdk/*', '@smithy/*'], message: 'Decision code is pure: call a port, let an adapter use the AWS SDK.' },
  { group: ['aws-cdk-lib', 'aws-cdk-lib/*', 'constructs', 'cdk-nag'], message: 'Decision code is pure: no CDK imports.' },
  { group: ['node:fs', 'node:child_process', 'fs', 'child_process', 'node:http', 'node:https'], message: 'Decision code is pure: do I/O in an adapter.' },
  { group: ['**/adapters/**', '**/handlers/**'], message: 'Decision code may depend on ports, never on adapters or handlers.' },
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
 * The import boundaries, one block per area. no-restricted-imports options REPLACE each other between
 * blocks that match the same file, so each block lists every pattern that applies to its files, the
 * decision-code patterns included; the most specific block comes last.
 */
export const importBoundaries = [
  { files: ['src/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [wrongWay.infrastructure] }] } },
  { files: ['src/pipeline/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [wrongWay.infrastructure, wrongWay.worker] }] } },
  { files: ['src/worker/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [wrongWay.infrastructure, wrongWay.outOfWorker] }] } },
  { files: ['src/pipeline/domain/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [...forbiddenInPureCode, wrongWay.infrastructure, wrongWay.worker] }] } },
  { files: ['src/worker/domain/**/*.ts'], rules: { 'no-restricted-imports': ['error', { patterns: [...forbiddenInPureCode, wrongWay.infrastructure, wrongWay.outOfWorker] }] } },
];

/**
 * `import { z } from 'zod'` keeps zod's whole `z` object, all ~40 locales with it, in every Lambda
 * bundle (~440 KB against ~95 KB): esbuild can drop unused parts of a namespace import only.
 */
const zodNamespaceImport = {
  selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
  message: "Write import * as z from 'zod': the named z import keeps every zod locale in the Lambda bundles (docs/build-gates.md, section Bundle sizes).",
};

export default tseslint.config(
  { ignores: ['eslint.config.mjs', 'eslint.security.mjs', 'test/fixtures/**', 'node_modules/**', 'cdk.out/**', 'coverage/**', 'reports/**', 'dist/**', 'bin/**'] },
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
  { files: ['src/**/*.ts'], rules: { 'no-restricted-syntax': ['error', zodNamespaceImport] } },
  {
    // The boundary of STYLE.md: decision code imports no AWS SDK, no CDK, no I/O and reads no process.env.
    // Its import patterns are part of importBoundaries below.
    files: ['src/pipeline/domain/**/*.ts', 'src/worker/domain/**/*.ts'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration at the boundary and pass it in.' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Time is a port (Clock): take it as an argument.' }, { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Time is a port (Clock): take it as an argument.' }, { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Ids and randomness are ports.' }, zodNamespaceImport],
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
