import type { StackDiffOutcome } from '../domain/change-detection/decide-infrastructure-change.js';

/** Compares a synthesized stack with what is deployed (`cdk diff`). */
export interface StackDiff {
  /** Never rejects for a failed comparison: that is an outcome with status `error`, which deploys. */
  diff(stack: string): Promise<StackDiffOutcome>;
}
