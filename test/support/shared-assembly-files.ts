/** Marker files of the shared assembly (shared-assembly.ts), in a module with no imports so every side can load it. */

/** Written by synthesize-product.ts once the assembly is complete. */
export const SYNTH_DONE_FILE = 'SYNTH_DONE';

/** Written by the global set-up when the synthesis process failed; holds its stderr. */
export const SYNTH_FAILED_FILE = 'SYNTH_FAILED';

/** Written by the first test file that needs the assembly; the global set-up starts the synthesis when it appears. */
export const SYNTH_REQUESTED_FILE = 'SYNTH_REQUESTED';

/** The region staging moves to in the cross-region app (cross-region-assembly.ts); the pipeline stays in us-east-1. */
export const CROSS_REGION_STAGING = 'us-west-2';
