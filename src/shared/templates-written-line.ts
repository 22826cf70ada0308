/**
 * The line `npm run synth` (infrastructure/bin/synth.ts) prints on its standard output the moment
 * the whole cloud assembly (every template, every nested assembly, the root manifest) has been
 * written, before CDK's validation (the built-in CloudFormation validator, cdk-nag) runs over it.
 * `npm start` (src/cli/main-job.ts) starts the rehearsal, which reads only the templates, on it.
 * The writer and the reader share this module so the line cannot drift between them.
 */

/** The whole line, without its newline. Readable by a person running `npm run synth` too. */
export const TEMPLATES_WRITTEN_LINE = 'Templates written: the cloud assembly is complete; CDK validation (built-in validator, cdk-nag) follows.';

/**
 * Watches a stream that arrives in chunks for one whole line equal to `line`, calling `onSeen` once,
 * at the first. A chunk may end in the middle of a line (a pipe delivers what was written so far),
 * so only complete lines count: a partial line is kept until its newline comes. A line that merely
 * contains `line` does not count.
 */
export function watchForLine(line: string, onSeen: () => void): (chunk: string) => void {
  let pending = '';
  let seen = false;
  return (chunk) => {
    if (seen) return;
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    if (lines.some((complete) => complete.replace(/\r$/, '') === line)) {
      seen = true;
      pending = '';
      onSeen();
    }
  };
}
