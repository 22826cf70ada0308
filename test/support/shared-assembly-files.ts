/** Marker files of the shared assembly (shared-assembly.ts), in a module with no imports so every side can load it. */

/** Written by synthesize-product.ts once the assembly is complete. */
export const SYNTH_DONE_FILE = 'SYNTH_DONE';

/** Written by the global set-up when the synthesis process failed; holds its stderr. */
export const SYNTH_FAILED_FILE = 'SYNTH_FAILED';

/** Written by the first test file that needs the assembly; the global set-up starts the synthesis when it appears. */
export const SYNTH_REQUESTED_FILE = 'SYNTH_REQUESTED';

/**
 * The apps synthesize-product.ts builds, each into its own directory: `product`, the repository's configuration as app.ts builds
 * it; `cross-region`, the same with staging in another region than the pipeline
 * ({@link CROSS_REGION_STAGING}), as the cross-region gates and the artifact replication tests read it.
 */
export type AssemblyVariant = 'product' | 'cross-region';

/** The region staging moves to in the `cross-region` variant; the pipeline stays in us-east-1. */
export const CROSS_REGION_STAGING = 'us-west-2';
