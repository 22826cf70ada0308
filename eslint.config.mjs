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
  {
    // The boundary of STYLE.md: decision code imports no AWS SDK, no CDK, no I/O and reads no process.env.
    files: ['src/pipeline/domain/**/*.ts', 'src/worker/domain/**/*.ts', 'infrastructure/lib/plan/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: forbiddenInPureCode }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration at the boundary and pass it in.' }],
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'Time is a port (Clock): take it as an argument.' }, { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'Time is a port (Clock): take it as an argument.' }, { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'Ids and randomness are ports.' }],
    },
  },
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
