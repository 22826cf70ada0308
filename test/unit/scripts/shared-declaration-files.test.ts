import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharingDeclarationFiles } from '../../../scripts/shared-declaration-files.js';

/** A project with one source file that uses a package's declaration file. */
let root: string;
const declaration = (): string => join(root, 'node_modules', 'pkg', 'index.d.ts');
const source = (): string => join(root, 'src', 'use.ts');

/** A program of the project, its host sharing declaration files; and how many files the host parsed. */
function program(options: ts.CompilerOptions): { readonly program: ts.Program; readonly parsed: readonly string[] } {
  const parsed: string[] = [];
  const host = ts.createCompilerHost(options);
  const parse = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, ...rest) => {
    parsed.push(fileName);
    return parse(fileName, ...rest);
  };
  const built = ts.createProgram({ rootNames: [source(), declaration()], options, host: sharingDeclarationFiles(host, options) });
  return { program: built, parsed };
}

/** The type errors in the project's source file (noLib: no lib files to parse, so no global types either). */
function errorsOf(built: ts.Program): string[] {
  return built.getSemanticDiagnostics(built.getSourceFile(source())).map((diagnostic) => ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n'));
}

const OPTIONS: ts.CompilerOptions = { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, strict: true, noEmit: true, noLib: true, types: [] };

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'kiro-shared-declarations-'));
  mkdirSync(join(root, 'node_modules', 'pkg'), { recursive: true });
  mkdirSync(join(root, 'src'));
  writeFileSync(declaration(), 'declare const answer: number;\n');
  writeFileSync(source(), 'export const doubled: number = answer * 2;\n');
});

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('sharingDeclarationFiles', () => {
  it('hands a later program the package declaration file an earlier one parsed, and parses the project\'s own files again', () => {
    const first = program(OPTIONS);
    const second = program(OPTIONS);
    expect(second.program.getSourceFile(declaration())).toBe(first.program.getSourceFile(declaration()));
    expect(second.parsed).not.toContain(declaration());
    expect(second.parsed).toContain(source());
    expect(second.program.getSourceFile(source())).not.toBe(first.program.getSourceFile(source()));
    // Both programs type-check with the shared file, each with its own checker.
    expect(errorsOf(second.program)).toEqual([]);
    expect(errorsOf(first.program)).toEqual([]);
  });

  it('parses again a declaration file whose text changed', () => {
    const before = program(OPTIONS);
    writeFileSync(declaration(), 'declare const answer: string;\n');
    try {
      const after = program(OPTIONS);
      expect(after.parsed).toContain(declaration());
      expect(after.program.getSourceFile(declaration())?.text).toBe('declare const answer: string;\n');
      expect(after.program.getSourceFile(declaration())).not.toBe(before.program.getSourceFile(declaration()));
      expect(errorsOf(after.program)).toEqual(["The left-hand side of an arithmetic operation must be of type 'any', 'number', 'bigint' or an enum type."]);
    } finally {
      writeFileSync(declaration(), 'declare const answer: number;\n');
    }
  });

  it('does not share between programs whose options change how a file is parsed or bound', () => {
    const strict = program(OPTIONS);
    const loose = program({ ...OPTIONS, alwaysStrict: false, target: ts.ScriptTarget.ES2015 });
    expect(loose.parsed).toContain(declaration());
    expect(loose.program.getSourceFile(declaration())).not.toBe(strict.program.getSourceFile(declaration()));
  });
});
