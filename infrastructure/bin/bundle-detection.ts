/**
 * `npx tsx infrastructure/bin/bundle-detection.ts <dir>`: the Build's step that writes the bundled
 * change detection and the CDK CLI into `<dir>` (detection-bundle.ts), the Detect actions' tool artifact.
 */
import { bundleDetection } from '../lib/detection-bundle.js';

const outDir = process.argv[2];
if (outDir === undefined || process.argv.length !== 3) {
  process.stderr.write('Usage: tsx infrastructure/bin/bundle-detection.ts <output directory>\n');
  process.exitCode = 2;
} else {
  await bundleDetection(outDir);
  console.log(`Bundled change detection into ${outDir}.`);
}
