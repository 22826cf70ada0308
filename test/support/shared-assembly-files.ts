/** Marker files of the shared assembly (shared-assembly.ts), in a module with no imports so every side can load it. */

/** Written in the assembly's directory once the product's synthesis is complete (shared-assembly.ts). */
export const SYNTH_DONE_FILE = 'SYNTH_DONE';

/** Written in the assembly's directory when the synthesis failed; holds its error. */
export const SYNTH_FAILED_FILE = 'SYNTH_FAILED';

/** The region staging moves to in the cross-region app (cross-region-assembly.ts); the pipeline stays in us-east-1. */
export const CROSS_REGION_STAGING = 'us-west-2';
