/**
 * `npm run synth`: synthesizes every environment into cdk.out with no AWS credentials and no network
 * (every stack has an explicit account and region, and bundling uses esbuild from node_modules).
 * It runs app.ts itself, so `cdk synth` and `npm run synth` take one code path.
 */
import { performance } from 'node:perf_hooks';

export {};

const started = performance.now();
await import('./app.js');
console.log(`Synthesized every environment into cdk.out in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
