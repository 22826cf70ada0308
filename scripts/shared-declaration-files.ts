/**
 * Declaration files under node_modules (TypeScript's lib files, @types/node and the packages' own
 * `.d.ts`) parsed once per process and handed to every later program built with the same
 * source-file-affecting options, as TypeScript's language service shares them between its programs
 * (its document registry). `npm test`'s static checks build one program and gain nothing; a process
 * that checks several projects does: test/unit/scripts/static-checks.test.ts runs the checks in
 * process on four temporary projects of this repository's tsconfig.json, and parsing lib and
 * @types/node again was most of each run's program build (docs/fast-feedback.md). A file is reused
 * only while its text is the same, and only for the options its parse and binding depend on
 * (TypeScript's own list of them); where TypeScript no longer exports that list, nothing is shared.
 */
import ts from 'typescript';

const parsed = new Map<string, ts.SourceFile>();

/** The options that change how a file is parsed or bound (TypeScript's `sourceFileAffectingCompilerOptions`), as a key; undefined when TypeScript no longer exports them. */
function affectingOptionsKey(options: ts.CompilerOptions): string | undefined {
  const affecting = (ts as unknown as { sourceFileAffectingCompilerOptions?: readonly { readonly name: string }[] }).sourceFileAffectingCompilerOptions;
  if (!Array.isArray(affecting)) return undefined;
  const values: Readonly<Record<string, unknown>> = options;
  return JSON.stringify(affecting.map(({ name }: { readonly name: string }) => values[name] ?? null));
}

/** Whether a file is a package's declaration file, which no check of the project edits. */
function isPackageDeclaration(fileName: string): boolean {
  return fileName.endsWith('.d.ts') && fileName.replaceAll('\\', '/').includes('/node_modules/');
}

/**
 * Makes `host` hand out a declaration file of node_modules parsed by an earlier program of this
 * process with the same affecting options and the same text, instead of parsing it again. Changes
 * and returns `host` (as TypeScript's own host helpers do).
 */
export function sharingDeclarationFiles(host: ts.CompilerHost, options: ts.CompilerOptions): ts.CompilerHost {
  const optionsKey = affectingOptionsKey(options);
  if (optionsKey === undefined) return host;
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile) => {
    if (shouldCreateNewSourceFile === true || !isPackageDeclaration(fileName)) return getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
    const key = `${optionsKey}\0${JSON.stringify(languageVersionOrOptions)}\0${fileName}`;
    const known = parsed.get(key);
    if (known !== undefined && known.text === host.readFile(fileName)) return known;
    const file = getSourceFile(fileName, languageVersionOrOptions, onError, shouldCreateNewSourceFile);
    if (file === undefined) parsed.delete(key);
    else parsed.set(key, file);
    return file;
  };
  return host;
}
