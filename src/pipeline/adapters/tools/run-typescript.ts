/**
 * Runs one of the repository's TypeScript entry points (the synthesis scripts) as a child process:
 * this Node.js with tsx's loader (`node --import tsx <script>`, the form tsx documents for Node.js
 * 20.6 and later), not the `tsx` command. The command is a second node process in front of the one
 * that runs the script (~0.1 CPU-s, measured 0.31–0.37 against 0.24–0.27 for an empty script) and
 * its start-up comes before the script's, which for `npm start`'s synthesis is on the critical path.
 * The script runs with the same loader either way: `npm run synth`'s output is the same.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError } from '../../../shared/errors.js';
import { runProcess, type ProcessResult } from './run-process.js';

/** Options of {@link runTypeScript}: those of runProcess, without the install hint (tsx's is fixed). */
export type RunTypeScriptOptions = Omit<Parameters<typeof runProcess>[2], 'installHint'>;

/**
 * Runs `script` (relative to `options.cwd`, the repository root) with `args` under tsx's loader and
 * collects its output. tsx missing from the repository's node_modules is a ConfigurationError that
 * says to run `npm ci`, as the missing `tsx` command was.
 */
export function runTypeScript(script: string, args: readonly string[], options: RunTypeScriptOptions): Promise<ProcessResult> {
  // `--import tsx` resolves the package from the working directory, as Node.js resolves --import.
  if (!existsSync(join(options.cwd, 'node_modules', 'tsx', 'package.json'))) {
    return Promise.reject(new ConfigurationError(`tsx is not installed in ${join(options.cwd, 'node_modules')}. Run "npm ci" first.`, { command: 'tsx', cwd: options.cwd }));
  }
  return runProcess(process.execPath, ['--import', 'tsx', script, ...args], { ...options, installHint: 'Node.js must be on the PATH.' });
}
