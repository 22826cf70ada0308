/**
 * `npm start` spawns synthesis before it loads the gates and the rehearsal (issue 17, item 2; docs/main-job-phases.md):
 * what src/cli/start.ts imports statically is evaluated before its first line runs, so one static
 * import of the main job, the rehearsal or the AWS SDK would silently put their 4-5 s of loading back
 * in front of synthesis. This walks the entry's static import graph (type-only imports are erased)
 * and says what it reaches.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The specifiers of a file's static imports and re-exports that load a module: not `import type`, not `import()`. */
function staticSpecifiers(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  return source.statements.flatMap((statement) => {
    if (ts.isImportDeclaration(statement) && statement.importClause?.phaseModifier !== ts.SyntaxKind.TypeKeyword && ts.isStringLiteral(statement.moduleSpecifier)) return [statement.moduleSpecifier.text];
    if (ts.isExportDeclaration(statement) && !statement.isTypeOnly && statement.moduleSpecifier !== undefined && ts.isStringLiteral(statement.moduleSpecifier)) return [statement.moduleSpecifier.text];
    return [];
  });
}

/** Every module the file loads before it runs, by repository path; packages by name. */
function staticGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string): void => {
    const key = relative(root, file);
    if (files.has(key)) return;
    files.add(key);
    for (const specifier of staticSpecifiers(file)) {
      if (!specifier.startsWith('.')) {
        packages.add(specifier);
        continue;
      }
      const target = resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
      if (existsSync(target)) visit(target);
    }
  };
  visit(join(root, entry));
  return { files, packages };
}

describe("npm start's entry (src/cli/start.ts)", () => {
  const { files, packages } = staticGraph('src/cli/start.ts');

  it('loads the argument check and the synthesis launcher before it runs', () => {
    expect(files).toContain('src/rehearsal/rehearsal-arguments.ts');
    expect(files).toContain('src/cli/synthesize-all.ts');
  });

  it.each(['src/cli/main-job.ts', 'src/rehearsal/run-rehearsal.ts', 'src/rehearsal/rehearsal-phase.ts', 'src/pipeline/adapters/tools/run-gates.ts', 'src/cli/gates-worker.ts'])('does not load %s before synthesis has started', (heavy) => {
    expect(files).not.toContain(heavy);
  });

  it('loads no package but Node built-ins (no AWS SDK, no aws-cdk-lib, no tool wrappers)', () => {
    expect([...packages].filter((name) => !name.startsWith('node:'))).toEqual([]);
  });

  it('is a walk that sees what main-job.ts loads (so an empty answer above means something)', () => {
    const mainJob = staticGraph('src/cli/main-job.ts');
    expect(mainJob.files).toContain('src/pipeline/adapters/tools/run-gates.ts');
    expect([...mainJob.packages].some((name) => !name.startsWith('node:'))).toBe(true);
  });
});
