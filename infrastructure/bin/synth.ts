/**
 * `npm run synth`: synthesizes every environment into cdk.out with no AWS credentials and no network
 * (every stack has an explicit account and region, and bundling uses esbuild from node_modules).
 */
const started = performance.now();
await import('./app.js');
console.log(`Synthesized every environment into cdk.out in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
