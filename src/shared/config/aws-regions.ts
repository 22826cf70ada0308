/**
 * The shape every AWS region name has (`us-east-1`, `mx-central-1`, `eusc-de-east-1`,
 * `us-isob-east-1`): a partition or area code, one or more words, and a number.
 *
 * Only the shape is checked here: this module is bundled into the Lambda handlers, and the
 * maintained list of regions (aws-cdk-lib's `region-info`) would add about 1.5 MB to each bundle.
 * Whether the region exists is checked once, at synth time, against that list
 * (`infrastructure/lib/config/load-config.ts`), so a hand-kept list never rejects a new region.
 * The shape alone still catches typos such as `eu-west1` or `mars-1`.
 */
export const AWS_REGION_FORMAT = /^[a-z]{2,4}-[a-z-]*[a-z]-\d{1,2}$/;

/** What a region must be, phrased as the fix (shared by the shape check and the synth-time list check). */
export const AWS_REGION_FIX = 'must be an AWS region such as "us-east-1" or "eu-west-1"';
