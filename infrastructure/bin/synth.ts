/**
 * `npm run synth`: synthesizes every environment into cdk.out with no AWS credentials and no network
 * (every stack has an explicit account and region, and bundling uses esbuild from node_modules).
 * It runs app.ts itself, so `cdk synth` and `npm run synth` take one code path.
 *
 * Exit codes follow the CLI's: 2 for a configuration mistake (only the problems are printed, each
 * naming the environment, key and fix: no stack trace for the user's own mistake), 4 for anything
 * else, which is a defect in the app and is printed with its stack so it can be found.
 *
 * The moment the cloud assembly is complete, before CDK validates it (~10 s of a 25 s synthesis,
 * idle), it prints TEMPLATES_WRITTEN_LINE on its standard output: `npm start` starts the rehearsal,
 * which needs only the templates, on that line (infrastructure/lib/synthesis/announce-templates-written.ts
 * says where in aws-cdk-lib's synthesis that moment is). Validation then blocks this process's event
 * loop, and Node documents `process.stdout` writes to a pipe as asynchronous on POSIX ("A note on
 * process I/O", https://nodejs.org/api/process.html#a-note-on-process-io), so the line is written
 * with `fs.writeSync` on fd 1, which returns only once the bytes are in the pipe. A pipe that is full
 * (EAGAIN: nobody reads) falls back to the stream: the line then arrives later, never wrong.
 */
import { writeSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { KiroCdError } from '../../src/shared/errors.js';
import { TEMPLATES_WRITTEN_LINE } from '../../src/shared/templates-written-line.js';
import { announceTemplatesWritten } from '../lib/synthesis/announce-templates-written.js';

const started = performance.now();
announceTemplatesWritten(() => {
  const line = Buffer.from(`${TEMPLATES_WRITTEN_LINE}\n`);
  let written = 0;
  try {
    // A non-blocking pipe may take part of it: the rest follows until the whole line is in.
    while (written < line.length) written += writeSync(1, line, written);
  } catch {
    process.stdout.write(line.subarray(written));
  }
});
try {
  await import('./app.js');
  console.log(`Synthesized every environment into cdk.out in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
} catch (error) {
  if (error instanceof KiroCdError && error.fault === 'user') {
    process.stderr.write(`Synthesis stopped: ${error.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`Synthesis failed (a defect in the CDK app, not in the configuration): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 4;
  }
}
