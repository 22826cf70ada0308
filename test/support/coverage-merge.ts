import { mergeProcessCovs, type ProcessCov, type ScriptCov } from '@bcoe/v8-coverage';

/** One script's V8 coverage as Vitest's v8 provider hands it on: with the module runner's wrapper offset. */
export interface ScriptCoverage extends ScriptCov {
  readonly startOffset?: number;
}

/** What one test file's worker sent: V8's precise coverage of every project script it ran. */
export interface FileCoverage {
  readonly result: ScriptCoverage[];
}

/**
 * Merges the V8 coverage of a run's test files script by script, giving what @vitest/coverage-v8
 * 4.1's own loop gives (`merged = mergeProcessCovs([merged, file])` for each file, then each merged
 * script without a `startOffset` takes the file's), with two differences in the work, not the result:
 *
 * - Only the scripts `isIncluded` keeps are merged. The provider drops every other one when it
 *   converts the merged coverage (`convertCoverage` keeps `isIncluded` URLs), and mergeProcessCovs
 *   merges each URL only with the same URL, so dropping them earlier changes no included script.
 * - Each file's scripts are merged into that script's total alone. Vitest's loop merges the whole
 *   total of every script with each of the ~200 files (with `isolate: false` a file's worker reports
 *   every project script it has run so far): a script the file does not hold is only normalized
 *   again, which changes nothing once normalized. Measured on a full run's 198 files (5.2 MB):
 *   0.9–2.6 s for Vitest's loop, 0.13 s for this one, on the shared 2-core machine.
 *
 * The order in which `add` is called is the order of the merges, as in Vitest's loop: merging block
 * coverage is not associative (a range's count can differ by one between orders), so the caller
 * must hand the files on in the order it read them.
 */
export class ScriptByScriptCoverageMerge {
  private readonly totals = new Map<string, ScriptCoverage>();

  constructor(private readonly isIncluded: (url: string) => boolean) {}

  /** Merges one file's coverage into the totals. */
  add(file: FileCoverage): void {
    for (const script of file.result) {
      if (!this.isIncluded(script.url)) continue;
      const total = this.totals.get(script.url);
      if (total === undefined) {
        // Vitest's first merge of a script normalizes it alone and keeps its own startOffset.
        this.totals.set(script.url, withStartOffset(onlyScript(mergeProcessCovs([{ result: [script] }])), script.startOffset));
        continue;
      }
      // As in Vitest's loop: the total first, then the file's script; the merge drops startOffset,
      // which then comes from this file's script.
      this.totals.set(script.url, withStartOffset(onlyScript(mergeProcessCovs([{ result: [total] }, { result: [script] }])), script.startOffset));
    }
  }

  /** The totals, as one file's coverage: merging it into an empty total gives Vitest's result. */
  result(): FileCoverage {
    return { result: [...this.totals.values()] };
  }
}

function onlyScript(merged: ProcessCov): ScriptCov {
  const [script] = merged.result;
  if (script === undefined || merged.result.length !== 1) throw new Error(`expected one merged script, got ${String(merged.result.length)}`);
  return script;
}

/** Vitest's `result.startOffset = original?.startOffset || 0` (an offset is never NaN, so `??` is the same). */
function withStartOffset(script: ScriptCov, startOffset: number | undefined): ScriptCoverage {
  return Object.assign(script, { startOffset: startOffset ?? 0 });
}
