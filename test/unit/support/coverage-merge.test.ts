import { mergeProcessCovs } from '@bcoe/v8-coverage';
import type { CoverageProvider } from 'vitest/node';
import { describe, expect, it } from 'vitest';
import { ScriptByScriptCoverageMerge, type FileCoverage, type ScriptCoverage } from '../../support/coverage-merge.js';
import { mergeScriptByScript } from '../../support/project-coverage.js';

/** @vitest/coverage-v8 4.1.12's loop (provider.js, generateCoverage's onFileRead), as it is. */
function vitestMerge(files: readonly FileCoverage[]): FileCoverage {
  let merged: FileCoverage = { result: [] };
  for (const coverage of files) {
    merged = mergeProcessCovs([merged, coverage]);
    for (const result of merged.result as { url: string; startOffset?: number }[]) {
      if (!result.startOffset) {
        const original = coverage.result.find((r) => r.url === result.url);
        result.startOffset = original?.startOffset || 0;
      }
    }
  }
  return merged;
}

const SOURCE = 'file:///repo/src/decide.ts';
const OTHER_SOURCE = 'file:///repo/src/other.ts';
const TEST_FILE = 'file:///repo/test/decide.test.ts';
const isIncluded = (url: string): boolean => url.includes('/src/');

/** A script whose one function has a block executed `blockCount` of `count` times. */
function script(url: string, count: number, blockCount: number, startOffset?: number): ScriptCoverage {
  return {
    scriptId: '1',
    url,
    ...(startOffset === undefined ? {} : { startOffset }),
    functions: [
      { functionName: '', isBlockCoverage: true, ranges: [{ startOffset: 0, endOffset: 100, count: 1 }] },
      {
        functionName: 'decide',
        isBlockCoverage: true,
        ranges: [
          { startOffset: 10, endOffset: 90, count },
          { startOffset: 20, endOffset: 40, count: blockCount },
        ],
      },
    ],
  };
}

/** What the provider converts: the included scripts, without the scriptId that normalizing renumbers. */
function converted(merged: FileCoverage): unknown[] {
  return merged.result.filter((entry) => isIncluded(entry.url)).map(({ scriptId: _, ...entry }) => entry);
}

/** Fresh copies: both merges normalize their inputs in place. */
function files(make: () => FileCoverage[]): [FileCoverage[], FileCoverage[]] {
  return [make(), make()];
}

describe('ScriptByScriptCoverageMerge gives what Vitest merges from the same files, in the same order', () => {
  it.each([
    ['a script in every file, counts summed', () => [{ result: [script(SOURCE, 2, 1, 40)] }, { result: [script(SOURCE, 3, 0, 40)] }]],
    ['a script some files lack (Vitest only normalizes its total again there)', () => [
      { result: [script(SOURCE, 2, 1, 40)] },
      { result: [script(OTHER_SOURCE, 1, 1, 40)] },
      { result: [script(SOURCE, 1, 1, 40), script(OTHER_SOURCE, 0, 0, 40)] },
    ]],
    ['startOffset from the last file that holds the script, or 0', () => [
      { result: [script(SOURCE, 1, 0, 40), script(OTHER_SOURCE, 1, 0)] },
      { result: [script(SOURCE, 1, 1, 52)] },
    ]],
    ['block ranges only one file reports', () => [
      { result: [{ ...script(SOURCE, 1, 0, 40), functions: [{ functionName: '', isBlockCoverage: false, ranges: [{ startOffset: 0, endOffset: 100, count: 1 }] }] }] },
      { result: [script(SOURCE, 4, 2, 40)] },
      { result: [script(SOURCE, 0, 0, 40)] },
    ]],
  ])('%s', (_, make) => {
    const [ours, theirs] = files(make);
    const merge = new ScriptByScriptCoverageMerge(isIncluded);
    for (const file of ours) merge.add(file);
    // The provider's own loop then merges the one result into its empty total.
    expect(converted(vitestMerge([merge.result()]))).toEqual(converted(vitestMerge(theirs)));
  });

  it('merges no script that coverage does not include (the provider would drop it after merging)', () => {
    const merge = new ScriptByScriptCoverageMerge(isIncluded);
    merge.add({ result: [script(SOURCE, 1, 1, 40), script(TEST_FILE, 1, 1, 40)] });
    merge.add({ result: [script(TEST_FILE, 2, 2, 40)] });
    expect(merge.result().result.map((entry) => entry.url)).toEqual([SOURCE]);
  });
});

describe('mergeScriptByScript: the provider gets each environment\'s coverage once, merged', () => {
  /** A stand-in for the v8 provider's two methods: reads two files, then finishes one environment. */
  function fakeProvider(): CoverageProvider & { received: FileCoverage[]; finished: string[] } {
    const received: FileCoverage[] = [];
    const finished: string[] = [];
    return {
      name: 'v8',
      received,
      finished,
      isIncluded: (filename: string) => filename.includes('/src/'),
      async readCoverageFiles({ onFileRead, onFinished }: { onFileRead: (c: FileCoverage) => void; onFinished: (p: never, e: string) => Promise<void> }) {
        onFileRead({ result: [script(SOURCE, 1, 0, 40), script(TEST_FILE, 1, 0, 40)] });
        onFileRead({ result: [script(SOURCE, 2, 1, 40)] });
        await onFinished(undefined as never, 'ssr');
      },
    } as unknown as CoverageProvider & { received: FileCoverage[]; finished: string[] };
  }

  it('hands on one merged coverage before the environment is converted', async () => {
    const provider = fakeProvider();
    const reader = mergeScriptByScript(provider) as unknown as {
      readCoverageFiles(c: { onFileRead: (c: FileCoverage) => void; onFinished: (p: never, e: string) => Promise<void>; onDebug: unknown }): Promise<void>;
    };
    await reader.readCoverageFiles({
      onFileRead: (coverage) => provider.received.push(coverage),
      onFinished: (_, environment) => Promise.resolve(void provider.finished.push(`${environment} after ${String(provider.received.length)} reads`)),
      onDebug: () => undefined,
    });
    expect(provider.finished).toEqual(['ssr after 1 reads']);
    expect(provider.received[0]?.result.map((entry) => entry.url)).toEqual([SOURCE]);
  });

  it('refuses a provider without the methods it replaces, so a Vitest upgrade fails loudly', () => {
    expect(() => mergeScriptByScript({ name: 'v8' } as unknown as CoverageProvider)).toThrow(/readCoverageFiles/);
  });
});
