import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

/**
 * Runs secretlint (a devDependency) over an explicit list of files and returns what it reported.
 * One runner per tool: the decision (`decideSecrets`) only ever sees the text.
 *
 * secretlint runs in this process, through the function its own command line calls
 * (`runSecretLint`, the `secretlint` package's main export), with the options its command line
 * builds from `--format json --no-glob --no-color --secretlintrc <config>`. A secretlint process
 * cost ~1.8 s of CPU before it read a file: loading its modules and compiling its configuration
 * validator (ajv) at import, measured with --cpu-prof; its scan of a few files takes ~60 ms. In one
 * process secretlint is loaded once, however often it runs (the tree and the commit range of one
 * gate; every test of the gate). docs/fast-feedback.md, "secretlint in the process".
 */

/** Where secretlint's module (the `secretlint` package's main entry) is, from this package's node_modules; undefined when it is not installed. */
export function installedSecretlint(): string | undefined {
  try {
    return createRequire(import.meta.url).resolve('secretlint');
  } catch {
    return undefined;
  }
}

/** What one secretlint run produced: its JSON output, or why there is none. */
export type SecretlintRun = { readonly kind: 'output'; readonly text: string } | { readonly kind: 'failed'; readonly problem: string };

/** How to run secretlint. */
export interface SecretlintRunOptions {
  /** The folder scanned; the files are relative to it. */
  readonly root: string;
  readonly files: readonly string[];
  /** The `.secretlintrc.json` to use (absolute). */
  readonly config: string;
  /**
   * secretlint's module (the package's main entry, which exports `runSecretLint`).
   * @default the installed one ({@link installedSecretlint})
   */
  readonly toolPath?: string;
}

/** The part of secretlint's main export this runner calls (secretlint 12, module/index.d.ts). */
interface SecretlintModule {
  runSecretLint(options: {
    readonly cliOptions: { readonly cwd: string; readonly filePathOrGlobList: string[]; readonly noGlob: boolean; readonly ignoreFilePath: string };
    readonly engineOptions: { readonly configFilePath: string; readonly cwd: string; readonly formatter: string; readonly color: boolean; readonly terminalLink: boolean; readonly maskSecrets: boolean };
  }): Promise<{ readonly exitStatus: number; readonly stdout: string | null; readonly stderr: Error | null }>;
}

/** The first lines of what went wrong, for the gate's one-line reason (secretlint separates its loading errors with blank and `----` lines). */
function firstLines(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').map((line) => line.trim()).filter((line) => line !== '' && !/^-+$/.test(line)).slice(0, 3).join(' ');
}

/**
 * Runs secretlint over the files with its JSON formatter and returns the formatter's text. Exit
 * status 0 (nothing found) and 1 (findings) both give the report; anything else, or secretlint
 * throwing (a configuration or rule it cannot load: its command line's exit 2), is a scan that did
 * not run. The report holds every file's full text, secrets unmasked in `sourceContent`; it stays
 * in memory and is never written to disk. Secrets in messages stay masked (secretlint's default).
 * The ignore file is `.secretlintignore` in the scanned folder, as for secretlint's command line.
 */
export async function runSecretlint(options: SecretlintRunOptions): Promise<SecretlintRun> {
  const tool = options.toolPath ?? installedSecretlint();
  if (tool === undefined) return { kind: 'failed', problem: 'secretlint is not installed: run npm ci (it is a devDependency)' };
  let secretlint: SecretlintModule;
  try {
    secretlint = (await import(pathToFileURL(tool).href)) as SecretlintModule;
  } catch (error) {
    return { kind: 'failed', problem: `secretlint could not be loaded from ${tool}: ${firstLines(error)}` };
  }
  try {
    const result = await secretlint.runSecretLint({
      cliOptions: { cwd: options.root, filePathOrGlobList: [...options.files], noGlob: true, ignoreFilePath: '.secretlintignore' },
      engineOptions: { configFilePath: options.config, cwd: options.root, formatter: 'json', color: false, terminalLink: true, maskSecrets: true },
    });
    if (result.exitStatus !== 0 && result.exitStatus !== 1) return { kind: 'failed', problem: `secretlint ended with status ${String(result.exitStatus)}${result.stderr === null ? '' : `: ${firstLines(result.stderr)}`}` };
    return result.stdout === null ? { kind: 'failed', problem: 'secretlint returned no report' } : { kind: 'output', text: result.stdout };
  } catch (error) {
    return { kind: 'failed', problem: `secretlint stopped: ${firstLines(error)}` };
  }
}
