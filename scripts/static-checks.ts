/**
 * The static checks of `npm test` in one process over one TypeScript program: the type-check,
 * reported as `tsc -p tsconfig.json` reports it, then ESLint (`eslint --max-warnings 0 .`) with
 * typescript-eslint's type information taken from that same program (`parserOptions.programs`)
 * instead of a second program built by ESLint's project service. Building the program (parsing and
 * binding ~570 files and their declaration files) was about half of each check's time; and the
 * type-check fills the type checker's caches that the typed lint rules then read.
 *
 * `tsx scripts/static-checks.ts [--eslint-json <file>]` exits non-zero when either check fails.
 * With `--eslint-json`, ESLint's results go to that file as `eslint -f json -o <file>` writes them
 * and ESLint's verdict is left to whoever reads it (the Build's `kiro-cd gate eslint`): the exit
 * code is then the type-check's alone. docs/fast-feedback.md has the measurements.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ESLint } from 'eslint';
import ts from 'typescript';
import { sharingDeclarationFiles } from './shared-declaration-files.js';

/** Where `npm run typecheck` keeps tsc's incremental information: both commands share it. */
export const TS_BUILD_INFO_FILE = 'node_modules/.cache/kiro-cd/tsconfig.tsbuildinfo';

/** What the checks run over and where their output goes. */
export interface StaticChecksOptions {
  /** The project directory: its tsconfig.json and eslint.config.mjs are the ones used. */
  readonly root: string;
  /** Write ESLint's results there as JSON and leave its verdict to the reader. @default undefined: stylish output, the verdict counts */
  readonly eslintJsonFile?: string | undefined;
  /** tsc's incremental information, relative to `root`. @default {@link TS_BUILD_INFO_FILE} */
  readonly tsBuildInfoFile?: string;
  /** Standard output. @default process.stdout */
  readonly write?: (text: string) => void;
  /** Standard error (ESLint's "too many warnings"). @default process.stderr */
  readonly writeError?: (text: string) => void;
  /** Whether standard output is a terminal: tsc colours its output and prints its summary only then. @default process.stdout.isTTY */
  readonly isTerminal?: boolean;
}

/** The exit code of each check, as the command alone would have exited. */
export interface StaticChecksResult {
  /** `tsc -p tsconfig.json`'s: 0, or 1/2 when it reported errors. */
  readonly typecheck: number;
  /** `eslint --max-warnings 0 .`'s: 0, or 1 on an error or a warning; 0 when the verdict is left to the JSON's reader. */
  readonly lint: number;
}

type ErrorSummaryReporter = (errorCount: number, filesInError: readonly unknown[]) => void;

/**
 * tsc's own reporting, so that the output is tsc's to the character (the diagnostics' order, the
 * pretty format, the "Found N errors in M files." summary and its table, the exit code). These are
 * not in typescript.d.ts, but TypeScript's bundle exports its whole namespace at run time; the
 * version is pinned exactly (package.json) and test/unit/scripts/static-checks.test.ts compares this
 * script's output with `tsc -p`'s on the same files, so an upgrade that changes them fails there.
 */
interface TscReporting {
  emitFilesAndReportErrorsAndGetExitStatus(program: ts.BuilderProgram, reportDiagnostic: ts.DiagnosticReporter, write: (text: string) => void, reportSummary: ErrorSummaryReporter | undefined): number;
  createDiagnosticReporter(system: ts.System, pretty: boolean): ts.DiagnosticReporter;
  getErrorSummaryText(errorCount: number, filesInError: readonly unknown[], newLine: string, host: ts.System): string;
}

function tscReporting(): TscReporting {
  const exported = ts as unknown as Partial<TscReporting>;
  const { emitFilesAndReportErrorsAndGetExitStatus, createDiagnosticReporter, getErrorSummaryText } = exported;
  if (typeof emitFilesAndReportErrorsAndGetExitStatus !== 'function' || typeof createDiagnosticReporter !== 'function' || typeof getErrorSummaryText !== 'function') {
    throw new Error(`static-checks: TypeScript ${ts.version} no longer exports tsc's reporting functions (emitFilesAndReportErrorsAndGetExitStatus, createDiagnosticReporter, getErrorSummaryText); adapt scripts/static-checks.ts to it`);
  }
  return exported as TscReporting;
}

/** The system tsc runs in: the real one, in `root` (tsc shows paths relative to it), with output going to `write`. */
function projectSystem(root: string, write: (text: string) => void, isTerminal: boolean): ts.System {
  return { ...ts.sys, getCurrentDirectory: () => root, write, writeOutputIsTTY: () => isTerminal };
}

/**
 * Type-checks the project as `tsc -p tsconfig.json --incremental` does and returns the program for
 * ESLint with tsc's exit code. The program parses every JSDoc comment (TypeScript's default for a
 * compiler host): tsc itself skips the ones that cannot change a type error, but typescript-eslint's
 * `no-deprecated` reads `@deprecated` tags from them.
 */
function typecheck(root: string, tsBuildInfoFile: string, system: ts.System): { readonly program: ts.Program | undefined; readonly exitCode: number } {
  const reporting = tscReporting();
  const configPath = join(root, 'tsconfig.json');
  let configError: ts.Diagnostic | undefined;
  const parsed = ts.getParsedCommandLineOfConfigFile(
    configPath,
    { incremental: true, tsBuildInfoFile: resolve(root, tsBuildInfoFile) },
    {
      ...system,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        configError = diagnostic;
      },
    },
  );
  if (parsed === undefined) {
    // As tsc does for an unreadable or unparsable tsconfig.json: report it, exit 1, check nothing.
    if (configError !== undefined) reporting.createDiagnosticReporter(system, false)(configError);
    return { program: undefined, exitCode: 1 };
  }
  // tsc's rule: the tsconfig's `pretty` when set, else pretty on a terminal unless NO_COLOR is set.
  const configured = parsed.options['pretty'];
  const pretty = typeof configured === 'boolean' ? configured : system.writeOutputIsTTY?.() === true && (process.env['NO_COLOR'] ?? '') === '';
  // Declaration files of node_modules parsed by an earlier program of this process are reused (shared-declaration-files.ts).
  const host = sharingDeclarationFiles(ts.createIncrementalCompilerHost(parsed.options, system), parsed.options);
  const builder = ts.createIncrementalProgram({
    rootNames: parsed.fileNames,
    options: parsed.options,
    configFileParsingDiagnostics: ts.getConfigFileParsingDiagnostics(parsed),
    ...(parsed.projectReferences === undefined ? {} : { projectReferences: parsed.projectReferences }),
    host,
  });
  const exitCode = reporting.emitFilesAndReportErrorsAndGetExitStatus(
    builder,
    reporting.createDiagnosticReporter(system, pretty),
    (text) => {
      system.write(text + system.newLine);
    },
    // tsc prints the "Found N errors" summary only when its output is pretty.
    pretty
      ? (errorCount, filesInError) => {
          system.write(reporting.getErrorSummaryText(errorCount, filesInError, system.newLine, system));
        }
      : undefined,
  );
  return { program: builder.getProgram(), exitCode };
}

/** ESLint over the project, as `eslint --max-warnings 0 .` runs it, with the type information of `program`. */
async function lint(root: string, program: ts.Program, options: StaticChecksOptions): Promise<number> {
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const writeError = options.writeError ?? ((text: string) => process.stderr.write(text));
  if (existsSync(join(root, 'eslint-suppressions.json'))) {
    // The CLI applies that file; the Node API does not. Refuse rather than report what the CLI would not.
    writeError('static-checks: eslint-suppressions.json is not supported here; run `npx eslint --max-warnings 0 .`\n');
    return 2;
  }
  // The project service would build a second program of the same tsconfig.json. The configuration is
  // eslint.config.mjs as it is; only where the type information comes from changes. A file ESLint
  // lints that is not in the program fails with typescript-eslint's "The file was not found in any of
  // the provided program instance(s)", as the project service fails on a file outside tsconfig.json.
  const eslint = new ESLint({ cwd: root, overrideConfig: { languageOptions: { parserOptions: { projectService: false, programs: [program] } } } });
  const results = await eslint.lintFiles(['.']);
  if (options.eslintJsonFile !== undefined) {
    const formatter = await eslint.loadFormatter('json');
    const file = resolve(root, options.eslintJsonFile);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, await formatter.format(results, {}));
    return 0;
  }
  const errors = results.reduce((sum, result) => sum + result.errorCount, 0);
  const warnings = results.reduce((sum, result) => sum + result.warningCount, 0);
  const maxWarnings = 0;
  const tooManyWarnings = warnings > maxWarnings;
  const formatter = await eslint.loadFormatter('stylish');
  const output = await formatter.format(results, tooManyWarnings ? { maxWarningsExceeded: { maxWarnings, foundWarnings: warnings } } : {});
  if (output !== '') write(`${output}\n`);
  if (errors === 0 && tooManyWarnings) writeError(`ESLint found too many warnings (maximum: ${String(maxWarnings)}).\n`);
  return errors > 0 || tooManyWarnings ? 1 : 0;
}

/** Runs both checks over one program and prints each one's verdict after its output. */
export async function runStaticChecks(options: StaticChecksOptions): Promise<StaticChecksResult> {
  const root = resolve(options.root);
  const write = options.write ?? ((text: string) => process.stdout.write(text));
  const system = projectSystem(root, write, options.isTerminal ?? process.stdout.isTTY);
  const checked = typecheck(root, options.tsBuildInfoFile ?? TS_BUILD_INFO_FILE, system);
  write(`static-checks: typecheck ${checked.exitCode === 0 ? 'passed' : `failed (tsc exit ${String(checked.exitCode)})`}\n`);
  if (checked.program === undefined) return { typecheck: checked.exitCode, lint: 2 };
  const lintExit = await lint(root, checked.program, options);
  const verdict = options.eslintJsonFile === undefined ? (lintExit === 0 ? 'passed' : `failed (eslint exit ${String(lintExit)})`) : `results in ${options.eslintJsonFile}, for the gate to decide`;
  write(`static-checks: lint ${verdict}\n`);
  return { typecheck: checked.exitCode, lint: lintExit };
}

/** Reads `[--eslint-json <file>]`; anything else is a usage error. */
export function parseStaticChecksArgs(args: readonly string[]): { readonly eslintJsonFile: string | undefined } {
  if (args.length === 0) return { eslintJsonFile: undefined };
  const [flag, file, ...rest] = args;
  if (flag === '--eslint-json' && file !== undefined && !file.startsWith('--') && rest.length === 0) return { eslintJsonFile: file };
  throw new Error('usage: tsx scripts/static-checks.ts [--eslint-json <file>]');
}

/** The command's exit code: the type-check's when it failed (as tsc exits), else ESLint's. */
export function staticChecksExitCode(result: StaticChecksResult): number {
  return result.typecheck !== 0 ? result.typecheck : result.lint;
}

async function main(): Promise<number> {
  let args;
  try {
    args = parseStaticChecksArgs(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  return staticChecksExitCode(await runStaticChecks({ root: process.cwd(), eslintJsonFile: args.eslintJsonFile }));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main();
}
