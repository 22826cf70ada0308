/**
 * `npm run synth`: synthesizes every environment into cdk.out with no AWS credentials and no network
 * (every stack has an explicit account and region, and bundling uses esbuild from node_modules).
 * It runs app.ts itself, so `cdk synth` and `npm run synth` take one code path.
 *
 * Exit codes follow the CLI's: 2 for a configuration mistake (only the problems are printed, each
 * naming the environment, key and fix: no stack trace for the user's own mistake), 4 for anything
 * else, which is a defect in the app and is printed with its stack so it can be found.
 */
import { performance } from 'node:perf_hooks';
import { KiroCdError } from '../../src/shared/errors.js';

const started = performance.now();
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
