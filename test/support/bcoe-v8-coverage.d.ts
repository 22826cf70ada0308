/**
 * The part of @bcoe/v8-coverage (1.0.2, plain CommonJS without types) that coverage-merge.ts uses:
 * the shapes of V8's `Profiler.takePreciseCoverage` result and the merge @vitest/coverage-v8 uses.
 */
declare module '@bcoe/v8-coverage' {
  /** A block or function range with its execution count. */
  export interface RangeCov {
    startOffset: number;
    endOffset: number;
    count: number;
  }
  /** One function's ranges: its own first, then its blocks when `isBlockCoverage`. */
  export interface FunctionCov {
    functionName: string;
    ranges: RangeCov[];
    isBlockCoverage: boolean;
  }
  /** One script's functions. */
  export interface ScriptCov {
    scriptId: string;
    url: string;
    functions: FunctionCov[];
  }
  /** One process's scripts. */
  export interface ProcessCov {
    result: ScriptCov[];
  }
  /** Merges processes script by script (same URL), summing counts; normalizes its inputs in place. */
  export function mergeProcessCovs(processCovs: readonly ProcessCov[]): ProcessCov;
}
