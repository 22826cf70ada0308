import { fileURLToPath } from 'node:url';
import v8 from '@vitest/coverage-v8';
import type { CoverageProvider, CoverageProviderModule } from 'vitest/node';
import { ScriptByScriptCoverageMerge, type FileCoverage } from './coverage-merge.js';

/** The part of Vitest's coverage provider base class that {@link mergeScriptByScript} replaces and uses. */
interface CoverageFilesReader {
  isIncluded(filename: string): boolean;
  readCoverageFiles(callbacks: {
    onFileRead: (coverage: FileCoverage) => void;
    onFinished: (project: never, environment: string) => Promise<void>;
    onDebug: unknown;
  }): Promise<void>;
}

function isCoverageFilesReader(provider: object): provider is CoverageProvider & CoverageFilesReader {
  return 'readCoverageFiles' in provider && typeof provider.readCoverageFiles === 'function' && 'isIncluded' in provider && typeof provider.isIncluded === 'function';
}

/**
 * Hands the v8 provider each project's and environment's coverage already merged script by script
 * (coverage-merge.ts), as one file, instead of file by file: its own loop then has one merge to do.
 * Vitest reads the files and calls back in the same order as before; only the merging moves.
 * Throws if the provider no longer has the methods this relies on, so a Vitest upgrade that changes
 * them fails the run instead of silently measuring less.
 */
export function mergeScriptByScript(provider: CoverageProvider): CoverageProvider {
  if (!isCoverageFilesReader(provider)) throw new Error('@vitest/coverage-v8 no longer has readCoverageFiles and isIncluded: revisit test/support/project-coverage.ts');
  const readCoverageFiles = provider.readCoverageFiles.bind(provider);
  const isIncluded = (url: string): boolean => url.startsWith('file://') && provider.isIncluded(fileURLToPath(url));
  provider.readCoverageFiles = async ({ onFileRead, onFinished, onDebug }) => {
    let merge = new ScriptByScriptCoverageMerge(isIncluded);
    await readCoverageFiles({
      onFileRead: (coverage) => {
        merge.add(coverage);
      },
      onFinished: async (project, environment) => {
        onFileRead(merge.result());
        merge = new ScriptByScriptCoverageMerge(isIncluded);
        await onFinished(project, environment);
      },
      onDebug,
    });
  };
  return provider;
}

/**
 * The coverage provider of vitest.config.ts: @vitest/coverage-v8 as it is, except that the main
 * process merges the test files' coverage script by script (docs/fast-feedback.md, "Coverage"). The
 * workers still load @vitest/coverage-v8 itself: the provider names itself `v8` in the options
 * Vitest hands them, so only `getProvider`, which runs in the main process, differs.
 */
const projectCoverage: CoverageProviderModule = {
  ...v8,
  async getProvider() {
    return mergeScriptByScript(await v8.getProvider());
  },
};

export default projectCoverage;
